from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "peiyu.work"
    label = "work"
    verbose_name = "督办与待办"

    def ready(self) -> None:
        from peiyu.core.signals import tax_library_changed
        from peiyu.work import builtin, schedules

        builtin.register()
        tax_library_changed.connect(schedules.on_tax_library_changed, dispatch_uid="work.after_import")
