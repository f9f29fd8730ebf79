"""The policy system in the JSON API: the catalogue, the ledger of awards and the yearly evaluation,
all within the caller's scope (money in integer fen)."""

from __future__ import annotations

from typing import Any

from ninja import Router
from ninja.errors import HttpError

from peiyu.accounts import audit
from peiyu.policies import audit_actions as A
from peiyu.policies import evaluate, queries
from peiyu.policies.tables import AWARDS

PREFIX = "policies/"
router = Router(tags=["产业政策"])


def _user(request: Any) -> Any:
    return getattr(request, "auth", None) or request.user


@router.get("", summary="政策目录（含条款）")
def list_policies(request: Any) -> dict[str, Any]:
    user = _user(request)
    qs = queries.policies(user).prefetch_related("clauses")
    totals = queries.policy_totals(user, qs)
    return {
        "policies": [
            {
                "id": p.pk,
                "name": p.name,
                "doc_number": p.doc_number,
                "kind": p.kind,
                "department": p.department.name if p.department is not None else None,
                "round": p.round,
                "valid_from": p.valid_from,
                "valid_to": p.valid_to,
                "paid_fen": totals.get(p.pk, {}).get("paid_fen", 0),
                "recipients": totals.get(p.pk, {}).get("recipients", 0),
                "clauses": [
                    {
                        "id": c.pk,
                        "title": c.title,
                        "support_type": c.support_type,
                        "auto": c.auto,
                        "conditions": c.conditions,
                        "commitment_years": c.commitment_years,
                    }
                    for c in p.clauses.all()
                ],
            }
            for p in qs
        ]
    }


@router.get("awards", summary="政策兑现台账（数据范围内）")
def list_awards(request: Any, year: int | None = None, limit: int = 500) -> dict[str, Any]:
    user = _user(request)
    qs = queries.awards(user)
    if year is not None:
        qs = qs.filter(year=year)
    rows = queries.award_rows(qs[: max(1, min(limit, 5000))])
    audit.record(
        user, A.AWARDS_API, object_type="view", object_repr="接口读取政策兑现", detail={"year": year}
    )
    return {"count": qs.count(), "awards": AWARDS.api_rows(rows)}


@router.get("evaluation", summary="政策绩效评估（兑现年度前后一年区级税收对比）")
def evaluation(request: Any, year: int) -> dict[str, Any]:
    if not 2000 <= year <= 2100:
        raise HttpError(400, "年度应为四位数字")
    user = _user(request)
    audit.record(
        user,
        A.EVALUATION_VIEW,
        object_type="view",
        object_repr=f"{year} 年政策绩效评估（接口）",
        detail={"year": year},
    )
    return evaluate.evaluate(user, year).as_dict()
