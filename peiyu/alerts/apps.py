from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "peiyu.alerts"
    label = "alerts"
    verbose_name = "重点企业预警"
    # The warning evaluation after a tax import is a background job (peiyu.alerts.jobs) started by
    # the work app's "after import" schedule; the warning kind is declared in peiyu.alerts.tracked.
