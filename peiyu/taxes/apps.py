from django.apps import AppConfig


class TaxesConfig(AppConfig):
    name = "peiyu.taxes"
    label = "taxes"
    verbose_name = "产业税收"

    def ready(self) -> None:
        from peiyu.taxes import rollups  # noqa: F401  (connects the rebuild-on-change receivers)
