"""Requests and listing-plan steps on the tracked-work mechanism (:mod:`peiyu.work`).

A request (kind ``services.request``)::

    待受理 ──受理──▶ 已受理 ──办理──▶ 办理中 ──答复──▶ 已答复 ──办结──▶ 已办结
      └──退回（理由）       └──答复──────────────▲        ▲ 企业不满意：重新办理（系统）

Every stage's deadline counts working days from the request's receipt (``since="opened"``): accept
within 1, first reply within 3, resolve within 15 (per category, and shorter in the green channel —
the item's ``stage_days`` carry the numbers of its category). A complex case is extended once, to
30 working days, with a reason (a fixed due on the item). A dissatisfied reply from the enterprise
moves the item back to 办理中 (a system move, not offered to users).
"""

from __future__ import annotations

from typing import Any

from peiyu.work.flows import Flow, Stage, register


def _request_of(item: Any) -> Any:
    from peiyu.services.models import Request

    return Request.objects.filter(item=item).select_related("enterprise").first()


def _may_act(user: Any, item: Any, to_status: str | None) -> bool:
    from peiyu.accounts import scope

    if item.kind == REQUEST.kind:
        req = _request_of(item)
        return req is not None and scope.can(user, req, scope.CHANGE)
    from peiyu.services.models import ListingSheet

    sheet = ListingSheet.objects.filter(pk=item.source_id).first()
    return sheet is not None and scope.can(user, sheet, scope.CHANGE)


def _request_url(item: Any) -> str:
    from django.urls import reverse

    req = _request_of(item)
    return reverse("services:request_detail", args=[req.pk]) if req else ""


def _listing_url(item: Any) -> str:
    from django.urls import reverse

    return reverse("services:listingsheet_detail", args=[item.source_id])


REQUEST = register(
    Flow(
        kind="services.request",
        label="企业诉求",
        source_model="services.Request",
        stages=(
            Stage("received", "待受理", days=1),
            Stage("accepted", "已受理", days=3),
            Stage("handling", "办理中", days=15),
            Stage("replied", "已答复", days=15),
            Stage("closed", "已办结", closed=True),
            Stage("returned", "退回", closed=True),
        ),
        transitions={
            "received": ("accepted", "returned"),
            "accepted": ("handling", "replied", "returned"),
            "handling": ("replied",),
            "replied": ("closed",),
        },
        verbs={
            "accepted": "受理",
            "handling": "办理",
            "replied": "答复",
            "closed": "办结",
            "returned": "退回",
        },
        reason_required=("returned",),
        claim_on=("accepted",),
        may_act=_may_act,
        item_url=_request_url,
    )
)

LISTING = register(
    Flow(
        kind="services.listing",
        label="上市培育计划（一企一策）",
        source_model="services.ListingSheet",
        stages=(
            Stage("todo", "待完成"),
            Stage("done", "已完成", closed=True),
            Stage("dropped", "已取消", closed=True),
        ),
        transitions={"todo": ("done", "dropped")},
        verbs={"done": "完成", "dropped": "取消"},
        reason_required=("dropped",),
        may_act=_may_act,
        item_url=_listing_url,
    )
)


def _may_act_followup(user: Any, item: Any, to_status: str | None) -> bool:
    from peiyu.accounts import scope
    from peiyu.services.models import ServiceEvent

    ev = ServiceEvent.objects.filter(pk=item.source_id).first()
    return ev is not None and (
        item.owner_id == getattr(user, "pk", None) or scope.can(user, ev, scope.CHANGE)
    )


def _followup_url(item: Any) -> str:
    from django.urls import reverse

    return reverse("services:serviceevent_detail", args=[item.source_id])


FOLLOWUP = register(
    Flow(
        kind="services.followup",
        label="活动跟进事项",
        source_model="services.ServiceEvent",
        stages=(
            Stage("todo", "待跟进"),
            Stage("done", "已完成", closed=True),
            Stage("dropped", "已取消", closed=True),
        ),
        transitions={"todo": ("done", "dropped")},
        verbs={"done": "完成", "dropped": "取消"},
        reason_required=("dropped",),
        may_act=_may_act_followup,
        item_url=_followup_url,
    )
)
