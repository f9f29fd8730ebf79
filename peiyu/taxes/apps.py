from django.apps import AppConfig


class TaxesConfig(AppConfig):
    name = "peiyu.taxes"
    label = "taxes"
    verbose_name = "产业税收"
