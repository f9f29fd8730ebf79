from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "peiyu.core"
    label = "core"
    verbose_name = "基础"
