"""Factories and personas shared by every app's tests (factories over fixtures)."""

from __future__ import annotations

import itertools
from typing import Any, cast

import factory

from peiyu.accounts.models import Role, User
from peiyu.registry.models import Area, Enterprise, IndustryDefinition, KeyIndustry
from peiyu.registry.uscc import make_code

PASSWORD = "Test-Pass-2026"  # noqa: S105 (test persona password)
_serial = itertools.count(1)


def new_credit_code(area: str = "310107") -> str:
    """A fresh valid credit code registered in ``area`` (market regulation, enterprise)."""
    n = next(_serial)
    return make_code(f"91{area}", f"MA{n:06d}")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("name",)

    code = factory.Sequence(lambda n: f"310107{900 + n:03d}000")
    name = factory.Sequence(lambda n: f"测试街道{n}")
    kind = Area.Kind.SUBDISTRICT


class KeyIndustryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyIndustry
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试产业{n}")
    slug = factory.Sequence(lambda n: f"ind{n}")
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def prefixes(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            import datetime as dt

            industry = cast(KeyIndustry, self)  # post_generation hooks get the built object as self
            IndustryDefinition.objects.create(
                industry=industry, valid_from=dt.date(2020, 1, 1), prefixes=list(extracted)
            )


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    credit_code = factory.LazyFunction(new_credit_code)
    name = factory.Sequence(lambda n: f"上海测试企业{n:05d}有限公司")
    industry_code = "6511"
    area = factory.SubFactory(AreaFactory)
    status = "存续"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: o.username)
    role = Role.AREA
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: Any, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


def make_world() -> dict[str, Any]:
    """A small district with two industries, two areas, an enterprise in each cell, and the named
    personas of the test suite: admin, leader (read-only, sees everything), industry officer
    (智能软件专班), area officer (桃浦镇), department (区科委, responsible for 生命健康), service
    officer (liaison of one firm) and outsider (no scope at all)."""
    # (mypy takes ``SomeFactory(...)`` for a factory instance, factory_boy's metaclass __call__ being
    # untyped: cast where the model instance it returns is used as one)
    soft = cast(KeyIndustry, KeyIndustryFactory(name="智能软件", slug="software", prefixes=["64", "65"]))
    health = cast(KeyIndustry, KeyIndustryFactory(name="生命健康", slug="health", prefixes=["27", "84"]))
    a1 = AreaFactory(name="长寿路街道", code="310107015000")
    a2 = cast(Area, AreaFactory(name="桃浦镇", code="310107103000", kind=Area.Kind.TOWN))
    ents = {
        "soft_a1": EnterpriseFactory(
            name="上海长寿软件有限公司", industry_code="6511", area=a1, key_industry=soft
        ),
        "soft_a2": EnterpriseFactory(
            name="上海桃浦软件有限公司", industry_code="6520", area=a2, key_industry=soft
        ),
        "health_a1": EnterpriseFactory(
            name="上海长寿医药有限公司", industry_code="2710", area=a1, key_industry=health
        ),
        "health_a2": EnterpriseFactory(
            name="上海桃浦医院管理有限公司", industry_code="8411", area=a2, key_industry=health
        ),
        "other_a2": EnterpriseFactory(
            name="上海桃浦贸易有限公司", industry_code="5137", area=a2, key_industry=None
        ),
    }
    admin = UserFactory(username="admin_p", role=Role.ADMIN, is_superuser=True, is_staff=True)
    industry_officer = cast(User, UserFactory(username="software_p", role=Role.TASKFORCE))
    industry_officer.key_industries.set([soft])
    area_officer = cast(User, UserFactory(username="taopu_p", role=Role.AREA))
    area_officer.areas.set([a2])
    outsider = UserFactory(username="outsider_p", role=Role.AREA)
    leader = UserFactory(username="leader_p", role=Role.LEADER, display_name="区领导")
    from peiyu.accounts.models import Department

    kewei, _ = Department.objects.get_or_create(name="区科委", defaults={"short_name": "科委"})
    kewei.key_industries.add(health)
    department = cast(User, UserFactory(username="kewei_p", role=Role.DEPARTMENT))
    department.departments.set([kewei])
    service = cast(User, UserFactory(username="service_p", role=Role.SERVICE, display_name="金牌店小二"))
    liaised = cast(Enterprise, ents["health_a1"])
    liaised.liaison = service
    liaised.save(update_fields=["liaison"])
    return {
        "industries": {"soft": soft, "health": health},
        "areas": {"a1": a1, "a2": a2},
        "enterprises": ents,
        "admin": admin,
        "industry_officer": industry_officer,
        "area_officer": area_officer,
        "outsider": outsider,
        "leader": leader,
        "department": department,
        "service_officer": service,
        "departments": {"kewei": kewei},
        # which enterprises each persona may see
        "visible": {
            "admin": set(ents),
            "leader": set(ents),
            "industry_officer": {"soft_a1", "soft_a2"},
            "area_officer": {"soft_a2", "health_a2", "other_a2"},
            "department": {"health_a1", "health_a2"},
            "service_officer": {"health_a1"},
            "outsider": set(),
        },
        # which enterprises each persona may act on (a leader reads everything and changes nothing)
        "changeable": {
            "admin": set(ents),
            "leader": set(),
            "industry_officer": {"soft_a1", "soft_a2"},
            "area_officer": {"soft_a2", "health_a2", "other_a2"},
            "department": {"health_a1", "health_a2"},
            "service_officer": {"health_a1"},
            "outsider": set(),
        },
    }
