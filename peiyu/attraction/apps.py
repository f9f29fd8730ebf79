from django.apps import AppConfig


class AttractionConfig(AppConfig):
    name = "peiyu.attraction"
    label = "attraction"
    verbose_name = "招商引资"

    def ready(self) -> None:
        from peiyu.attraction import taxlink, tracked  # noqa: F401 (flows and unit kinds)
        from peiyu.core.signals import tax_library_changed

        tax_library_changed.connect(taxlink.on_tax_library_changed, dispatch_uid="attraction.tax_check")
