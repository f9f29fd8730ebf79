from django.apps import AppConfig


class CarriersConfig(AppConfig):
    name = "peiyu.carriers"
    label = "carriers"
    verbose_name = "载体与楼宇"
