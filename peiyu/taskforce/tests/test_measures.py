"""Business-environment measures: statuses computed around their deadlines, the JSON contract of
``peiyu measures``, the import, progress reports, scope (a unit its own, 发改委 all), the bulletin."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from peiyu.accounts.models import Department
from peiyu.taskforce import actions, measures
from peiyu.taskforce.models import Measure
from peiyu.taskforce.tests.factories import fagaiwei, measure, plan, write_csv
from peiyu.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    ("deadline", "done", "as_of", "expected"),
    [
        (D(2025, 6, 30), D(2025, 6, 30), D(2025, 7, 1), "green"),  # done on the deadline
        (D(2025, 6, 30), D(2025, 5, 1), D(2025, 5, 2), "green"),  # done early, as-of before deadline
        (D(2025, 6, 30), D(2025, 7, 1), D(2025, 7, 2), "yellow"),  # done a day late
        (D(2025, 6, 30), None, D(2025, 6, 30), "grey"),  # due on the as-of date: not yet red
        (D(2025, 6, 30), None, D(2025, 7, 1), "red"),  # the day after
        (D(2025, 6, 30), None, D(2025, 1, 1), "grey"),
    ],
)
def test_status_around_the_deadline(deadline, done, as_of, expected):
    assert measures.status(deadline, done, as_of) == expected


def _run(*args):
    out = io.StringIO()
    call_command("measures", *args, stdout=out)
    return out.getvalue()


def test_measures_json_contract(world):
    kewei = world["departments"]["kewei"]
    p = plan()
    measure(p, "1", kewei, D(2025, 3, 31), D(2025, 3, 20))
    measure(p, "2", kewei, D(2025, 3, 31), D(2025, 4, 2))
    measure(p, "3", kewei, D(2025, 3, 31))
    measure(p, "4", kewei, D(2025, 4, 1))
    data = json.loads(_run("--as-of", "2025-04-01", "--json"))
    assert data["as_of"] == "2025-04-01"
    assert data["measures"] == [
        {"number": "1", "unit": "区科委", "deadline": "2025-03-31", "done": "2025-03-20", "status": "green"},
        {"number": "2", "unit": "区科委", "deadline": "2025-03-31", "done": "2025-04-02", "status": "yellow"},
        {"number": "3", "unit": "区科委", "deadline": "2025-03-31", "done": None, "status": "red"},
        {"number": "4", "unit": "区科委", "deadline": "2025-04-01", "done": None, "status": "grey"},
    ]
    text = _run("--as-of", "2025-04-01")
    assert "逾期未完成 1 项" in text
    with pytest.raises(CommandError):
        _run("--as-of", "2025-13-01", "--json")


def test_import_measures_all_or_nothing(world, tmp_path):
    fagaiwei()
    Department.objects.get_or_create(name="区商务委", defaults={"short_name": "商务委"})
    good = write_csv(
        tmp_path / "m.csv",
        [
            ["普陀区营商环境方案4.0 措施清单"],
            ["编号", "板块", "措施", "责任单位", "配合单位", "完成时限", "完成日期", "佐证材料"],
            ["1", "政务服务", "企业开办一日办结", "科委", "发改委", "2025-06-30", "2025-05-10", "办结记录"],
            ["2", "政务服务", "涉企事项一网通办", "区商务委", "", "2025年9月30日", "", ""],
            ["3", "要素支撑", "设立产业基金", "区国资委", "", "2025-12-31", "", ""],
        ],
    )
    out = io.StringIO()
    call_command("import_measures", str(good), "--json", stdout=out)
    rep = json.loads(out.getvalue())
    assert rep["status"] == "accepted" and rep["created"] == 3 and rep["plan"] == "营商环境方案 4.0"
    # a unit the platform does not know at all is created and reported; a near miss is refused below
    assert rep["references_created"] == [{"kind": "责任单位", "name": "区国资委", "row": 5}]
    assert Measure.objects.get(number="3").unit.name == "区国资委"
    m1 = Measure.objects.get(number="1")
    assert m1.unit.name == "区科委" and [d.name for d in m1.co_units.all()] == ["区发改委"]
    assert m1.done == D(2025, 5, 10) and m1.status(D(2025, 4, 1)) == "green"
    bad = write_csv(
        tmp_path / "bad.csv",
        [
            ["编号", "板块", "措施", "责任单位", "完成时限", "完成日期", "佐证材料"],
            ["4", "法治", "规范涉企检查", "科委会", "2025-06-30", "", ""],
            ["5", "法治", "包容审慎监管", "区科委", "不知道", "", ""],
            ["6", "法治", "信用修复", "区科委", "2025-06-30", "2025-06-01", ""],
        ],
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_measures", str(bad), "--json", stdout=io.StringIO())
    assert exc.value.returncode == 2
    assert not Measure.objects.filter(number__in=["4", "5", "6"]).exists() and Measure.objects.count() == 3
    from peiyu.taskforce.importer import MeasureImporter

    report = MeasureImporter().check(bad)
    by_row = {(e["row"], e["column"][:4]) for e in report.errors}
    assert (2, "责任单位") in by_row and (3, "完成时限") in by_row
    assert not any(e["row"] == 4 for e in report.errors)  # done without evidence: accepted from a file
    assert any("您是否指" in e["message"] and "区科委" in e["message"] for e in report.errors)


def test_progress_report_completes_a_measure_and_scope(world, login):
    kewei = world["departments"]["kewei"]
    shangwu, _ = Department.objects.get_or_create(name="区商务委")
    p = plan()
    own = measure(p, "1", kewei, D(2025, 6, 30))
    other = measure(p, "2", shangwu, D(2025, 6, 30))
    dept_user = world["department"]  # 区科委
    assert set(measures.visible(dept_user)) == {own}
    fgw_user = UserFactory(username="fgw_p")
    fgw_user.departments.set([fagaiwei()])
    assert set(measures.visible(fgw_user)) == {own, other}
    assert set(measures.visible(world["leader"])) == {own, other}
    assert not measures.visible(world["outsider"]).exists()
    with pytest.raises(actions.TaskForceError):
        actions.do_report_measure_progress(dept_user, own, text="已完成", done=D(2025, 5, 1))  # no evidence
    actions.do_report_measure_progress(dept_user, own, text="已完成", done=D(2025, 5, 1), evidence="通知文件")
    own.refresh_from_db()
    assert own.done == D(2025, 5, 1) and own.status(D(2025, 7, 1)) == "green"
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.do_report_measure_progress(dept_user, other, text="越权")
    client = login(dept_user)
    page = client.get(reverse("taskforce:measures")).content.decode()
    assert "措施1" in page and "措施2" not in page
    assert client.get(reverse("taskforce:measure", args=[other.pk])).status_code == 404


def test_bulletin_by_unit(world, login):
    kewei = world["departments"]["kewei"]
    shangwu, _ = Department.objects.get_or_create(name="区商务委")
    p = plan()
    measure(p, "1", kewei, D(2025, 3, 31))  # red at the end of April
    measure(p, "2", kewei, D(2025, 4, 30), D(2025, 4, 15))  # green, done in April
    measure(p, "3", shangwu, D(2025, 5, 31))  # grey, due next month
    data = measures.bulletin(measures.visible(world["admin"], p), "2025-04")
    first = data["units"][0]
    assert first.unit == "区科委" and first.counts["red"] == 1 and first.counts["green"] == 1
    assert first.done_in_month == 1 and first.rate == 50.0
    assert data["units"][1].due_next_month == 1
    sections = measures.bulletin_sections(data, p)
    assert "逾期未完成 1 项" in sections[0].paragraphs[0]
    assert sections[1].tables[0].rows[0][0] == "1"
    client = login(world["admin"])
    r = client.get(reverse("taskforce:bulletin") + "?month=2025-04")
    assert r.status_code == 200 and "区科委" in r.content.decode()
    r = client.get(reverse("taskforce:bulletin") + "?month=2025-04&format=docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_measures_api_is_scoped(world, client):

    kewei = world["departments"]["kewei"]
    shangwu, _ = Department.objects.get_or_create(name="区商务委")
    p = plan()
    measure(p, "1", kewei, D(2025, 3, 31))
    measure(p, "2", shangwu, D(2025, 3, 31), D(2025, 3, 1))
    client.force_login(world["department"], backend="django.contrib.auth.backends.ModelBackend")
    r = client.get("/api/v1/measures?as_of=2025-04-01")
    assert r.status_code == 200
    assert r.json() == {
        "as_of": "2025-04-01",
        "measures": [
            {"number": "1", "unit": "区科委", "deadline": "2025-03-31", "done": None, "status": "red"}
        ],
    }
    assert client.get("/api/v1/measures?as_of=xx").status_code == 422


def test_fagaiwei_sees_every_measure_even_of_a_plan_without_lead(world):
    from peiyu.taskforce.models import MeasurePlan

    p = MeasurePlan.objects.create(name="营商环境方案 5.0")  # no lead department recorded
    m = measure(p, "1", world["departments"]["kewei"], D(2025, 3, 31))
    fgw_user = UserFactory(username="fgw2_p")
    fgw_user.departments.set([fagaiwei()])
    assert list(measures.visible(fgw_user, p)) == [m]
    assert not measures.visible(world["industry_officer"], p).exists()
