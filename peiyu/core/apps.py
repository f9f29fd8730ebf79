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

        from django.db import connections
        from django.db.backends.signals import connection_created

        from peiyu.core import datacache, signals

        connection_created.connect(datacache.install, weak=False, dispatch_uid="peiyu_datacache")
        for conn in connections.all(initialized_only=True):
            datacache.install(conn)
        signals.dimension_changed.connect(datacache.on_data_change, weak=False, dispatch_uid="peiyu_dc_dim")
        signals.tax_library_changed.connect(datacache.on_data_change, weak=False, dispatch_uid="peiyu_dc_tax")
