"""Cross-app signals, so apps stay decoupled.

- ``dimension_changed``: the enterprise dimension changed (classification, area, status, key flag,
  taxpayer links). Sent by registry and taxes actions after commit; the tax library refreshes its
  enterprise snapshot and rollups.
- ``tax_library_changed(months=[...])``: facts of these months changed (import, rollback). Rollups
  and warnings listen.
"""

from django.dispatch import Signal

dimension_changed = Signal()
tax_library_changed = Signal()
