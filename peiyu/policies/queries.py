"""Reads of the policy system, always through the scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from peiyu.accounts import scope
from peiyu.policies.models import Award, AwardStatus, Breach, Clause, Policy


def policies(who: Any) -> QuerySet[Policy]:
    return scope.restrict(who, Policy.objects.all()).distinct().select_related("department", "key_industry")


def clauses(who: Any) -> QuerySet[Clause]:
    return scope.restrict(who, Clause.objects.all()).distinct().select_related("policy")


def awards(who: Any) -> QuerySet[Award]:
    return scope.restrict(who, Award.objects.all()).select_related(
        "clause__policy__department", "enterprise", "item"
    )


def breaches(who: Any) -> QuerySet[Breach]:
    return scope.restrict(who, Breach.objects.all()).select_related(
        "award__clause__policy__department", "award__enterprise", "item"
    )


def policy_totals(who: Any, qs: QuerySet[Policy]) -> dict[int, dict[str, int]]:
    """Per policy: paid money and recipients within the user's enterprise scope."""
    rows = (
        awards(who)
        .filter(status=AwardStatus.PAID, clause__policy__in=qs)
        .values("clause__policy_id")
        .annotate(paid=Sum("amount_fen"), firms=Count("enterprise", distinct=True), n=Count("id"))
    )
    return {
        r["clause__policy_id"]: {"paid_fen": int(r["paid"] or 0), "recipients": r["firms"], "awards": r["n"]}
        for r in rows
    }


def award_rows(qs: QuerySet[Award]) -> list[dict[str, Any]]:
    """Rows for the ledger table (page, Excel, API)."""
    from django.urls import reverse

    out = []
    for a in qs:
        out.append(
            {
                "id": a.pk,
                "url": reverse("policies:award", args=[a.pk]),
                "year": a.year,
                "credit_code": a.enterprise.credit_code,
                "enterprise": a.enterprise.name,
                "policy": a.clause.policy.name,
                "clause": a.clause.title,
                "amount_fen": a.amount_fen,
                "status": a.get_status_display(),
                "origin": a.get_origin_display(),
                "paid_on": a.paid_on,
                "due": a.item.due_at if a.item_id and a.item and a.item.is_open else None,
            }
        )
    return out


def never_reached(who: Any, year: int) -> list[dict[str, Any]]:
    """Firms (within the scope) that the data qualify for at least one 免申即享 clause valid in
    ``year`` but that never received anything from any policy: the "policy never reached them" gap."""
    from peiyu.policies.actions import eligible_rows

    ever = set(Award.objects.filter(status=AwardStatus.PAID).values_list("enterprise_id", flat=True))
    found: dict[int, dict[str, Any]] = {}
    for clause in Clause.objects.filter(auto=True).select_related("policy").order_by("id"):
        if not clause.policy.valid_in(year):
            continue
        for r in eligible_rows(who, clause, year):
            e = r["enterprise"]
            if e.pk in ever:
                continue
            slot = found.setdefault(e.pk, {"enterprise": e, "clauses": [], "amount_fen": 0, "basis": {}})
            slot["clauses"].append(clause.title)
            slot["amount_fen"] += r["amount_fen"]
            slot["basis"].update(r["basis"])
    return sorted(found.values(), key=lambda g: -g["amount_fen"])


def open_award_count(who: Any) -> int:
    return awards(who).filter(item__is_open=True).count()


def department_policies(user: Any) -> QuerySet[Policy]:
    """The policies the user's departments issue."""
    ids = scope.scope_for(user).department_ids
    return Policy.objects.filter(Q(department_id__in=ids)) if ids else Policy.objects.none()
