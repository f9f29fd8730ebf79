"""Named permissions of enterprise services."""

from peiyu.accounts import scope

PERMISSIONS = {
    "services.import": scope.is_admin,
}
