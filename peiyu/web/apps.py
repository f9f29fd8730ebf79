from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "peiyu.web"
    label = "web"
    verbose_name = "界面"
    url_prefix = ""  # the home page and /healthz sit at the root
