from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "peiyu.targets"
    label = "targets"
    verbose_name = "目标考核"

    def ready(self) -> None:
        try:
            from peiyu.taxes.management.commands.stats import register
        except ImportError:  # the stats command is optional for this app
            return
        from peiyu.targets import stats

        register(
            "targets",
            help="目标进度：完成率、时间进度、季节性时间进度、差距、状态、年末预计",
            handler=stats.stats_handler,
            render=stats.stats_render,
            add_arguments=stats.stats_arguments,
        )
