"""Named permissions of the carriers app (``scope.has_permission(user, name)``)."""

from __future__ import annotations

from typing import Any

from peiyu.accounts import scope


def can_manage(user: Any) -> bool:
    """Maintain carriers and tenants (imports, edits): administrators and sub-district officers."""
    if scope.is_admin(user):
        return True
    return bool(scope.scope_for(user, scope.CHANGE).area_ids)


def can_evaluate(user: Any) -> bool:
    """Run the incubator evaluation (values, scoring, 公示, results): administrators and the
    departments responsible for incubators (区科委)."""
    if scope.is_admin(user):
        return True
    return bool(scope.scope_for(user, scope.CHANGE).department_ids)


PERMISSIONS = {"carriers.manage": can_manage, "carriers.evaluate": can_evaluate}
