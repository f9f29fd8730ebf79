"""The demo step on a small library: targets for every year and industry, calibrated so that some run
ahead and some behind, a share indicator, department reports with an attachment, the doubling plan."""

import pytest

from peiyu.accounts.models import Department
from peiyu.demo import DemoContext
from peiyu.targets import progress
from peiyu.targets.models import FiveYearPlan, Target, TargetKind, TargetReport
from peiyu.targets.tests.helpers import fill

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_targets(world):
    from peiyu.targets import demo as demo_targets

    fill(world, years=(2022, 2023, 2024), months_2025=6)
    for name, short in (
        ("区科委", "科委"),
        ("区金融办", "金融办"),
        ("区商务委", "商务委"),
        ("区投促办", "投促办"),
        ("区发改委", "发改委"),
    ):
        Department.objects.get_or_create(name=name, defaults={"short_name": short})
    ctx = DemoContext(enterprises=100, years=4, end_month="2025-06")
    ctx.data["admin"] = world["admin"]
    demo_targets.generate(ctx)
    for year in (2022, 2023, 2024, 2025):
        names = set(Target.objects.filter(year=year).values_list("name", flat=True))
        assert {
            "智能软件产业区级税收",
            "生命健康产业区级税收",
            "四大重点产业占区级税收比重",
            "新增税收亿元楼",
        } <= names
    assert Target.objects.filter(year=2025, kind=TargetKind.GROWTH).exists()  # growth over 2024's actual
    share = Target.objects.get(year=2025, name="四大重点产业占区级税收比重")
    assert share.target_value == 4 and {d.short_name for d in share.departments.all()} == {
        "科委",
        "金融办",
        "商务委",
    }
    listed = Target.objects.get(year=2025, name="新增上市企业")
    assert listed.departments.get().short_name == "金融办" and listed.reports.exists()
    assert TargetReport.objects.exclude(attachment="").exists()
    assert TargetReport.objects.exclude(department=None).count() == TargetReport.objects.count()
    rows = progress.board(world["admin"], 2025, "2025-06")
    statuses = {r.status for r in rows}
    assert "green" in statuses and ({"yellow", "red"} & statuses), [(r.target.name, r.gap_pp) for r in rows]
    plan = FiveYearPlan.objects.get()
    assert (plan.base_year, plan.final_year) == (2020, 2025)
    for line in plan.lines.all():
        assert line.goal_fen == 2 * line.base_fen and set(line.milestones) == {
            str(y) for y in range(2021, 2026)
        }
        assert line.base_fen < line.milestones["2021"] < line.milestones["2024"] < line.goal_fen
