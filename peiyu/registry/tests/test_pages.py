import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from peiyu.accounts.models import AuditLog
from peiyu.registry.models import Enterprise, IndustryDefinition, IndustryOverride

PERSONAS = ("admin", "industry_officer", "area_officer", "outsider")


def visible_codes(world, who):
    return {world["enterprises"][k].credit_code for k in world["visible"][who]}


def all_codes(world):
    return {e.credit_code for e in world["enterprises"].values()}


@pytest.mark.parametrize("who", PERSONAS)
def test_list_search_and_export_respect_scope(world, login, who):
    client = login(world[who])
    body = client.get(reverse("registry:list")).content.decode()
    shown = {c for c in all_codes(world) if c in body}
    assert shown == visible_codes(world, who)
    # search by a name everyone would match
    body = client.get(reverse("registry:list"), {"q": "上海"}).content.decode()
    assert {c for c in all_codes(world) if c in body} == visible_codes(world, who)
    resp = client.get(reverse("registry:list"), {"export": "xlsx"})
    assert resp.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(resp.content), read_only=True)
    cells = {str(c) for row in wb.active.iter_rows(values_only=True) for c in row if c}
    assert {c for c in all_codes(world) if c in cells} == visible_codes(world, who)
    assert AuditLog.objects.filter(
        action="registry.enterprises.export", username=world[who].username
    ).exists()


@pytest.mark.parametrize("who", PERSONAS)
def test_lookup_respects_scope(world, login, who):
    client = login(world[who])
    data = client.get(reverse("registry:lookup"), {"q": "上海", "format": "json"}).json()
    assert {r["credit_code"] for r in data["results"]} == visible_codes(world, who)
    html = client.get(reverse("registry:lookup"), {"q": "桃浦"}).content.decode()
    for key, e in world["enterprises"].items():
        if "桃浦" in e.name:
            assert (e.credit_code in html) == (key in world["visible"][who])


def test_search_by_credit_code_and_pinyin_initials(world, login):
    from peiyu.registry.names import initials

    for e in Enterprise.objects.all():
        e.name_initials = initials(e.name)
        e.save(update_fields=["name_initials"])
    client = login(world["admin"])
    soft_a1 = world["enterprises"]["soft_a1"]
    body = client.get(reverse("registry:list"), {"q": soft_a1.credit_code[:14].lower()}).content.decode()
    assert soft_a1.credit_code in body
    body = client.get(reverse("registry:list"), {"q": "csrj"}).content.decode()  # 长寿软件
    assert soft_a1.credit_code in body and world["enterprises"]["soft_a2"].credit_code not in body


def test_filters(world, login):
    client = login(world["admin"])
    ents = world["enterprises"]
    soft = world["industries"]["soft"]
    a2 = world["areas"]["a2"]

    def codes(**params):
        body = client.get(reverse("registry:list"), params).content.decode()
        return {k for k, e in ents.items() if e.credit_code in body}

    assert codes(industry=soft.pk) == {"soft_a1", "soft_a2"}
    assert codes(industry="none") == {"other_a2"}
    assert codes(area=a2.pk) == {"soft_a2", "health_a2", "other_a2"}
    assert codes(division="84") == {"health_a2"}
    assert codes(division="C") == {"health_a1"}  # 2710 is manufacturing
    Enterprise.objects.filter(pk=ents["other_a2"].pk).update(status="迁出", is_key=True)
    assert codes(status="迁出") == {"other_a2"}
    assert codes(status="active") == set(ents) - {"other_a2"}
    assert codes(key="1") == {"other_a2"}


@pytest.mark.parametrize("who", PERSONAS)
def test_profile_is_404_outside_scope(world, login, who):
    client = login(world[who])
    for key, e in world["enterprises"].items():
        resp = client.get(reverse("registry:detail", args=[e.credit_code]))
        assert resp.status_code == (200 if key in world["visible"][who] else 404), (who, key)


def test_profile_shows_identity_classification_and_events(world, login):
    from peiyu.registry import actions

    admin = world["admin"]
    e = world["enterprises"]["other_a2"]
    actions.do_override(admin, e, world["industries"]["soft"], "include", reason="主营 SaaS")
    actions.do_update_enterprise(admin, e, status="迁出", reason="迁往外区")
    body = login(admin).get(reverse("registry:detail", args=[e.credit_code])).content.decode()
    assert (
        e.name in body
        and "手工纳入" in body
        and "主营 SaaS" in body
        and "迁出" in body
        and "智能软件" in body
    )
    assert AuditLog.objects.filter(action="registry.profile.view", detail__credit_code=e.credit_code).exists()


