"""The scope module: roles, scopes that add up, 404 outside, the DuckDB predicate."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from django.http import Http404

from peiyu.accounts import scope
from peiyu.accounts.models import Department, Role, User
from peiyu.registry.models import Enterprise, EnterpriseEvent
from peiyu.testing.factories import UserFactory


def names(user) -> set[str]:
    return set(scope.enterprises(User.objects.get(pk=user.pk)).values_list("name", flat=True))


def keys(world, user) -> set[str]:
    by_name = {e.name: k for k, e in world["enterprises"].items()}
    return {by_name[n] for n in names(user)}


@pytest.mark.parametrize("persona", ["admin", "industry_officer", "area_officer", "outsider"])
def test_personas_see_exactly_their_enterprises(world, persona):
    assert keys(world, world[persona]) == world["visible"][persona]


def test_roles(world):
    leader = UserFactory(username="leader1", role=Role.LEADER)
    assert scope.scope_for(leader).everything and len(names(leader)) == 5
    assert scope.describe(leader) == "全区（只读）" and scope.can_see_unmatched(leader)
    admin_role = UserFactory(username="admin2", role=Role.ADMIN)
    assert scope.scope_for(admin_role).everything
    for persona in ("industry_officer", "area_officer", "outsider"):
        assert not scope.can_see_unmatched(world[persona])


def test_scopes_add_up(world):
    user = UserFactory(username="both", role=Role.TASKFORCE)
    user.key_industries.set([world["industries"]["health"]])
    user.areas.set([world["areas"]["a1"]])
    assert keys(world, user) == {"health_a1", "health_a2", "soft_a1"}
    world["enterprises"]["other_a2"].liaison = user
    world["enterprises"]["other_a2"].save()
    assert keys(world, user) == {"health_a1", "health_a2", "soft_a1", "other_a2"}
    text = scope.describe(User.objects.get(pk=user.pk))
    assert "生命健康" in text and "长寿路街道" in text and "联系企业 1 家" in text


def test_department_scope_is_its_industries(world):
    dept = Department.objects.create(name="区卫健委")
    dept.key_industries.set([world["industries"]["health"]])
    user = UserFactory(username="wjw", role=Role.DEPARTMENT)
    user.departments.set([dept])
    assert keys(world, user) == {"health_a1", "health_a2"}


def test_service_staff_see_their_assigned_enterprises(world):
    user = UserFactory(username="xiaoer", role=Role.SERVICE)
    assert names(user) == set()
    ent = world["enterprises"]["soft_a1"]
    ent.liaison = user
    ent.save()
    assert keys(world, user) == {"soft_a1"}


def test_inactive_and_anonymous_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    user = world["industry_officer"]
    user.is_active = False
    user.save()
    assert scope.scope_for(user).is_empty and names(user) == set()
    assert scope.scope_for(AnonymousUser()).is_empty and scope.scope_for(None).is_empty


def test_outside_the_scope_is_404_like_missing(world):
    officer = world["area_officer"]
    inside = world["enterprises"]["soft_a2"]
    outside = world["enterprises"]["soft_a1"]
    assert scope.get_enterprise_or_404(officer, inside.credit_code) == inside
    for code in (outside.credit_code, "91310107MA0000000X"):
        with pytest.raises(Http404) as exc:
            scope.get_enterprise_or_404(officer, code)
        assert str(exc.value) == "企业不存在"
    assert scope.can_see_enterprise(officer, inside) and not scope.can_see_enterprise(officer, outside)


def test_restrict_rows_hanging_off_an_enterprise(world):
    for ent in world["enterprises"].values():
        EnterpriseEvent.objects.create(enterprise=ent, date=dt.date(2025, 1, 1), kind="status", after="存续")
    qs = EnterpriseEvent.objects.all()
    for persona in ("admin", "industry_officer", "area_officer", "outsider"):
        got = set(scope.restrict(world[persona], qs).values_list("enterprise__name", flat=True))
        want = {world["enterprises"][k].name for k in world["visible"][persona]}
        assert got == want, persona


def test_sql_predicate_filters_duckdb_queries(world):
    con = duckdb.connect()
    con.execute("CREATE TABLE f (industry_id BIGINT, area_id BIGINT, enterprise_id BIGINT, fen BIGINT)")
    rows = []
    for ent in Enterprise.objects.all():
        rows.append((ent.key_industry_id, ent.area_id, ent.pk, 100))
    rows.append((None, None, None, 7))  # an unmatched taxpayer
    con.executemany("INSERT INTO f VALUES (?, ?, ?, ?)", rows)
    for persona in ("admin", "industry_officer", "area_officer", "outsider"):
        s = scope.scope_for(world[persona])
        where, params = scope.sql_predicate(s, "industry_id", "area_id", "enterprise_id")
        got = {r[0] for r in con.execute(f"SELECT enterprise_id FROM f WHERE {where}", params).fetchall()}
        want = {world["enterprises"][k].pk for k in world["visible"][persona]}
        if persona == "admin":
            want.add(None)
        assert got == want, persona
    assert scope.sql_predicate(scope.NOTHING, "a", "b", "c") == ("FALSE", [])


def test_scope_key_is_stable(world):
    a = scope.scope_for(world["area_officer"])
    b = scope.scope_for(User.objects.get(pk=world["area_officer"].pk))
    assert a.key() == b.key() != scope.scope_for(world["industry_officer"]).key()
    assert scope.EVERYTHING.key() == "all"
