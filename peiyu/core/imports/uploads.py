"""Saved uploads: every file an importer reads is first kept under ``settings.UPLOAD_DIR/<kind>/``
as ``<sha256[:16]>-<name>`` (one copy per content), with an :class:`~peiyu.core.models.Upload`
row naming who handed it in. Web uploads are streamed to disk while hashed; files given on the
command line are copied the same way."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

from peiyu.core.models import Upload

CHUNK = 1 << 20


class UploadTooLarge(Exception):
    """The file is larger than the importer accepts; the message is Chinese."""


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def safe_name(file_name: str) -> str:
    """The file's own name, without folders and characters that trouble file systems."""
    base = Path(str(file_name).replace("\\", "/")).name
    return re.sub(r"[\\/:*?\"<>|\s\x00-\x1f]+", "_", base)[-120:] or "file"


def _kind_folder(kind: str) -> str:
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", kind) or "other"


def _real_user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def save_upload(
    source: str | Path | Any,
    *,
    kind: str,
    file_name: str | None = None,
    user: Any = None,
    max_bytes: int | None = None,
) -> Upload:
    """Keep ``source`` (a path, or a Django ``UploadedFile``) under the data folder and record it.

    The content is hashed while it is written; a file whose content is already kept is not
    written twice. Over ``max_bytes`` raises :class:`UploadTooLarge` before anything is kept."""
    if isinstance(source, str | Path):
        path = Path(source)
        name = file_name or path.name
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise UploadTooLarge(too_large_message(size, max_bytes))

        def chunks() -> Iterable[bytes]:
            with open(path, "rb") as fh:
                yield from iter(lambda: fh.read(CHUNK), b"")

        stream: Iterable[bytes] = chunks()
    else:
        name = file_name or getattr(source, "name", "") or "upload"
        size = int(getattr(source, "size", 0) or 0)
        if max_bytes is not None and size > max_bytes:
            raise UploadTooLarge(too_large_message(size, max_bytes))
        stream = source.chunks()
    folder = Path(settings.UPLOAD_DIR) / _kind_folder(kind)
    folder.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    written = 0
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in stream:
                written += len(chunk)
                if max_bytes is not None and written > max_bytes:
                    raise UploadTooLarge(too_large_message(written, max_bytes))
                h.update(chunk)
                out.write(chunk)
        digest = h.hexdigest()
        dest = folder / f"{digest[:16]}-{safe_name(name)}"
        if dest.exists():
            tmp.unlink()
        else:
            os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Upload.objects.create(
        kind=kind,
        file_name=str(name)[:255],
        sha256=digest,
        size=written,
        path=str(dest.relative_to(Path(settings.UPLOAD_DIR))),
        uploaded_by=_real_user(user),
    )


def too_large_message(size: int, limit: int) -> str:
    return f"文件过大（{size / 1048576:.1f} MB），单个文件最大 {limit / 1048576:.0f} MB；请拆分后分别导入"
