from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "peiyu.alerts"
    label = "alerts"
    verbose_name = "重点企业预警"

    def ready(self) -> None:
        from peiyu.alerts import rules
        from peiyu.core.signals import tax_library_changed

        tax_library_changed.connect(rules.on_tax_library_changed, dispatch_uid="alerts.compute_on_import")
