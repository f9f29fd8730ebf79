"""The one place that decides who may see what, and who may change what.

Every queryset, analytics query, export, API endpoint, chart, search box and autocomplete that
touches enterprise-level data asks this module. A user's scopes add up: the key industries they
(or their departments) are responsible for, their areas, the enterprises assigned to them as
liaison officer, their departments, and what they own personally.

**Seeing and acting are separate** (``action=VIEW`` or ``action=CHANGE``): administrators see and
change everything; district leaders (区领导) see everything and change only what they own
personally (an item assigned to them by name); every other user acts on what they see — an area
officer on what is in their area (and the firms assigned to them), a task force on its industries.

A model declares once what it hangs off (:class:`Anchors`: an enterprise, a key industry, an area,
a department, an owner, or an app's own rule) and :func:`restrict` does the rest, for any app.
Out of scope is a 404 (:func:`get_object_or_404`), recorded as a denied attempt in the audit log.

For the tax library the same rule is expressed as a SQL predicate (:func:`sql_predicate`) that the
analytics runner injects into every query, so no aggregate can skip it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Q
from django.http import Http404

from peiyu.accounts.models import Role

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from peiyu.registry.models import Enterprise


VIEW = "view"
CHANGE = "change"
ACTIONS = (VIEW, CHANGE)


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    industry_ids: frozenset[int] = field(default_factory=frozenset)
    area_ids: frozenset[int] = field(default_factory=frozenset)
    enterprise_ids: frozenset[int] = field(default_factory=frozenset)
    department_ids: frozenset[int] = field(default_factory=frozenset)
    #: the user the scope belongs to (objects they own personally); None for system scopes
    user_id: int | None = None

    @property
    def is_empty(self) -> bool:
        """No enterprise-level data at all (personal and department objects may still be in scope)."""
        return not (self.everything or self.industry_ids or self.area_ids or self.enterprise_ids)

    @property
    def is_limited(self) -> bool:
        """Figures are limited to part of the district (labels say 占本范围, not 占全区)."""
        return not self.everything

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


def _active(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and bool(user.is_active)


def is_admin(user: Any) -> bool:
    return _active(user) and bool(user.is_superuser or user.role == Role.ADMIN)


def is_leader(user: Any) -> bool:
    return _active(user) and not is_admin(user) and user.role == Role.LEADER


def scope_for(user: Any, action: str = VIEW) -> Scope:
    """The scope of a user for seeing (``VIEW``) or acting (``CHANGE``); anonymous and inactive
    users have none."""
    if action not in ACTIONS:
        raise ValueError(f"unknown scope action {action!r}")
    if not _active(user):
        return NOTHING
    cache = getattr(user, "_peiyu_scopes", None)
    if cache is None:
        cache = user._peiyu_scopes = {}
    if action in cache:
        return cache[action]
    from peiyu.core import datacache

    # the grants are rows: reused across requests until any row changes (datacache generation)
    scope = datacache.cached(f"scope:{action}", user, lambda: _compute_scope(user, action))
    cache[action] = scope
    return scope


def _compute_scope(user: Any, action: str) -> Scope:
    from peiyu.registry.models import Enterprise

    if is_admin(user):
        scope = Scope(everything=True, user_id=user.pk)
    elif is_leader(user):
        # 区领导 read everything and change only what is theirs by name
        scope = Scope(everything=True, user_id=user.pk) if action == VIEW else Scope(user_id=user.pk)
    else:
        industries = set(user.key_industries.values_list("id", flat=True))
        industries |= set(user.departments.values_list("key_industries__id", flat=True))
        industries.discard(None)
        areas = set(user.areas.values_list("id", flat=True))
        assigned = set(Enterprise.objects.filter(liaison=user).values_list("id", flat=True))
        departments = set(user.departments.values_list("id", flat=True))
        scope = Scope(
            False,
            frozenset(industries),
            frozenset(areas),
            frozenset(assigned),
            frozenset(departments),
            user.pk,
        )
    return scope


def forget(user: Any) -> None:
    """Drop the scopes cached on a user object (after its scope changed)."""
    if hasattr(user, "_peiyu_scopes"):
        del user._peiyu_scopes


def describe(user: Any) -> str:
    """A short Chinese description of the user's scope for the top bar."""
    scope = scope_for(user)
    if scope.everything:
        return "全区（只读）" if is_leader(user) else "全区"
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


# ---------------------------------------------------------------------------------------------
# Anchors: what an object hangs off, declared once on its model


