from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "peiyu.reports"
    label = "reports"
    verbose_name = "分析报告与驾驶舱"
