from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "peiyu.targets"
    label = "targets"
    verbose_name = "目标考核"

    def ready(self) -> None:
        from peiyu.accounts.audit import ACTION_LABELS

        for action, label in (
            ("target_create", "新建目标"),
            ("target_update", "修改目标"),
            ("target_delete", "删除目标"),
            ("target_report", "报送目标完成值"),
            ("target_settings", "修改目标进度阈值"),
            ("target_attachment_view", "下载目标报送附件"),
            ("targets_import", "导入目标责任表"),
            ("targets_export", "导出目标看板"),
            ("plan_create", "新建五年规划"),
            ("plan_line_create", "设置规划产业目标"),
            ("plan_line_update", "修改规划产业目标"),
        ):
            ACTION_LABELS.setdefault(action, label)
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
