"""Policy work on the tracked-work mechanism.

``policies.award`` — one award's approval steps (the unit is the issuing department)::

    eligible（待企业确认，免申即享）──企业确认──▶ publicity（公示中）──公示无异议──▶ approved（待拨付）──拨付──▶ paid
    submitted（待审核，依申请）──审核通过、公示──▶ publicity          any open stage ──不予支持/企业放弃（理由）──▶ closed

Deadlines in working days: the firm confirms within 10, an application is reviewed within 15, the
public notice lasts 5 (to be concluded within 7 of its start), and money is paid within 60 working
days of the application or listing (the provincial rule for 免申即享 and 即申即享).

``policies.clawback`` — a broken award condition: verify (10 working days), recover (30), closed as
recovered or waived (with a reason).
"""

from __future__ import annotations

from typing import Any

from peiyu.work.flows import Flow, Stage, register

CONFIRM_DAYS = 10
REVIEW_DAYS = 15
PUBLICITY_DAYS = 5
PAY_DAYS = 60


def _department_member(user: Any, department_id: int | None) -> bool:
    from peiyu.accounts import scope

    if scope.is_admin(user):
        return True
    if scope.is_leader(user) or department_id is None:
        return False
    return department_id in scope.scope_for(user).department_ids


def _award_may_act(user: Any, item: Any, to_status: str | None) -> bool:
    from peiyu.accounts import scope
    from peiyu.policies.models import Award

    award = Award.objects.select_related("clause__policy", "enterprise").filter(item=item).first()
    if award is None or not scope.can(user, award, scope.CHANGE):
        return False
    if to_status == "publicity" and item.status == "eligible":
        return True  # the firm's confirmation, recorded by whoever serves the firm
    return _department_member(user, award.clause.policy.department_id)


def _breach_may_act(user: Any, item: Any, to_status: str | None) -> bool:
    from peiyu.accounts import scope
    from peiyu.policies.models import Breach

    breach = Breach.objects.select_related("award__clause__policy").filter(item=item).first()
    if breach is None or not scope.can(user, breach, scope.CHANGE):
        return False
    return _department_member(user, breach.award.clause.policy.department_id)


def _award_url(item: Any) -> str:
    from django.urls import reverse

    return reverse("policies:award", args=[item.source_id])


def _breach_url(item: Any) -> str:
    from django.urls import reverse

    return reverse("policies:breach", args=[item.source_id])


def _sync_award(item: Any, event: Any) -> None:
    from peiyu.policies.models import Award

    Award.objects.filter(item=item).exclude(status=item.status).update(status=item.status)


AWARD = register(
    Flow(
        kind="policies.award",
        label="政策兑现",
        source_model="policies.Award",
        stages=(
            Stage("eligible", "待企业确认", days=CONFIRM_DAYS),
            Stage("submitted", "待审核", days=REVIEW_DAYS),
            Stage("publicity", "公示中", days=PUBLICITY_DAYS + 2, since="entered"),
            Stage("approved", "待拨付", days=PAY_DAYS),
            Stage("paid", "已兑现", closed=True),
            Stage("rejected", "不予支持", closed=True),
            Stage("declined", "企业放弃", closed=True),
        ),
        transitions={
            "eligible": ("publicity", "declined"),
            "submitted": ("publicity", "rejected"),
            "publicity": ("approved", "rejected"),
            "approved": ("paid", "rejected"),
        },
        verbs={
            "publicity": "公示",
            "approved": "公示无异议",
            "paid": "拨付",
            "rejected": "不予支持",
            "declined": "企业放弃",
        },
        reason_required=("rejected", "declined"),
        may_act=_award_may_act,
        item_url=_award_url,
        on_change=_sync_award,
    )
)

CLAWBACK = register(
    Flow(
        kind="policies.clawback",
        label="兑现违约追回",
        source_model="policies.Breach",
        stages=(
            Stage("open", "待核实", days=10),
            Stage("recovering", "追回中", days=30, since="entered"),
            Stage("recovered", "已追回", closed=True),
            Stage("waived", "免于追回", closed=True),
        ),
        transitions={"open": ("recovering", "waived"), "recovering": ("recovered", "waived")},
        verbs={"recovering": "启动追回", "recovered": "确认追回", "waived": "免于追回"},
        reason_required=("waived",),
        may_act=_breach_may_act,
        item_url=_breach_url,
    )
)
