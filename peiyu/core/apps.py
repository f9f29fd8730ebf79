from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "peiyu.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from peiyu.core import contrib

        def _forget(setting: str = "", **kwargs: object) -> None:
            if setting == "INSTALLED_APPS":
                contrib.clear_cache()

        setting_changed.connect(_forget, weak=False, dispatch_uid="peiyu_contrib_cache")
