from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "peiyu.services"
    label = "services"
    verbose_name = "企业服务"
