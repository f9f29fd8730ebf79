"""The result of one import: what the page shows, what ``--json`` prints, what the batch record keeps.

The JSON shape is stable for every importer::

    {"status": "accepted" | "partial" | "rejected" | "failed" | "checked",
     "message": "<Chinese summary>", "file": "<name>", "sha256": "…",
     "rows": <data rows read>, "accepted": <rows stored>, "rejected": <rows refused>,
     "errors": [{"row", "column", "value", "message"}, …],
     "columns": {…}, "references_created": [{"kind", "name", "row"}, …],
     "batch_id": <ImportBatch id or null>, "seconds": <float>,
     …importer extras (e.g. "created", "updated", "unchanged")}

Exit codes of every ``peiyu import-*`` command follow the status: 0 accepted (or partial),
2 rejected, 1 failed (an internal error).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from peiyu.core.imports.errors import ErrorRow
from peiyu.core.models import ImportBatch

Status = ImportBatch.Status

EXIT_CODES: dict[str, int] = {
    Status.ACCEPTED: 0,
    Status.PARTIAL: 0,
    Status.CHECKED: 0,
    Status.REJECTED: 2,
    Status.FAILED: 1,
    Status.RUNNING: 1,
}


@dataclass
class ImportReport:
    """Subclass it (as a dataclass) to add an importer's own fields; list the ones that belong in
    the JSON in ``EXTRA_KEYS`` and the counts shown on the report page in ``COUNT_LABELS``."""

    file: str
    kind: str = ""
    status: str = Status.RUNNING
    message: str = ""
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    errors: list[ErrorRow] = field(default_factory=list)
    error_total: int = 0  # errors found (``errors`` may list fewer for a huge file)
    columns: dict[str, str] = field(default_factory=dict)
    references_created: list[dict[str, Any]] = field(default_factory=list)
    sha256: str = ""
    size: int = 0
    batch_id: int | None = None
    upload_id: int | None = None
    seconds: float = 0.0
    exception: BaseException | None = field(default=None, repr=False, compare=False)
    timings: dict[str, float] = field(default_factory=dict, repr=False, compare=False)  # seconds per phase

    EXTRA_KEYS: ClassVar[tuple[str, ...]] = ()
    COUNT_LABELS: ClassVar[dict[str, str]] = {}

    # -- outcome

    @property
    def ok(self) -> bool:
        """Stored (or, for a dry run, checked) — the file was not refused and nothing failed."""
        return self.status in (Status.ACCEPTED, Status.PARTIAL, Status.CHECKED)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.status, 1)

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label) if self.status in Status.values else self.status

    def reject(self, message: str) -> None:
        self.status = Status.REJECTED
        self.message = message

    def add_reference(self, kind: str, name: str, row: int | None = None) -> None:
        """A reference object (a team, a fund, a policy clause …) named in the file that did not
        exist and was created by this import; listed in the report so the user can complete it."""
        self.references_created.append({"kind": kind, "name": name, "row": row})

    # -- shapes

    def counts(self) -> dict[str, Any]:
        """The importer's own counts (for the batch record and the report page)."""
        return {k: getattr(self, k) for k in self.COUNT_LABELS}

    def count_items(self) -> list[tuple[str, Any]]:
        return [(label, getattr(self, key)) for key, label in self.COUNT_LABELS.items()]

    def extras(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.EXTRA_KEYS}

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` object."""
        return {
            "status": self.status,
            "message": self.message,
            "file": self.file,
            "sha256": self.sha256,
            "rows": self.rows,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "errors": list(self.errors),
            "error_total": self.error_total,
            "columns": self.columns,
            "references_created": self.references_created,
            "batch_id": self.batch_id,
            "seconds": round(self.seconds, 2),
            **self.extras(),
        }

    def summary_lines(self) -> list[str]:
        """The Chinese summary a command prints before the errors (message, columns, references)."""
        lines = [self.message or self.status_label]
        if self.columns:
            lines.append("识别的列：" + "，".join(f"{k}←{v}" for k, v in self.columns.items()))
        if self.references_created:
            shown = "、".join(f"{r['kind']}“{r['name']}”" for r in self.references_created[:20])
            more = f" 等 {len(self.references_created)} 个" if len(self.references_created) > 20 else ""
            lines.append(f"新建的参照对象（请补全资料）：{shown}{more}")
        return lines
