from django.apps import AppConfig


class TinyAppConfig(AppConfig):
    """A tiny app that contributes to every seam; installed only by tests/test_contributions.py."""

    name = "tests.tinyapp"
    label = "tinyapp"
    verbose_name = "小应用"
    peiyu_app = True  # not inside the peiyu package, so it says it is a Peiyu app