@dataclass(frozen=True)
class Anchors:
    """How a model's rows fall into a scope, declared once on the model as ``SCOPE = Anchors(...)``.

    Each argument is a path (Django lookup syntax) from the model to what the row hangs off; a row
    is in scope when ANY anchor puts it there:

    - ``enterprise``: an Enterprise FK — in scope when the enterprise is (industry, area, liaison);
    - ``industry``: a KeyIndustry FK; ``area``: an Area FK; ``department``: a Department FK;
    - ``owner``: a User FK — the person it belongs to always has it in scope;
    - ``rule``: an app's own rule, ``rule(scope) -> Q`` (e.g. the members of an attraction team).
      A rule must return ``Q(pk__in=[])`` for scopes it does not recognise.

    ``limit(scope) -> Q`` narrows what a scoped user gets from the anchors (e.g. district-wide tax
    targets stay with district-wide users); it never applies to a district-wide scope.
    ``Anchors(everyone=True)`` marks reference data every signed-in user may see. Paths may cross a
    many-to-many relation (``department="departments"``); the caller adds ``.distinct()``."""

    enterprise: str | None = None
    industry: str | None = None
    area: str | None = None
    department: str | None = None
    owner: str | None = None
    rule: Callable[[Scope], Q] | None = None
    limit: Callable[[Scope], Q] | None = None
    everyone: bool = False

    def q(self, scope: Scope) -> Q:
        cond = Q(pk__in=[])
        if self.everyone:
            return Q()
        if self.enterprise:
            e = self.enterprise
            if scope.industry_ids:
                cond |= Q(**{f"{e}__key_industry__in": scope.industry_ids})
            if scope.area_ids:
                cond |= Q(**{f"{e}__area__in": scope.area_ids})
            if scope.enterprise_ids:
                cond |= Q(**{f"{e}__in": scope.enterprise_ids})
        for path, ids in (
            (self.industry, scope.industry_ids),
            (self.area, scope.area_ids),
            (self.department, scope.department_ids),
        ):
            if path and ids:
                cond |= Q(**{f"{path}__in": ids})
        if self.owner and scope.user_id is not None:
            cond |= Q(**{self.owner: scope.user_id})
        if self.rule is not None:
            cond |= self.rule(scope)
        if self.limit is not None:
            cond &= self.limit(scope)
        return cond


ENTERPRISE = Anchors(enterprise="enterprise")  # the common case: rows hanging off an enterprise


def anchors_of(model: Any) -> Anchors:
    """The anchors a model declares (``SCOPE``); an Enterprise is its own anchor."""
    from peiyu.registry.models import Enterprise

    if model is Enterprise or (isinstance(model, type) and issubclass(model, Enterprise)):
        return _ENTERPRISE_ITSELF
    declared = getattr(model, "SCOPE", None)
    if isinstance(declared, Anchors):
        return declared
    raise TypeError(f"{model.__name__} declares no scope anchors (SCOPE = scope.Anchors(...))")


class _EnterpriseItself(Anchors):
    def q(self, scope: Scope) -> Q:
        cond = Q(pk__in=[])
        if scope.industry_ids:
            cond |= Q(key_industry_id__in=scope.industry_ids)
        if scope.area_ids:
            cond |= Q(area_id__in=scope.area_ids)
        if scope.enterprise_ids:
            cond |= Q(pk__in=scope.enterprise_ids)
        return cond


_ENTERPRISE_ITSELF = _EnterpriseItself()


def restrict(user: Any, qs: QuerySet, action: str = VIEW, *, anchors: Anchors | None = None) -> QuerySet:
    """Restrict any queryset to what the user may see (``VIEW``) or act on (``CHANGE``), using the
    anchors its model declares (or ``anchors`` given here)."""
    scope = user if isinstance(user, Scope) else scope_for(user, action)
    if scope.everything:
        return qs
    anchors = anchors or anchors_of(qs.model)
    if anchors.everyone:
        return qs if (isinstance(user, Scope) or _active(user)) else qs.none()
    return qs.filter(anchors.q(scope))


def enterprises(
    user: Any, qs: QuerySet[Enterprise] | None = None, action: str = VIEW
) -> QuerySet[Enterprise]:
    """Restrict an enterprise queryset to the user's scope."""
    from peiyu.registry.models import Enterprise

    if qs is None:
        qs = Enterprise.objects.all()
    return restrict(user, qs, action)


def can(user: Any, obj: Any, action: str = VIEW) -> bool:
    """May the user see / act on this one object?"""
    if obj is None or obj.pk is None:
        return False
    scope = scope_for(user, action)
    if scope.everything:
        return True
    return restrict(scope, type(obj)._default_manager.filter(pk=obj.pk), action).exists()


def can_see_enterprise(user: Any, enterprise: Enterprise) -> bool:
    scope = scope_for(user)
    if scope.everything:
        return True
    return (
        (enterprise.key_industry_id is not None and enterprise.key_industry_id in scope.industry_ids)
        or (enterprise.area_id is not None and enterprise.area_id in scope.area_ids)
        or enterprise.pk in scope.enterprise_ids
    )


def can_change_enterprise(user: Any, enterprise: Enterprise) -> bool:
    return can(user, enterprise, CHANGE)


