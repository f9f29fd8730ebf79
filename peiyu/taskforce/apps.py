from django.apps import AppConfig


class TaskforceConfig(AppConfig):
    name = "peiyu.taskforce"
    label = "taskforce"
    verbose_name = "产业专班"