def test_override_via_page_admin_only(world, login):
    e = world["enterprises"]["other_a2"]
    url = reverse("registry:override", args=[e.credit_code])
    data = {"kind": "include", "industry": world["industries"]["health"].pk, "reason": "医药贸易"}
    resp = login(world["area_officer"]).post(url, data)
    assert resp.status_code == 403 and not IndustryOverride.objects.exists()
    resp = login(world["admin"]).post(url, data)
    assert resp.status_code == 302
    e.refresh_from_db()
    assert e.key_industry == world["industries"]["health"]


def test_industries_preview_does_not_save_and_save_is_admin_only(world, login):
    soft = world["industries"]["soft"]
    url = reverse("registry:industries")
    n_defs = IndustryDefinition.objects.count()
    form = {
        "industry": soft.pk,
        "prefixes": "64, I65, 5137",
        "valid_from": "",
        "reason": "纳入贸易",
        "action": "preview",
    }
    officer = login(world["industry_officer"])
    resp = officer.get(url)
    assert resp.status_code == 200 and "64" in resp.content.decode()
    resp = officer.post(url, form)
    body = resp.content.decode()
    assert resp.status_code == 200 and 'id="preview"' in body and "+1" in body
    # the entering enterprise is outside this officer's scope: counted, never named
    assert world["enterprises"]["other_a2"].name not in body
    assert IndustryDefinition.objects.count() == n_defs
    resp = officer.post(url, {**form, "action": "save"})
    assert resp.status_code == 403 and IndustryDefinition.objects.count() == n_defs
    admin = login(world["admin"])
    body = admin.post(url, form).content.decode()
    assert world["enterprises"]["other_a2"].name in body
    assert IndustryDefinition.objects.count() == n_defs
    today = timezone.localdate().isoformat()
    # saving prefixes other than the previewed ones shows the preview again instead of saving
    body = admin.post(
        url, {**form, "action": "save", "previewed": f"{soft.pk}:64,65:{today}"}
    ).content.decode()
    assert "请先预览" in body and 'id="preview"' in body and IndustryDefinition.objects.count() == n_defs
    resp = admin.post(url, {**form, "action": "save", "previewed": f"{soft.pk}:64,65,5137:{today}"})
    assert resp.status_code == 302 and IndustryDefinition.objects.count() == n_defs + 1
    world["enterprises"]["other_a2"].refresh_from_db()
    assert world["enterprises"]["other_a2"].key_industry == soft
    assert AuditLog.objects.filter(action="registry.definition.save", reason="纳入贸易").exists()


def test_industries_bad_prefix_is_explained(world, login):
    resp = login(world["admin"]).post(
        reverse("registry:industries"),
        {"industry": world["industries"]["soft"].pk, "prefixes": "6597", "action": "preview"},
    )
    assert resp.status_code == 400 and "没有小类“6597”" in resp.content.decode()


