from typing import Any

from django.apps import AppConfig
from django.core import checks


class AnalyticsConfig(AppConfig):
    name = "peiyu.analytics"
    label = "analytics"
    verbose_name = "数据分析"

    def ready(self) -> None:
        checks.register(check_engine_setting, checks.Tags.compatibility)


def check_engine_setting(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """``peiyu check`` (and every management command) reports an unknown PEIYU_ANALYTICS_ENGINE."""
    from peiyu.analytics.engine import ENGINES, configured_engine_name, unknown_engine_message

    name = configured_engine_name()
    if name not in ENGINES:
        return [checks.Error(unknown_engine_message(name), id="peiyu.analytics.E001")]
    return []
