from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed(sender, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """After ``migrate`` (``peiyu init``): the years the chinesecalendar package knows, and the
    default schedules; both only where missing, so edits are kept."""
    from peiyu.work import schedules, workdays

    workdays.seed_all()
    schedules.ensure_defaults()


class WorkConfig(AppConfig):
    name = "peiyu.work"
    label = "work"
    verbose_name = "督办与待办"

    def ready(self) -> None:
        from peiyu.core.signals import tax_library_changed
        from peiyu.work import builtin, schedules

        builtin.register()
        tax_library_changed.connect(schedules.on_tax_library_changed, dispatch_uid="work.after_import")
        post_migrate.connect(_seed, sender=self, dispatch_uid="work.seed")
