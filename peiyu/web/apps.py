from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "peiyu.web"
    label = "web"
    verbose_name = "界面"
