"""Demo accounts: the administrator and one persona per role (all with the same demo password)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from peiyu.demo import DEMO_ADMIN

ORDER = 10  # the demo steps run by ORDER (peiyu.demo.run)


def generate(ctx: Any) -> None:
    from peiyu.accounts.models import Role, User

    username, password = DEMO_ADMIN
    admin, created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": "系统管理员（区发改委）",
            "role": Role.ADMIN,
            "is_superuser": True,
            "is_staff": True,
        },
    )
    if created:
        admin.set_password(password)
        admin.password_changed_at = timezone.now()
        admin.save()
    ctx.data["admin"] = admin
    ctx.summary["login"] = {"username": username, "password": password}


def personas(ctx: Any) -> None:
    """Scoped demo users, created after the registry exists (called by the registry step)."""
    from peiyu.accounts.models import Department, Role, User
    from peiyu.registry.models import Area, KeyIndustry

    username, password = DEMO_ADMIN
    industries = list(KeyIndustry.objects.order_by("order"))
    areas = list(Area.objects.order_by("order"))
    specs: list[tuple[str, str, str, list[Any], list[Any]]] = [
        ("leader", "区领导", Role.LEADER, [], []),
        ("software", "智能软件专班", Role.TASKFORCE, industries[:1], []),
        ("taopu", "桃浦镇经济办", Role.AREA, [], [a for a in areas if a.name == "桃浦镇"]),
        ("kewei", "区科委", Role.DEPARTMENT, [], []),
        ("service", "企业服务专员", Role.SERVICE, [], []),
    ]
    for uname, display, role, inds, ars in specs:
        user, created = User.objects.get_or_create(
            username=uname, defaults={"display_name": display, "role": role}
        )
        if created:
            user.set_password(password)
            user.password_changed_at = timezone.now()
            user.save()
        user.key_industries.set(inds)
        user.areas.set(ars)
        if uname == "kewei":
            dept, _ = Department.objects.get_or_create(name="区科委", defaults={"short_name": "科委"})
            dept.key_industries.set([i for i in industries if i.slug in ("software", "rnd", "health")])
            user.departments.set([dept])
        ctx.data[f"user_{uname}"] = user
    for name, short, slugs in (
        ("区发改委", "发改委", []),
        ("区金融办", "金融办", ["fintech"]),
        ("区商务委", "商务委", []),
        ("区投促办", "投促办", []),
        ("区卫健委", "卫健委", ["health"]),
    ):
        dept, _ = Department.objects.get_or_create(name=name, defaults={"short_name": short})
        if slugs:
            dept.key_industries.set([i for i in industries if i.slug in slugs])
