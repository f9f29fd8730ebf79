"""Progress for long batch jobs: a rich progress bar on a terminal, silence with --json or when piped."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class _Quiet:
    def advance(self, n: int = 1) -> None:
        pass

    def update(self, **kwargs: Any) -> None:
        pass


class _Bar:
    def __init__(self, progress: Any, task: Any) -> None:
        self._p = progress
        self._t = task

    def advance(self, n: int = 1) -> None:
        self._p.advance(self._t, n)

    def update(self, **kwargs: Any) -> None:
        self._p.update(self._t, **kwargs)


@contextmanager
def progress(description: str, total: int | None = None, *, quiet: bool = False) -> Iterator[Any]:
    """``with progress("导入", total=n, quiet=json) as bar: bar.advance()``."""
    if quiet or not sys.stderr.isatty():
        yield _Quiet()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as p:
        yield _Bar(p, p.add_task(description, total=total))
