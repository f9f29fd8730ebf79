import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_login_page_is_chinese(client):
    resp = client.get(reverse("accounts:login"))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "账户登录" in body and 'lang="zh-hans"' in body


def test_home_requires_login(client, db):
    resp = client.get("/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_shell_shows_user_and_scope(world, login):
    client = login(world["area_officer"])
    body = client.get("/").content.decode()
    assert "taopu_p" in body and "桃浦镇" in body
    assert "企业名录" in body or "首页" in body


def test_chinese_first_even_for_an_english_browser(world, login):
    client = login(world["admin"])
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in body and "企业名录" in body


def test_english_switch_translates_the_shell(world, login):
    client = login(world["admin"])
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert resp.status_code == 302
    body = client.get("/").content.decode()
    assert 'lang="en"' in body
    assert '<span class="nav-link-title">Registry</span>' in body and "Log out" in body
    assert '<span class="nav-link-title">企业名录</span>' not in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<span class="nav-link-title">企业名录</span>' in client.get("/").content.decode()


def test_only_the_current_module_is_expanded(world, login):
    from peiyu.web.nav import build_nav

    nav = {item["label"]: item for item in build_nav(world["admin"], "/registry/")}
    assert nav["企业名录"]["active"]
    assert not nav["首页"]["active"]
    assert not any(item["active"] for label, item in nav.items() if label != "企业名录")


def test_nul_bytes_in_parameters_are_a_clean_400(world, login):
    client = login(world["admin"])
    resp = client.get("/registry/", {"q": "a\x00b"})
    assert resp.status_code == 400 and "非法字符" in resp.content.decode()
    api = client.get("/api/v1/tax/months", {"x": "\x00"})
    assert api.status_code == 400 and api.json()["detail"].startswith("请求参数")


def test_not_found_page_is_chinese(world, login):
    client = login(world["admin"])
    resp = client.get("/no-such-page/")
    assert resp.status_code == 404 and "页面不存在" in resp.content.decode()
