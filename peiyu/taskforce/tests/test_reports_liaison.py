"""Information reports (issued per unit, pre-filled, submitted, late ones chased as items) and
directed liaison (assignment by rule, bulk, Excel import, contact log, coverage), publicity."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from peiyu.alerts.tests.helpers import WAN, load
from peiyu.taskforce import actions, queries
from peiyu.taskforce.models import ContactLog, InfoReport
from peiyu.taskforce.tests.factories import taskforce, write_csv
from peiyu.work import queries as work_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxed(world):
    e = world["enterprises"]
    series: dict = {e["soft_a1"]: {}, e["soft_a2"]: {}}
    for m in [f"2024-{i:02d}" for i in range(1, 13)] + ["2025-01", "2025-02", "2025-03"]:
        series[e["soft_a1"]][m] = 100 * WAN
        series[e["soft_a2"]][m] = 80 * WAN
    load(series)
    return world


def test_reports_are_prefilled_and_tracked(taxed, login):
    world = taxed
    tf = taskforce(world)
    kewei, a2 = world["departments"]["kewei"], world["areas"]["a2"]
    t = actions.do_save_template(world["admin"], tf, name="月度工作信息", departments=[kewei], areas=[a2])
    made = actions.do_issue_reports(world["industry_officer"], t, "2025-03")
    assert len(made) == 2
    assert actions.do_issue_reports(world["admin"], t, "2025-03") == []  # issued once
    area_report = InfoReport.objects.get(area=a2)
    # what the system knows is pre-filled: the area's software tax, not asked again
    assert area_report.prefilled["tax.month"] == "80.00" and area_report.prefilled["tax.ytd"] == "240.00"
    dept_report = InfoReport.objects.get(department=kewei)
    assert dept_report.prefilled["tax.month"] == "180.00"  # the whole industry
    assert area_report.due > dt.date(2025, 3, 31) and area_report.item.kind == "taskforce.report"
    assert area_report.item.is_open and area_report.is_late()  # due in April 2025: past
    # it is in the area officer's inbox (a unit item), and late items are overdue there
    officer = world["area_officer"]
    assert area_report.item in work_queries.items_for(officer)
    client = login(officer)
    page = client.get(reverse("taskforce:report", args=[area_report.pk])).content.decode()
    assert "系统预填" in page and "80.00" in page
    r = client.post(
        reverse("taskforce:report", args=[area_report.pk]),
        {"progress": "走访重点企业 5 家", "tax_month": "999"},
    )
    assert r.status_code == 302
    area_report.refresh_from_db()
    assert area_report.values["progress"] == "走访重点企业 5 家"
    assert "tax_month" not in area_report.values  # pre-filled fields are never taken from the form
    assert area_report.is_submitted and area_report.item.status == "submitted"
    # scope: the department sees its own report only; the area officer cannot submit the department's
    assert set(queries.reports(world["department"])) == {dept_report}
    assert set(queries.reports(world["industry_officer"])) == {area_report, dept_report}
    assert (
        client.post(reverse("taskforce:report", args=[dept_report.pk]), {"progress": "x"}).status_code == 404
    )
    assert not queries.reports(world["outsider"]).exists()


def test_liaison_by_rule_bulk_import_and_coverage(taxed, login, tmp_path):
    world = taxed
    tf = taskforce(world, liaison_member=world["industry_officer"])
    e = world["enterprises"]
    month = "2025-03"
    ents = queries.key_enterprises(world["admin"], tf, month)
    assert {x.name for x in ents} == {e["soft_a1"].name, e["soft_a2"].name}
    assert actions.rule_liaison(e["soft_a2"], tf) == (world["area_officer"], "area")  # 桃浦镇's officer
    assert actions.rule_liaison(e["soft_a1"], tf) == (
        world["industry_officer"],
        "taskforce",
    )  # no area officer
    cov = queries.coverage(world["admin"], tf, month)
    assert cov["key"] == 2 and cov["with_liaison"] == 0
    client = login(world["industry_officer"])
    from peiyu.taxes import analytics

    assert analytics.latest_month() == month
    r = client.post(reverse("taskforce:liaison_bulk", args=[tf.pk]))
    assert r.status_code == 302
    e["soft_a1"].refresh_from_db()
    e["soft_a2"].refresh_from_db()
    assert e["soft_a1"].liaison == world["industry_officer"] and e["soft_a2"].liaison == world["area_officer"]
    # a contact log, then coverage counts it
    actions.do_log_contact(
        world["industry_officer"], e["soft_a1"], date=dt.date.today(), summary="走访了解扩产计划"
    )
    cov = queries.coverage(world["admin"], tf, month)
    assert cov["with_liaison"] == 2 and cov["contacted"] == 1 and cov["liaison_pct"] == 100.0
    assert ContactLog.objects.count() == 1
    # Excel/CSV import of liaison officers
    path = write_csv(
        tmp_path / "l.csv",
        [
            ["统一社会信用代码", "企业名称", "联络员"],
            [e["soft_a1"].credit_code, e["soft_a1"].name, "金牌店小二"],
        ],
    )
    out = io.StringIO()
    call_command("import_liaison", str(path), "--json", stdout=out)
    rep = json.loads(out.getvalue())
    assert rep["status"] == "accepted" and rep["assigned"] == 1
    e["soft_a1"].refresh_from_db()
    assert e["soft_a1"].liaison == world["service_officer"]
    bad = write_csv(
        tmp_path / "b.csv", [["统一社会信用代码", "联络员"], [e["soft_a2"].credit_code, "查无此人"]]
    )
    with pytest.raises(Exception) as exc:
        call_command("import_liaison", str(bad), "--json", stdout=io.StringIO())
    assert getattr(exc.value, "returncode", None) == 2
    # the liaison page shows coverage
    page = client.get(reverse("taskforce:liaison", args=[tf.pk])).content.decode()
    assert "重点企业 <strong>2</strong> 家" in page


def test_liaison_outside_scope_is_refused(taxed):
    world = taxed
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.do_assign_liaison(
            world["industry_officer"], world["enterprises"]["health_a1"], world["industry_officer"]
        )
    with pytest.raises(PermissionDenied):
        actions.do_assign_liaison(world["leader"], world["enterprises"]["soft_a1"], world["industry_officer"])


def test_publicity(world, login):
    tf = taskforce(world)
    client = login(world["industry_officer"])
    r = client.post(
        reverse("taskforce:publicity"),
        {
            "taskforce": tf.pk,
            "kind": "press",
            "date": "2025-05-20",
            "theme": "智能软件产业政策发布会",
            "inquiries": "12",
            "applications": "3",
        },
    )
    assert r.status_code == 302
    ev = queries.publicity(world["industry_officer"]).get()
    assert ev.industry == world["industries"]["soft"] and ev.inquiries == 12
    assert not queries.publicity(world["department"]).exists()
    page = client.get(reverse("taskforce:publicity")).content.decode()
    assert "智能软件产业政策发布会" in page


def test_publicity_is_linked_to_the_requests_that_followed(world):
    from peiyu.services.tests.helpers import at, make_request

    tf = taskforce(world)
    ev = actions.do_save_publicity(
        world["admin"], taskforce=tf, date=dt.date(2025, 5, 20), theme="政策发布会"
    )
    make_request(world, "soft_a1", received_at=at(2025, 5, 25))  # within 30 days, the industry
    make_request(world, "soft_a2", received_at=at(2025, 8, 1))  # too late
    make_request(world, "health_a1", received_at=at(2025, 5, 25))  # another industry
    assert queries.followed(world["admin"], ev)["requests"] == 1
    assert queries.followed(world["admin"], ev)["applications"] == 0
    assert queries.followed(world["outsider"], ev)["requests"] == 0


def test_admin_edits_the_composition(world, login):
    tf = taskforce(world)
    client = login(world["admin"])
    assert client.get(reverse("taskforce:edit", args=[tf.pk])).status_code == 200
    r = client.post(
        reverse("taskforce:edit", args=[tf.pk]),
        {
            "name": tf.name,
            "leaders": "leader_p",
            "members": "software_p kewei_p",
            "departments": [world["departments"]["kewei"].pk],
            "liaison_member": "software_p",
        },
    )
    assert r.status_code == 302
    tf.refresh_from_db()
    assert list(tf.leaders.all()) == [world["leader"]] and tf.members.count() == 2
    assert login(world["industry_officer"]).get(reverse("taskforce:edit", args=[tf.pk])).status_code == 403
