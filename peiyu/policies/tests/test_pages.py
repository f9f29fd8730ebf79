"""The pages, exports and API within the scope: a department sees the policies it issues and their
recipients inside its enterprise scope; out of scope is a 404; leaders read and change nothing."""

import datetime as dt
import io
import json

import pytest
from docx import Document
from openpyxl import load_workbook

from peiyu.accounts.models import AuditLog
from peiyu.policies.models import Award
from peiyu.policies.tests.helpers import WAN, tax_year
from peiyu.policies.tests.world import populate_world


@pytest.fixture
def pw(world):
    populate_world(world)
    return world


def names(resp):
    return resp.content.decode()


def test_department_sees_its_policies_and_recipients_in_scope(pw, login):
    c = login(pw["department"])
    page = names(c.get("/policies/"))
    assert "走查普惠政策" in page and "走查软件专项政策" not in page
    ledger = names(c.get("/policies/awards/"))
    e = pw["enterprises"]
    assert e["health_a1"].name in ledger and e["health_a2"].name in ledger
    assert e["soft_a1"].name not in ledger and e["other_a2"].name not in ledger
    # the software special policy is out of scope: 404, recorded
    special = pw["policies"]["special"]
    assert c.get(f"/policies/{special.pk}/").status_code == 404
    soft_award = Award.objects.get(enterprise=e["soft_a1"])
    assert c.get(f"/policies/awards/{soft_award.pk}/").status_code == 404
    assert AuditLog.objects.filter(action="accounts.access.denied").exists()


def test_industry_officer_sees_the_special_policy_of_its_industry(pw, login):
    c = login(pw["industry_officer"])
    page = names(c.get("/policies/"))
    assert "走查软件专项政策" in page and "走查普惠政策" in page
    assert pw["enterprises"]["health_a1"].name not in names(
        c.get(f"/policies/{pw['policies']['general'].pk}/")
    )


def test_outsider_sees_nothing(pw, login):
    c = login(pw["outsider"])
    assert "走查普惠政策" not in names(c.get("/policies/"))
    assert c.get(f"/policies/{pw['policies']['general'].pk}/").status_code == 404


def test_every_page_renders_for_the_admin(pw, login):
    c = login(pw["admin"])
    p = pw["policies"]
    clause = p["general"].clauses.first()
    award = p["pending"]
    for url in (
        "/policies/",
        f"/policies/{p['general'].pk}/",
        f"/policies/{p['general'].pk}/edit/",
        f"/policies/{p['general'].pk}/clauses/new/",
        f"/policies/clauses/{clause.pk}/?year=2025",
        "/policies/awards/",
        "/policies/awards/apply/",
        f"/policies/awards/{award.pk}/",
        f"/policies/breaches/{p['breach'].pk}/",
        "/policies/evaluation/?year=2024",
        "/policies/gap/?year=2025",
        "/policies/import/",
        "/",
        f"/registry/e/{pw['enterprises']['health_a1'].credit_code}/",
    ):
        r = c.get(url)
        assert r.status_code == 200, url
    profile = names(c.get(f"/registry/e/{pw['enterprises']['health_a1'].credit_code}/"))
    assert "享受政策" in profile and "走查普惠政策" in profile


def test_steps_on_the_page_and_the_leader_cannot(pw, login):
    award = pw["policies"]["pending"]
    leader = login(pw["leader"])
    r = leader.post(f"/policies/awards/{award.pk}/step/", {"to": "publicity"})
    assert r.status_code == 403
    award.refresh_from_db()
    assert award.status == "submitted"
    c = login(pw["department"])
    r = c.post(f"/policies/awards/{award.pk}/step/", {"to": "publicity", "on": "2025-03-03"})
    assert r.status_code == 302
    award.refresh_from_db()
    assert award.status == "publicity" and award.publicity_end == dt.date(2025, 3, 10)
    listing = c.get("/policies/awards/publicity/").content.decode()
    assert award.enterprise.name in listing and "2025-03-03 至 2025-03-10" in listing
    assert c.get("/policies/awards/publicity/?format=xlsx").status_code == 200


