"""Pages as personas: who sees which targets, departments' responsibilities, detail, exports, plan."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from peiyu.accounts.models import AuditLog, Department, Role
from peiyu.targets.actions import do_report_value, do_save_target
from peiyu.targets.models import FiveYearPlan, Target, TargetKind
from peiyu.targets.tests.helpers import WAN, fill
from peiyu.testing.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NAMES = ["智能软件", "桃浦镇", "全区", "四大重点产业占区级税收比重", "新增税收亿元楼"]


@pytest.fixture
def base(world):
    """Departments, a department user and five targets (no library data)."""
    kewei = Department.objects.get_or_create(name="区科委", defaults={"short_name": "科委"})[0]
    tcb = Department.objects.get_or_create(name="区投促办", defaults={"short_name": "投促办"})[0]
    dept_user = UserFactory(username="tcb_p", role=Role.DEPARTMENT)
    dept_user.departments.set([tcb])
    admin = world["admin"]
    ind, areas = world["industries"], world["areas"]
    specs = [
        (NAMES[0], TargetKind.AMOUNT, {"key_industry": ind["soft"], "target_fen": 200 * WAN}, [kewei]),
        (NAMES[1], TargetKind.AMOUNT, {"area": areas["a2"], "target_fen": 13 * WAN}, []),
        (NAMES[2], TargetKind.AMOUNT, {"target_fen": 250 * WAN}, []),
        (NAMES[3], TargetKind.SHARE, {"target_value": Decimal("4"), "unit": "个百分点"}, [kewei]),
        (NAMES[4], TargetKind.REPORTED, {"target_value": Decimal("3"), "unit": "幢"}, [tcb]),
    ]
    targets = {}
    for order, (name, kind, fields, depts) in enumerate(specs):
        targets[name] = do_save_target(
            admin, Target(year=2025, name=name, kind=kind, order=order, **fields), depts
        )
    do_report_value(dept_user, targets[NAMES[4]], month="2025-03", value="2", note="长风、中环")
    return {**world, "targets": targets, "dept_user": dept_user, "kewei": kewei, "tcb": tcb}


@pytest.fixture
def setup(base):
    fill(base)
    return base


def board_names(client):
    response = client.get(reverse("targets:board"), {"year": 2025, "month": "2025-03"})
    assert response.status_code == 200
    return {name for name in NAMES if f">{name}</a>" in response.content.decode()}, response


def test_board_by_persona(setup, login):
    names, response = board_names(login(setup["admin"]))
    assert names == set(NAMES)
    html = response.content.decode()
    assert "完成 18.0%，慢于时间进度 7.0 个百分点" in html
    assert 'data-chart="target-bullets"' in html and 'id="target-bullets"' in html
    assert "<script>" not in html  # CSP: no inline scripts (json_script is type=application/json)
    assert board_names(login(setup["industry_officer"]))[0] == {"智能软件"}
    assert board_names(login(setup["area_officer"]))[0] == {"桃浦镇"}
    assert board_names(login(setup["outsider"]))[0] == set()
    assert board_names(login(setup["dept_user"]))[0] == {"新增税收亿元楼"}


def test_board_sorted_by_gap(setup, login):
    client = login(setup["admin"])
    html = client.get(
        reverse("targets:board"), {"year": 2025, "month": "2025-03", "sort": "gap"}
    ).content.decode()
    # gaps: 智能软件 -7.0, 全区 -2.2, 桃浦镇 -1.9, share 24.8-25 = -0.2, 亿元楼 66.7-25 = +41.7
    positions = [html.index(f">{n}</a>") for n in ["智能软件", "全区", "桃浦镇", NAMES[3], NAMES[4]]]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_department_page_shows_own_responsibilities(base, login):
    html = login(base["dept_user"]).get(reverse("targets:departments"), {"year": 2025}).content.decode()
    assert 'data-department="区投促办"' in html and 'data-department="区科委"' not in html
    assert "新增税收亿元楼" in html and "智能软件" not in html
    html = login(base["admin"]).get(reverse("targets:departments"), {"year": 2025}).content.decode()
    assert 'data-department="区投促办"' in html and 'data-department="区科委"' in html
    html = login(base["outsider"]).get(reverse("targets:departments"), {"year": 2025}).content.decode()
    assert 'id="no-departments"' in html


def test_detail_history_and_scope(setup, login):
    t = setup["targets"]["智能软件"]
    t.target_fen = 210 * WAN
    do_save_target(setup["admin"], t, reason="年中调整")
    html = (
        login(setup["admin"])
        .get(reverse("targets:detail", args=[t.pk]), {"month": "2025-03"})
        .content.decode()
    )
    assert "年中调整" in html and "区级税收目标（万元）</span>：200.00 → 210.00" in html
    assert 'data-chart="target-path"' in html
    assert login(setup["area_officer"]).get(reverse("targets:detail", args=[t.pk])).status_code == 404
    assert login(setup["industry_officer"]).get(reverse("targets:detail", args=[t.pk])).status_code == 200


@pytest.mark.django_db
def test_department_user_reports_with_attachment(base, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    t = base["targets"]["新增税收亿元楼"]
    client = login(base["dept_user"])
    upload = SimpleUploadedFile("认定文件.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client.post(
        reverse("targets:report", args=[t.pk]),
        {"month": "2025-04", "value": "3", "note": "新增曹杨大厦", "attachment": upload},
    )
    assert response.status_code == 302
    rep = t.reports.order_by("-id").first()
    assert rep.value == Decimal("3") and rep.attachment_name == "认定文件.pdf"
    download = client.get(reverse("targets:attachment", args=[rep.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4"
    # the industry officer is not responsible and cannot even see it
    assert (
        login(base["industry_officer"]).get(reverse("targets:attachment", args=[rep.pk])).status_code == 404
    )
    html = login(base["dept_user"]).get(reverse("targets:detail", args=[t.pk])).content.decode()
    assert "新增曹杨大厦" in html and "长风、中环" in html  # both reports kept


def test_excel_and_word_exports(setup, login):
    from docx import Document
    from openpyxl import load_workbook

    client = login(setup["admin"])
    response = client.get(reverse("targets:board"), {"year": 2025, "month": "2025-03", "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "完成 18.0%，慢于时间进度 7.0 个百分点" in values and 200 in values  # 200 万元
    response = client.get(reverse("targets:board"), {"year": 2025, "month": "2025-03", "format": "docx"})
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert (
        "智能软件（科委）：年度目标 200.00 万元，累计完成 36.00 万元，完成 18.0%，慢于时间进度 7.0 个百分点"
        in text
    )
    assert AuditLog.objects.filter(action="targets.board.export").count() == 2


@pytest.mark.django_db
def test_edit_form_converts_wan_exactly_and_audits(base, login):
    client = login(base["admin"])
    t = base["targets"]["桃浦镇"]
    response = client.post(
        reverse("targets:edit", args=[t.pk]),
        {
            "year": 2025,
            "name": "桃浦镇",
            "kind": "amount",
            "area": base["areas"]["a2"].pk,
            "target_wan": "13.57",
            "order": 1,
            "reason": "调高",
        },
    )
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.target_fen == 13_570_000
    row = AuditLog.objects.filter(action="targets.target.update", object_id=str(t.pk)).get()
    assert row.before["target_fen"] == 13 * WAN and row.reason == "调高"
    assert login(base["industry_officer"]).get(reverse("targets:edit", args=[t.pk])).status_code == 403


def test_plan_page(setup, login):
    client = login(setup["admin"])
    client.post(
        reverse("targets:plan"),
        {"form": "plan", "name": "411倍增计划", "base_year": 2023, "final_year": 2025},
    )
    plan = FiveYearPlan.objects.get()
    client.post(
        reverse("targets:plan"),
        {
            "form": "line",
            "key_industry": setup["industries"]["soft"].pk,
            "base_wan": "100",
            "goal_wan": "200",
        },
    )
    assert (
        AuditLog.objects.filter(action__in=["targets.plan.create", "targets.plan_line.create"]).count() == 2
    )
    line = plan.lines.get()
    assert line.milestones == {"2024": 141_421_356, "2025": 200 * WAN}  # 100 × √2, rounded to fen
    html = login(setup["admin"]).get(reverse("targets:plan")).content.decode()
    assert "plan-software" in html and "160.00" in html  # 2024 actual for software
    html = login(setup["area_officer"]).get(reverse("targets:plan")).content.decode()
    assert "plan-software" not in html


def test_api_targets_and_stats_by_persona(setup, login):
    client = login(setup["admin"])
    data = client.get("/api/v1/targets", {"year": 2025}).json()
    assert data["count"] == 5 and {i["name"] for i in data["items"]} == set(NAMES)
    stats = client.get("/api/v1/stats/targets", {"month": "2025-03"}).json()
    assert stats["time_progress_pct"] == 25.0 and len(stats["targets"]) == 5
    soft = next(t for t in stats["targets"] if t["name"] == "智能软件")
    assert (soft["target_fen"], soft["actual_fen"], soft["completion_pct"], soft["gap_pp"]) == (
        200 * WAN,
        36 * WAN,
        18.0,
        -7.0,
    )
    area = login(setup["area_officer"]).get("/api/v1/stats/targets", {"month": "2025-03"}).json()
    assert [t["name"] for t in area["targets"]] == ["桃浦镇"]
    assert login(setup["outsider"]).get("/api/v1/targets").json()["count"] == 0
    assert client.get("/api/v1/stats/targets", {"month": "2025-3"}).status_code == 400


def test_home_panel(setup, login):
    html = login(setup["industry_officer"]).get(reverse("web:home")).content.decode()
    assert 'id="panel-targets"' in html and "智能软件" in html
    html = login(setup["outsider"]).get(reverse("web:home")).content.decode()
    assert 'id="panel-targets"' not in html


@pytest.mark.django_db
def test_import_page_lists_errors_and_stores_nothing(base, login, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(base["admin"])
    csv = "产业/指标,年度,区级税收目标（万元）,责任部门\n生命健康,2026,abc,科委\n".encode("gbk")
    resp = client.post(reverse("targets:import"), {"file": SimpleUploadedFile("目标.csv", csv)})
    assert resp.status_code == 302  # imported by the background job, then its report
    html = client.get(resp["Location"]).content.decode()
    assert 'id="import-errors"' in html and "abc" in html and "区级税收目标(万元)（C）" in html
    assert not Target.objects.filter(year=2026).exists()
    csv = "产业/指标,年度,区级税收目标（万元）,责任部门\n生命健康,2026,500,科委\n".encode("gbk")
    client.post(reverse("targets:import"), {"file": SimpleUploadedFile("目标.csv", csv)})
    assert Target.objects.get(year=2026).target_fen == 500 * WAN
    assert login(base["industry_officer"]).get(reverse("targets:import")).status_code == 403
    # the downloadable template is itself a valid file (all-or-nothing: every row accepted)
    template = login(base["admin"]).get(reverse("targets:import"), {"template": 1})
    path = tmp_path / "模板.xlsx"
    path.write_bytes(template.content)
    Department.objects.get_or_create(name="区金融办", defaults={"short_name": "金融办"})[0]
    Department.objects.get_or_create(name="区商务委", defaults={"short_name": "商务委"})[0]
    Department.objects.get_or_create(name="区卫健委", defaults={"short_name": "卫健委"})[0]
    Department.objects.get_or_create(name="区发改委", defaults={"short_name": "发改委"})[0]
    from peiyu.targets.importer import import_file

    result = import_file(path, "模板.xlsx", user=base["admin"])
    assert result.status == "accepted", result.errors
