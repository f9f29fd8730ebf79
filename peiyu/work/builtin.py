"""What the work app registers itself, and the discovery of the other apps' contributions.

Each installed ``peiyu.*`` app may have:

- ``tracked.py``: calls :func:`peiyu.work.flows.register` (its item kinds) and
  :func:`peiyu.work.flows.register_unit` (its kinds of responsible unit, e.g. attraction teams);
- ``jobs.py``: background job handlers (``@peiyu.work.jobs.handler(kind, label)``).

Both are imported once at start-up, in ``INSTALLED_APPS`` order.
"""

from __future__ import annotations

from typing import Any

from peiyu.work import flows

_done = False


def _department_members(unit: Any) -> Any:
    return unit.users.filter(is_active=True)


def _area_members(unit: Any) -> Any:
    return unit.users.filter(is_active=True)


def register() -> None:
    global _done
    if _done:
        return
    _done = True
    flows.register_unit(
        flows.UnitKind(
            model="accounts.Department",
            label="部门",
            members=_department_members,
            units_of=lambda user: user.departments.values_list("id", flat=True),
        )
    )
    flows.register_unit(
        flows.UnitKind(
            model="registry.Area",
            label="街道镇",
            members=_area_members,
            units_of=lambda user: user.areas.values_list("id", flat=True),
        )
    )
    from peiyu.core import contrib

    for module in ("tracked", "jobs"):
        contrib.modules(module)  # importing them registers their kinds and job handlers
