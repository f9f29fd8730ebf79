from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "peiyu.alerts"
    label = "alerts"
    verbose_name = "重点企业预警"