def get_object_or_404(
    user: Any, qs: Any, *, action: str = VIEW, request: Any = None, missing: str = "对象不存在", **lookup: Any
) -> Any:
    """The one object ``qs`` (a model or queryset) holds for ``lookup`` inside the user's scope, or
    a 404 — also when it exists outside the scope, which is then recorded as a denied attempt."""
    base = cast(Any, qs)._default_manager.all() if isinstance(qs, type) else qs
    try:
        return restrict(user, base, action).get(**lookup)
    except base.model.DoesNotExist:
        pass
    except (ValueError, TypeError) as exc:  # a malformed key is a missing object
        raise Http404(missing) from exc
    existing = base.filter(**lookup).first()
    if existing is not None:
        denied(request, user, existing, action=action)
        if action == CHANGE and can(user, existing, VIEW):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(read_only_message(user))
    raise Http404(missing)


def get_enterprise_or_404(
    user: Any, credit_code: str, *, action: str = VIEW, request: Any = None
) -> Enterprise:
    """The enterprise with this credit code, or 404 (also when it exists but lies outside the scope)."""
    from peiyu.registry.models import Enterprise

    qs = Enterprise.objects.select_related("area", "key_industry")
    return get_object_or_404(
        user, qs, action=action, request=request, missing="企业不存在", credit_code=credit_code
    )


def read_only_message(user: Any) -> str:
    if is_leader(user):
        return "区领导账户可查看全部数据，但不能修改。"
    return "您可以查看该对象，但不在您的办理范围内。"


def require_change(user: Any, obj: Any, *, request: Any = None) -> None:
    """Refuse (403, audited) an action on an object the user may see but not change; an object the
    user may not even see is a 404."""
    from django.core.exceptions import PermissionDenied

    if can(user, obj, CHANGE):
        return
    denied(request, user, obj, action=CHANGE)
    if can(user, obj, VIEW):
        raise PermissionDenied(read_only_message(user))
    raise Http404("对象不存在")


# ---------------------------------------------------------------------------------------------
# Denied attempts are security events


def denied(
    request: Any, user: Any, obj: Any = None, *, action: str = VIEW, what: str = "", **detail: Any
) -> None:
    """Record a refused attempt (who, what, from where) in the audit log."""
    from peiyu.accounts import audit
    from peiyu.accounts import audit_actions as A

    if request is None:
        request = current_request()
    actor = user if _active(user) else None
    info: dict[str, Any] = {"access": "查看" if action == VIEW else "修改或办理", **detail}
    if request is not None:
        info.setdefault("path", request.get_full_path()[:500])
        info.setdefault("method", request.method)
        request._peiyu_denied_recorded = True
    audit.record(
        actor,
        A.ACCESS_DENIED,
        obj,
        object_type="" if obj is not None else "page",
        object_repr=what,
        detail=info,
        request=request,
        username="" if actor is not None else "anonymous",
    )


_current = threading.local()


def set_current_request(request: Any) -> None:
    _current.request = request


def current_request() -> Any:
    return getattr(_current, "request", None)


# ---------------------------------------------------------------------------------------------
# Permissions (named rules): "admin" here, and each app's own in its ``permissions.py``


def _permission_rules() -> dict[str, Callable[[Any], bool]]:
    from peiyu.core import contrib

    rules: dict[str, Callable[[Any], bool]] = {
        "admin": is_admin,
        "change": lambda u: _active(u) and not is_leader(u),
    }
    for _cfg, extra in contrib.attributes("permissions", "PERMISSIONS"):
        rules.update(extra)
    return rules


def has_permission(user: Any, name: str) -> bool:
    """Does the user hold the named permission? ``admin``: administrators; ``change``: anyone who
    may change data at all (not a read-only leader); others come from the apps' ``permissions.py``
    (``PERMISSIONS = {"app.name": rule(user) -> bool}``). An unknown name is an error."""
    if not _active(user):
        return False
    rules = _permission_rules()
    if name not in rules:
        raise KeyError(f"unknown permission {name!r}")
    return bool(rules[name](user))


def forbidden_response(request: Any, message: str = "此页面仅限系统管理员使用。") -> Any:
    from django.shortcuts import render

    return render(request, "403.html", {"page_title": "无权访问", "message": message}, status=403)


def permission_required(name: str, message: str = "") -> Callable[[Any], Any]:
    """A view decorator: signed in and holding the permission, else a Chinese 403 page (audited)."""

    def decorate(view: Any) -> Any:
        from django.contrib.auth.decorators import login_required

        @login_required
        @functools.wraps(view)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not has_permission(request.user, name):
                denied(request, request.user, what=f"无权访问：{request.path}", permission=name)
                return forbidden_response(request, message or _default_message(name))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _default_message(name: str) -> str:
    if name == "admin":
        return "此页面仅限系统管理员使用。如需开通权限，请联系区发改委系统管理员。"
    return "您没有使用此功能的权限。如需开通，请联系系统管理员。"


admin_required = permission_required("admin")


def share_label(user_or_scope: Any, whole: str = "全区") -> str:
    """What a share is of: "占全区" for district-wide figures, "占本范围" when they are limited to a
    scope (a share of a scoped total must never read as a share of the district)."""
    s = user_or_scope if isinstance(user_or_scope, Scope) else scope_for(user_or_scope)
    return f"占{whole}" if s.everything else "占本范围"


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
