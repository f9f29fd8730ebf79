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
