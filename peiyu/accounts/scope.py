"""The one place that decides who may see which enterprises.

Every queryset, analytics query, export, API endpoint, chart, search box and autocomplete that
touches enterprise-level data asks this module. A user's scopes add up: the key industries they
(or their departments) are responsible for, their areas, and the enterprises assigned to them as
liaison officer. Administrators and district leaders see everything.

For the tax library the same rule is expressed as a SQL predicate (:func:`sql_predicate`) that the
analytics runner injects into every DuckDB query, so no aggregate can skip it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import Http404

from peiyu.accounts.models import Role

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from peiyu.registry.models import Enterprise


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    industry_ids: frozenset[int] = field(default_factory=frozenset)
    area_ids: frozenset[int] = field(default_factory=frozenset)
    enterprise_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.industry_ids or self.area_ids or self.enterprise_ids)

    def key(self) -> str:
        """A stable string for caching results per scope."""
        if self.everything:
            return "all"
        return "i{}|a{}|e{}".format(
            ",".join(map(str, sorted(self.industry_ids))),
            ",".join(map(str, sorted(self.area_ids))),
            ",".join(map(str, sorted(self.enterprise_ids))),
        )


EVERYTHING = Scope(everything=True)
NOTHING = Scope()


def scope_for(user: Any) -> Scope:
    """The scope of a user (anonymous and inactive users see nothing)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    cached = getattr(user, "_peiyu_scope", None)
    if cached is not None:
        return cached
    from peiyu.registry.models import Enterprise

    if user.is_superuser or user.role in (Role.ADMIN, Role.LEADER):
        scope = EVERYTHING
    else:
        industries = set(user.key_industries.values_list("id", flat=True))
        industries |= set(user.departments.values_list("key_industries__id", flat=True))
        industries.discard(None)
        areas = set(user.areas.values_list("id", flat=True))
        assigned = set(Enterprise.objects.filter(liaison=user).values_list("id", flat=True))
        scope = Scope(False, frozenset(industries), frozenset(areas), frozenset(assigned))
    user._peiyu_scope = scope
    return scope


def describe(user: Any) -> str:
    """A short Chinese description of the user's scope for the top bar."""
    scope = scope_for(user)
    if scope.everything:
        return "全区"
    parts: list[str] = []
    if scope.industry_ids:
        from peiyu.registry.models import KeyIndustry

        parts.append(
            "、".join(KeyIndustry.objects.filter(id__in=scope.industry_ids).values_list("name", flat=True))
        )
    if scope.area_ids:
        from peiyu.registry.models import Area

        parts.append("、".join(Area.objects.filter(id__in=scope.area_ids).values_list("name", flat=True)))
    if scope.enterprise_ids:
        parts.append(f"联系企业 {len(scope.enterprise_ids)} 家")
    return "；".join(parts) or "无数据范围"


def enterprises(user: Any, qs: QuerySet[Enterprise] | None = None) -> QuerySet[Enterprise]:
    """Restrict an enterprise queryset to the user's scope."""
    from django.db.models import Q

    from peiyu.registry.models import Enterprise

    if qs is None:
        qs = Enterprise.objects.all()
    scope = scope_for(user)
    if scope.everything:
        return qs
    if scope.is_empty:
        return qs.none()
    cond = Q(pk__in=[])
    if scope.industry_ids:
        cond |= Q(key_industry_id__in=scope.industry_ids)
    if scope.area_ids:
        cond |= Q(area_id__in=scope.area_ids)
    if scope.enterprise_ids:
        cond |= Q(pk__in=scope.enterprise_ids)
    return qs.filter(cond)


def restrict(user: Any, qs: QuerySet, enterprise_field: str = "enterprise") -> QuerySet:
    """Restrict any queryset whose rows hang off an enterprise (``enterprise_field`` names the FK)."""
    scope = scope_for(user)
    if scope.everything:
        return qs
    if scope.is_empty:
        return qs.none()
    from django.db.models import Q

    cond = Q(pk__in=[])
    if scope.industry_ids:
        cond |= Q(**{f"{enterprise_field}__key_industry_id__in": scope.industry_ids})
    if scope.area_ids:
        cond |= Q(**{f"{enterprise_field}__area_id__in": scope.area_ids})
    if scope.enterprise_ids:
        cond |= Q(**{f"{enterprise_field}_id__in": scope.enterprise_ids})
    return qs.filter(cond)


def can_see_enterprise(user: Any, enterprise: Enterprise) -> bool:
    scope = scope_for(user)
    if scope.everything:
        return True
    return (
        (enterprise.key_industry_id is not None and enterprise.key_industry_id in scope.industry_ids)
        or (enterprise.area_id is not None and enterprise.area_id in scope.area_ids)
        or enterprise.pk in scope.enterprise_ids
    )


def get_enterprise_or_404(user: Any, credit_code: str) -> Enterprise:
    """The enterprise with this credit code, or 404 (also when it exists but lies outside the scope)."""
    obj = enterprises(user).filter(credit_code=credit_code).select_related("area", "key_industry").first()
    if obj is None:
        raise Http404("企业不存在")
    return obj


def can_see_unmatched(user: Any) -> bool:
    """Tax paid by taxpayers not (yet) matched to a registry enterprise: district-wide scopes only."""
    return scope_for(user).everything


def sql_predicate(
    scope: Scope, industry_col: str, area_col: str, enterprise_col: str
) -> tuple[str, list[Any]]:
    """The scope as a SQL predicate with ``?`` parameters, for DuckDB queries over the tax library.

    Column arguments are trusted identifiers chosen by the analytics module, never user input.
    """
    if scope.everything:
        return "TRUE", []
    parts: list[str] = []
    params: list[Any] = []
    for col, ids in (
        (industry_col, scope.industry_ids),
        (area_col, scope.area_ids),
        (enterprise_col, scope.enterprise_ids),
    ):
        if ids:
            parts.append(f"{col} IN ({', '.join('?' for _ in ids)})")
            params.extend(sorted(ids))
    if not parts:
        return "FALSE", []
    return "(" + " OR ".join(parts) + ")", params


def can_open_industry_page(user: Any, industry_id: int) -> bool:
    """May the user open a key industry's drill-down page? Its figures are always scoped; a user
    scoped by industries alone sees only their own industries' pages, while area and liaison scopes
    see every industry's page restricted to their enterprises."""
    s = scope_for(user)
    return s.everything or industry_id in s.industry_ids or bool(s.area_ids or s.enterprise_ids)


def can_open_area_page(user: Any, area_id: int) -> bool:
    """The same rule for a sub-district/town page: area-only users see only their own areas."""
    s = scope_for(user)
    return s.everything or area_id in s.area_ids or bool(s.industry_ids or s.enterprise_ids)
