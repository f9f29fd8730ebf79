"""``peiyu requests --json`` and the imports (requests, feedback, visits)."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from peiyu.services import actions
from peiyu.services.importer import FeedbackImporter, RequestImporter, VisitImporter
from peiyu.services.models import Request
from peiyu.services.tests.helpers import at, make_request

pytestmark = pytest.mark.django_db


def test_requests_json(world):
    req = make_request(world, received_at=at(2024, 9, 30))
    out = io.StringIO()
    call_command("requests", "--as-of", "2024-10-28", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data == {
        "requests": [
            {
                "ref": req.ref,
                "credit_code": world["enterprises"]["health_a1"].credit_code,
                "category": "空间/场地",
                "received": "2024-09-30",
                "accept_due": "2024-10-08",
                "reply_due": "2024-10-10",
                "resolve_due": "2024-10-25",
                "status": "待受理",
                "overdue": True,
            }
        ]
    }


def test_closed_late_is_overdue(world):
    req = make_request(world, received_at=at(2024, 9, 30))
    req = actions.do_accept_request(world["admin"], req)
    req = actions.do_reply_request(world["admin"], req, "答复")
    req = actions.do_close_request(world["admin"], req)  # closed today, long after 2024-10-25
    out = io.StringIO()
    call_command("requests", "--json", stdout=out)
    (row,) = json.loads(out.getvalue())["requests"]
    assert row["status"] == "已办结" and row["overdue"] is True


def write_csv(tmp_path, name, rows):
    p = tmp_path / name
    with p.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return p


def test_import_requests_with_title_rows_synonyms_and_bad_rows(world, tmp_path):
    code = world["enterprises"]["soft_a2"].credit_code
    good = write_csv(
        tmp_path,
        "ok.csv",
        [
            ["2024年企业诉求台账"],
            ["工单号", "信用代码", "企业名称", "受理日期", "诉求类型", "诉求内容", "责任单位", "办结日期"],
            [
                "GD-001",
                code,
                "上海桃浦软件有限公司",
                "2024-09-30",
                "空间/场地",
                "需要研发用房",
                "桃浦镇",
                "2024-10-20",
            ],
            ["GD-002", code, "上海桃浦软件有限公司", "2024/10/8", "人才", "人才公寓", "区科委", ""],
        ],
    )
    report = RequestImporter().run(good, user=world["admin"])
    assert report.status == "accepted", report.errors
    assert report.created == 2 and report.closed == 1
    r1 = Request.objects.get(ref="GD-001")
    assert r1.status == "closed" and r1.area.name == "桃浦镇" and r1.resolve_due.isoformat() == "2024-10-25"
    assert Request.objects.get(ref="GD-002").department.name == "区科委"
    bad = write_csv(
        tmp_path,
        "bad.csv",
        [
            ["编号", "统一社会信用代码", "受理时间", "诉求类别", "诉求内容", "承办单位"],
            ["GD-003", code, "2024-10-09", "吃饭", "x", "桃浦镇"],
            ["GD-004", "91310107MA1234567X", "2024-10-09", "人才", "y", "区科委"],
        ],
    )
    report = RequestImporter().run(bad, user=world["admin"])
    assert report.status == "rejected"
    assert {e["row"] for e in report.errors} >= {2}
    assert not Request.objects.filter(ref__in=["GD-003", "GD-004"]).exists()
    with pytest.raises(CommandError) as exc:
        call_command("import_requests", str(bad), "--json", stdout=io.StringIO())
    assert exc.value.returncode == 2


def test_import_feedback_from_the_enterprise_reopens(world, tmp_path):
    req = make_request(world)
    req = actions.do_accept_request(world["admin"], req)
    req = actions.do_reply_request(world["admin"], req, "答复")
    p = write_csv(
        tmp_path,
        "fb.csv",
        [["诉求编号", "满意度", "意见", "回访记录号"], [req.ref, "不满意", "没解决", "12345-HF-0099"]],
    )
    report = FeedbackImporter().run(p, user=world["admin"])
    assert report.status == "accepted", report.errors
    assert report.reopened == 1
    req.refresh_from_db()
    assert req.status == "handling" and req.reopened == 1


def test_import_visits(world, tmp_path):
    code = world["enterprises"]["soft_a2"].credit_code
    p = write_csv(
        tmp_path,
        "v.csv",
        [
            ["统一社会信用代码", "走访日期", "走访人", "走访情况", "风险信号"],
            [code, "2025-03-05", "张三", "拟迁出", "拟迁出、裁员"],
        ],
    )
    report = VisitImporter().run(p, user=world["admin"])
    assert report.status == "accepted", report.errors
    from peiyu.alerts.models import Warning

    assert Warning.objects.filter(enterprise__credit_code=code, rule="moved_out").exists()


def test_upload_page_imports_off_the_web_worker(world, tmp_path, login):
    """The upload page keeps the file and starts a background job; its report page shows the result
    (the test settings run jobs at once) and is an administrator's page."""
    from django.urls import reverse

    from peiyu.services.models import Visit
    from peiyu.work.models import Job

    code = world["enterprises"]["soft_a2"].credit_code
    p = write_csv(
        tmp_path,
        "v.csv",
        [
            ["统一社会信用代码", "走访日期", "走访人", "走访情况"],
            [code, "2025-03-05", "张三", "了解用工需求"],
        ],
    )
    client = login(world["admin"])
    with p.open("rb") as fh:
        resp = client.post(reverse("services:visit_import"), {"file": fh})
    assert resp.status_code == 302
    job = Job.objects.get(kind="core.import")
    assert job.params["importer"].endswith("VisitImporter")
    html = client.get(resp["Location"]).content.decode()
    assert "v.csv" in html and Visit.objects.filter(enterprise__credit_code=code).exists()
    assert login(world["area_officer"]).get(resp["Location"]).status_code == 403