def test_import_page_admin_only_with_error_report_and_download(world, login, tmp_path):
    from peiyu.testing.factories import new_credit_code

    from .files import write_xlsx

    path = write_xlsx(
        tmp_path / "名录.xlsx",
        ["统一社会信用代码", "企业名称", "行业代码", "所属街道", "登记状态"],
        [
            [new_credit_code(), "上海新软件有限公司", "6511", "桃浦镇", "存续"],
            ["BAD", "上海坏有限公司", "6511", "桃浦镇", "存续"],
        ],
        ["企业名录"],
    )
    url = reverse("registry:import")
    assert login(world["area_officer"]).get(url).status_code == 403
    client = login(world["admin"])
    assert client.get(url).status_code == 200
    with path.open("rb") as fh:
        resp = client.post(url, {"file": fh})
    assert resp.status_code == 302
    body = client.get(resp["Location"]).content.decode()
    assert "部分导入" in body and "长度应为 18 位" in body and "BAD" in body
    batch_id = int(resp["Location"].rstrip("/").rsplit("/", 1)[1])
    resp = client.get(reverse("registry:import_errors", args=[batch_id]))
    wb = openpyxl.load_workbook(io.BytesIO(resp.content), read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    assert any(r[0] == 4 and "BAD" in str(r[2]) for r in rows)
    assert (
        login(world["area_officer"]).get(reverse("registry:import_errors", args=[batch_id])).status_code
        == 403
    )
    assert Enterprise.objects.filter(name="上海新软件有限公司").exists()
    # imported by the background job, with the form's options
    from peiyu.work.models import Job

    job = Job.objects.filter(kind="core.import").latest("id")
    assert job.params["importer"].endswith("RegistryImporter") and job.params["options"] == {"strict": False}


def test_home_panel_counts_within_scope(world, rf):
    from peiyu.registry.panels import home_panel

    req = rf.get("/")
    req.user = world["area_officer"]
    panel = home_panel(req)
    assert panel["total"] == 3 and panel["by_industry"] == {"智能软件": 1, "生命健康": 1}
    assert [a["name"] for a in panel["by_area"]] == ["桃浦镇"]
    req.user = world["outsider"]
    assert home_panel(req) is None


def test_home_page_renders_registry_panel(world, login):
    body = login(world["industry_officer"]).get("/").content.decode()
    assert 'id="registry-panel"' in body and 'data-chart="registry-panel-chart"' in body


def test_search_finds_former_names(world, login):
    from peiyu.registry import actions

    e = world["enterprises"]["soft_a2"]
    actions.do_update_enterprise(world["admin"], e, name="上海桃浦智能科技有限公司", reason="更名")
    body = login(world["area_officer"]).get(reverse("registry:list"), {"q": "桃浦软件"}).content.decode()
    assert e.credit_code in body
    assert (
        login(world["outsider"])
        .get(reverse("registry:list"), {"q": "桃浦软件"})
        .content.decode()
        .count(e.credit_code)
        == 0
    )


def test_edit_enterprise_via_page_records_event_and_audit(world, login):
    e = world["enterprises"]["other_a2"]
    url = reverse("registry:edit", args=[e.credit_code])
    data = {
        "status": "迁出",
        "industry_code": "I6511",
        "area": world["areas"]["a1"].pk,
        "address": "真北路1号",
        "event_date": "2026-01-15",
        "reason": "迁往外区",
    }
    assert login(world["area_officer"]).post(url, data).status_code == 403
    resp = login(world["admin"]).post(url, data)
    assert resp.status_code == 302
    e.refresh_from_db()
    assert (e.status, e.industry_code, e.area_id, e.address) == (
        "迁出",
        "6511",
        world["areas"]["a1"].pk,
        "真北路1号",
    )
    assert e.key_industry == world["industries"]["soft"]
    ev = e.events.get(kind="status")
    assert str(ev.date) == "2026-01-15" and ev.after == "迁出"
    log = AuditLog.objects.get(action="registry.enterprise.update")
    assert log.before["status"] == "存续" and log.after["status"] == "迁出" and log.reason == "迁往外区"
    bad = login(world["admin"]).post(url, {**data, "industry_code": "J6511"}, follow=True).content.decode()
    assert "门类字母“J”" in bad


def test_create_industry_via_page_admin_only(world, login):
    from peiyu.registry.models import KeyIndustry

    url = reverse("registry:industries")
    data = {"action": "create", "name": "数智健康", "prefixes": "84, 358", "reason": "产业重构"}
    assert login(world["industry_officer"]).post(url, data).status_code == 403
    assert not KeyIndustry.objects.filter(name="数智健康").exists()
    resp = login(world["admin"]).post(url, {**data, "prefixes": "6597"})
    assert resp.status_code == 400 and "6597" in resp.content.decode()
    resp = login(world["admin"]).post(url, data)
    assert resp.status_code == 302
    world["enterprises"]["health_a2"].refresh_from_db()
    # 84 ties with 生命健康's 84; the new industry is listed last, so 生命健康 keeps it
    assert world["enterprises"]["health_a2"].key_industry.name == "生命健康"
    assert KeyIndustry.objects.filter(name="数智健康").exists()


def test_revoke_override_never_redirects_off_site(world, login):
    from peiyu.registry import actions

    e = world["enterprises"]["other_a2"]
    ov = actions.do_override(world["admin"], e, world["industries"]["soft"], "include", reason="试点")
    resp = login(world["admin"]).post(
        reverse("registry:revoke_override", args=[ov.pk]), {"reason": "撤销", "next": "https://evil.example/"}
    )
    assert resp.status_code == 302 and resp["Location"] == reverse("registry:detail", args=[e.credit_code])
    ov.refresh_from_db()
    assert ov.revoked_at is not None


def test_profile_shows_classification_as_of_a_date(world, login):
    import datetime as dt

    from peiyu.registry import actions

    e = world["enterprises"]["other_a2"]
    actions.do_update_enterprise(
        world["admin"], e, industry_code="6511", event_date=dt.date(2024, 1, 1), reason="变更经营范围"
    )
    client = login(world["admin"])
    url = reverse("registry:detail", args=[e.credit_code])
    assert (
        "非重点产业"
        in client.get(url, {"as_of": "2023-06-30"}).content.decode().split('id="as-of-result"')[1][:200]
    )
    assert (
        "智能软件"
        in client.get(url, {"as_of": "2024-06-30"}).content.decode().split('id="as-of-result"')[1][:200]
    )
    assert "格式不正确" in client.get(url, {"as_of": "昨天"}).content.decode()