def test_create_policy_and_clause(world, login):
    c = login(world["department"])
    kewei = world["departments"]["kewei"]
    r = c.post(
        "/policies/new/",
        {
            "name": "科技创新若干政策",
            "doc_number": "普科〔2025〕3号",
            "kind": "general",
            "department": kewei.pk,
            "round": "2025—2027年",
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    from peiyu.policies.models import Policy

    p = Policy.objects.get(name="科技创新若干政策")
    r = c.post(
        f"/policies/{p.pk}/clauses/new/",
        {
            "title": "研发投入奖励",
            "support_type": "reward",
            "fixed": "20",
            "conditions_text": '{"field": "tax_last_year", "op": ">=", "value": 100000000}',
            "auto": "on",
            "commitment_years": "5",
        },
    )
    assert r.status_code == 302, r.content.decode()[:800]
    clause = p.clauses.get()
    assert clause.fixed_fen == 20 * WAN and clause.auto and clause.conditions[0]["field"] == "tax_last_year"
    bad = c.post(
        f"/policies/{p.pk}/clauses/new/",
        {"title": "x", "support_type": "reward", "commitment_years": "0", "conditions_text": "{bad"},
    )
    assert bad.status_code == 200 and "不是有效的条件" in bad.content.decode()
    # another department's staff may not edit it
    assert login(world["industry_officer"]).get(f"/policies/{p.pk}/edit/").status_code in (403, 404)


def test_exports_and_api(pw, login):
    e = pw["enterprises"]
    tax_year(2023, dict.fromkeys(e.values(), 100 * WAN))
    tax_year(2025, dict.fromkeys(e.values(), 120 * WAN))
    c = login(pw["department"])
    x = c.get("/policies/evaluation/?year=2024&format=xlsx")
    assert x.status_code == 200
    wb = load_workbook(io.BytesIO(x.content))
    text = " ".join(str(v) for row in wb.active.iter_rows(values_only=True) for v in row if v is not None)
    assert "走查普惠政策" in text
    d = c.get(f"/policies/evaluation/report/?round={pw['policies']['general'].round}")
    assert d.status_code == 200
    doc = Document(io.BytesIO(d.content))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "2024 年兑现政策成效评估" in body
    api = c.get("/api/v1/policies/evaluation?year=2024")
    assert api.status_code == 200
    data = json.loads(api.content)
    assert data["year"] == 2024 and data["policies"][0]["recipients"] == 2  # the two health firms
    awards = json.loads(c.get("/api/v1/policies/awards").content)
    assert {a["enterprise"] for a in awards["awards"]} == {e["health_a1"].name, e["health_a2"].name}


def test_apply_never_echoes_a_code_outside_the_scope(world, login):
    from peiyu.policies.tests.helpers import clause, policy

    c = clause(policy(world, name="软件政策", key_industry=world["industries"]["soft"]))
    other = world["enterprises"]["other_a2"]
    r = login(world["industry_officer"]).post(
        "/policies/awards/apply/",
        {"credit_code": other.credit_code, "clause": c.pk, "year": 2025, "amount": "1"},
    )
    assert r.status_code == 200
    page = r.content.decode()
    assert other.credit_code not in page and "办理范围内没有" in page
    # an otherwise invalid form (no clause) must not echo it either, nor a form prefilled with it
    r = login(world["industry_officer"]).post("/policies/awards/apply/", {"credit_code": other.credit_code})
    assert r.status_code == 200 and other.credit_code not in r.content.decode()
    r = login(world["industry_officer"]).get(f"/policies/awards/apply/?credit_code={other.credit_code}")
    assert f'value="{other.credit_code}"' not in r.content.decode()
    assert not Award.objects.exists()
