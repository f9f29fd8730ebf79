"""The rules on the demo generator's data: planted stories are found, steady growers never warned,
and the demo step leaves a realistic loop (some handled, one or two overdue)."""

import io
import json

import pytest
from django.core.management import call_command

from peiyu.alerts import evaluate
from peiyu.alerts.models import Status, Warning
from peiyu.alerts.queries import overdue
from peiyu.work.models import Event, Note

pytestmark = pytest.mark.django_db(transaction=True)

END = "2025-10"


@pytest.fixture
def demo(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "demo"
    settings.DATA_DIR.mkdir()
    out = io.StringIO()
    call_command(
        "demo",
        "--enterprises",
        "1500",
        "--years",
        "2",
        "--end-month",
        END,
        "--seed",
        "7",
        "--json",
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_stories_found_zero_false_alarms_on_steady_growers_and_demo_loop(demo):
    stories = evaluate.load_stories()
    assert {s["story"] for s in stories if s["source"] == "planted"} == {
        "steady_growth",
        "sharp_decline",
        "stopped_paying",
        "moved_out",
        "spike",
    }
    result = evaluate.evaluate(stories)
    assert result["month"] == END
    assert result["by_story"]["steady_growth"] >= 1
    assert result["steady_false_alarms"] == []
    for rule in ("yoy_drop", "consecutive_decline", "stopped_paying", "spike"):
        assert result["rules"][rule]["recall"] == 1.0, (rule, result["rules"][rule])
        assert result["rules"][rule]["precision"] == 1.0, (rule, result["rules"][rule])
    planted_moves = {
        s["credit_code"] for s in stories if s["story"] == "moved_out" and s["source"] == "planted"
    }
    assert not planted_moves & set(result["rules"]["moved_out"]["missed"])
    # and no stored warning of any rule on a steady grower
    steady = {s["credit_code"] for s in stories if s["story"] == "steady_growth"}
    assert not Warning.objects.filter(enterprise__credit_code__in=steady).exists()

    # the demo step leaves a realistic loop (one demo run for both checks: it is the slow part)
    summary = demo["alerts"]
    assert summary["months"][-1] == END and summary["warnings"] == Warning.objects.count() > 0
    statuses = set(Warning.objects.values_list("item__status", flat=True))
    assert Status.NEW in statuses and statuses & {Status.ACKNOWLEDGED, Status.FOLLOWING}
    assert 1 <= overdue(Warning.objects.all()).count() <= 2
    assert Note.objects.filter(item__kind="alerts.warning").exists()
    closed = Warning.objects.filter(item__is_open=False).exclude(auto_closed=True).select_related("item")
    assert all(w.resolution for w in closed)
    # every warning is on the tracked-work mechanism with its history
    assert not Warning.objects.filter(item__isnull=True).exists()
    assert (
        Event.objects.filter(item__kind="alerts.warning", label="生成预警").count() == Warning.objects.count()
    )
    # one open warning per enterprise × rule, whatever happened
    pairs = list(Warning.objects.filter(item__is_open=True).values_list("enterprise_id", "rule"))
    assert len(pairs) == len(set(pairs))
