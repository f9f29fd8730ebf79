"""The import kit every importer is built on (registry, targets, users, tax, and the new apps).

Public API (import from here):

- error rows: :class:`ErrorRow`, :func:`error_row`, :func:`column_label`, :class:`ErrorCollector`,
  :func:`describe`;
- cell parsers: the :mod:`cells` module (``cells.parse_date``, ``cells.date()``, ``cells.amount()``,
  ``cells.credit_code``, ``cells.choice()``, ``cells.boolean()``, ``cells.parse_year``, …);
- saved uploads: :func:`save_upload`, :func:`sha256_of`; models ``Upload`` and ``ImportBatch``
  (``peiyu.core.models``);
- the report: :class:`ImportReport` (``as_dict()`` is the ``--json`` object, ``exit_code``);
- the declarative importer: :class:`Importer`, :class:`Field`, :class:`Row`, :class:`Refused`;
- the command: :class:`ImportCommand` (``peiyu.core.imports.command``);
- pages: ``upload_page``, ``report_page``, ``errors_xlsx``, ``get_batch`` (``peiyu.core.imports.views``).

See docs/CONVENTIONS.md, "Adding an importer".
"""

from peiyu.core.imports import cells
from peiyu.core.imports.base import Field, Importer, Refused, Row
from peiyu.core.imports.cells import CellError
from peiyu.core.imports.errors import ErrorCollector, ErrorRow, column_label, describe, error_row
from peiyu.core.imports.report import ImportReport, Status
from peiyu.core.imports.uploads import UploadTooLarge, save_upload, sha256_of

__all__ = [
    "CellError",
    "ErrorCollector",
    "ErrorRow",
    "Field",
    "ImportReport",
    "Importer",
    "Refused",
    "Row",
    "Status",
    "UploadTooLarge",
    "cells",
    "column_label",
    "describe",
    "error_row",
    "save_upload",
    "sha256_of",
]
