"""What apps contribute to analytics: scoped **relations** and named **queries**.

Each installed app may have an ``analytics`` module (``peiyu/<app>/analytics.py``); it is imported
once, the first time a registry is read (:func:`autodiscover`, Django's ``autodiscover_modules``),
and registers its relations and queries with the decorators below.

Relations are the only tables a query may name (``{em}`` in the SQL). Each declares how to build
its rows from the current state (a function of the runner's :class:`~peiyu.analytics.runner.Context`
returning a SELECT over ``ctx.engine.parquet(...)`` sources) and which of its columns carry the key
industry, the area and the enterprise, so the runner can wrap it in the caller's scope predicate
(:func:`peiyu.accounts.scope.sql_predicate`). A relation without an enterprise column (a rollup by
industry × area) cannot be cut to a list of enterprises; it names a ``fine`` template instead — the
same rows aggregated from finer relations — used for scopes that name enterprises (liaison staff).

Queries are the functions that run SQL through a runner (``industry_stats(who, month)``). They are
registered by name with sample parameters, so that every analytics query can be enumerated and
run: the Spark agreement test runs each for every persona on both engines.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from peiyu.analytics.runner import Context

F = TypeVar("F", bound=Callable[..., Any])

MODULE = "analytics"  # the conventional module name apps register from


@dataclass(frozen=True)
class Relation:
    """A scoped relation: ``{name}`` in analytics SQL."""

    name: str
    build: Callable[[Context], str]  # the SELECT of the unscoped rows (never shown to a query)
    industry: str | None = "key_industry_id"  # column names the scope predicate filters on
    area: str | None = "area_id"
    enterprise: str | None = "enterprise_id"
    fine: str | None = None  # template over other relations for scopes the columns cannot express
    doc: str = ""
    module: str = ""

    def columns_for(self, *, industry: bool, area: bool, enterprise: bool) -> bool:
        """Can this relation's own columns express a scope that restricts by these dimensions?"""
        return not (
            (industry and self.industry is None)
            or (area and self.area is None)
            or (enterprise and self.enterprise is None)
        )


def _no_samples() -> list[dict[str, Any]]:
    return []


@dataclass(frozen=True)
class Query:
    """A registered analytics query: ``func(who, **params)`` (``who`` is a user or a Scope)."""

    name: str
    func: Callable[..., Any]
    samples: Callable[[], Iterable[Mapping[str, Any]]] = field(default=_no_samples)
    doc: str = ""

    def __call__(self, who: Any, **params: Any) -> Any:
        return self.func(who, **params)

    def sample_params(self) -> list[dict[str, Any]]:
        """Parameter sets that exercise the query on the current library (computed now: the latest
        month, an industry and an area that exist…)."""
        return [dict(p) for p in self.samples()]


_relations: dict[str, Relation] = {}
_queries: dict[str, Query] = {}
_discovered = False
_discover_lock = threading.RLock()


class RegistryError(RuntimeError):
    pass


def _same(a: Callable[..., Any], b: Callable[..., Any]) -> bool:
    return (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)


def register_relation(rel: Relation) -> Relation:
    old = _relations.get(rel.name)
    if old is not None and not _same(old.build, rel.build):
        raise RegistryError(f"relation {{{rel.name}}} is registered twice ({old.module} and {rel.module})")
    _relations[rel.name] = rel
    return rel


def relation(
    name: str,
    *,
    industry: str | None = "key_industry_id",
    area: str | None = "area_id",
    enterprise: str | None = "enterprise_id",
    fine: str | None = None,
) -> Callable[[Callable[[Context], str]], Callable[[Context], str]]:
    """Register the decorated builder ``build(ctx) -> SELECT`` as the relation ``{name}``."""

    def decorate(build: Callable[[Context], str]) -> Callable[[Context], str]:
        register_relation(
            Relation(
                name, build, industry, area, enterprise, fine, (build.__doc__ or "").strip(), build.__module__
            )
        )
        return build

    return decorate


def register_query(q: Query) -> Query:
    old = _queries.get(q.name)
    if old is not None and not _same(old.func, q.func):
        raise RegistryError(f"analytics query {q.name} is registered twice")
    _queries[q.name] = q
    return q


def query(name: str, *, samples: Callable[[], Iterable[Mapping[str, Any]]] | None = None) -> Callable[[F], F]:
    """Register the decorated function ``func(who, **params)`` as the analytics query ``name``
    (``app.what``, e.g. ``taxes.industry_stats``); ``samples()`` returns parameter sets for it.
    The function itself is returned unchanged."""

    def decorate(func: F) -> F:
        register_query(Query(name, func, samples or _no_samples, (func.__doc__ or "").strip()))
        return func

    return decorate


def autodiscover() -> None:
    """Import ``<app>.analytics`` of every installed app (once per process)."""
    global _discovered
    if _discovered:
        return
    with _discover_lock:
        if _discovered:
            return
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules(MODULE)
        _discovered = True


def relations() -> dict[str, Relation]:
    autodiscover()
    return dict(_relations)


def get_relation(name: str) -> Relation:
    rel = _relations.get(name)
    if rel is None:
        autodiscover()
        rel = _relations.get(name)
    if rel is None:
        raise RegistryError(f"unknown relation {{{name}}} (registered: {', '.join(sorted(_relations))})")
    return rel


def queries() -> dict[str, Query]:
    """Every registered analytics query by name (sorted)."""
    autodiscover()
    return dict(sorted(_queries.items()))


def get_query(name: str) -> Query:
    autodiscover()
    return _queries[name]


def registered_functions() -> set[tuple[str, str]]:
    """``(module, qualname)`` of every registered query function (for the completeness test)."""
    autodiscover()
    return {(q.func.__module__, q.func.__qualname__) for q in _queries.values()}
