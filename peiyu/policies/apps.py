from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "peiyu.policies"
    label = "policies"
    verbose_name = "产业政策"
