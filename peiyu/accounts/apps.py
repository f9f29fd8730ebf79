from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "peiyu.accounts"
    label = "accounts"
    verbose_name = "账户与权限"

    def ready(self) -> None:
        from peiyu.accounts import signals  # noqa: F401  (connects the audit receivers)
        from peiyu.accounts.triggers import reinstall_after_migrate

        post_migrate.connect(reinstall_after_migrate, sender=self, dispatch_uid="peiyu_audit_triggers")
