from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "peiyu.meetings"
    label = "meetings"
    verbose_name = "会议与纪要"
