"""Warnings on the tracked-work mechanism: each warning has one :class:`peiyu.work.models.Item` of
kind ``alerts.warning`` holding its owner, status, history and follow-ups.

The loop::

    new ──确认──▶ acknowledged ──跟进──▶ following ──解决（理由）──▶ resolved
     │  ╲──────────────跟进──────────────▶ ▲ (more follow-ups keep it here)
     └──────────────排除（理由）───────────────────────────────▶ dismissed   (from any open status)

Overdue: an open warning nobody has touched for ``AlertSettings.overdue_days`` calendar days
("超期：N 天无任何处理"), i.e. each stage's deadline runs from the last action.
"""

from __future__ import annotations

from typing import Any

from peiyu.work.flows import Flow, Stage, register


def _overdue_days(item: Any) -> int:
    from peiyu.alerts.models import AlertSettings

    return AlertSettings.current().overdue_days


def _may_act(user: Any, item: Any, to_status: str | None) -> bool:
    from peiyu.accounts import scope as scope_mod
    from peiyu.alerts.actions import is_manager
    from peiyu.alerts.models import Warning

    w = Warning.objects.select_related("enterprise").filter(item=item).first()
    if w is None or not scope_mod.can(user, w.enterprise, scope_mod.CHANGE):
        return False
    return item.owner_id == user.pk or is_manager(user)


def _item_url(item: Any) -> str:
    from django.urls import reverse

    return reverse("alerts:detail", args=[item.source_id])


def _on_change(item: Any, event: Any) -> None:
    """Keep the warning's ``is_open`` (its uniqueness constraint) in step with the item."""
    from peiyu.alerts.models import Warning

    Warning.objects.filter(item=item).exclude(is_open=item.is_open).update(is_open=item.is_open)


def _unowned_inbox(user: Any) -> bool:
    from peiyu.alerts.actions import is_manager

    return is_manager(user)


OPEN_DAYS: dict[str, Any] = {"days": _overdue_days, "since": "activity", "calendar": True}

WARNING = register(
    Flow(
        kind="alerts.warning",
        label="预警",
        source_model="alerts.Warning",
        stages=(
            Stage("new", "新预警", **OPEN_DAYS),  # type: ignore[arg-type]
            Stage("acknowledged", "已确认", **OPEN_DAYS),  # type: ignore[arg-type]
            Stage("following", "跟进中", **OPEN_DAYS),  # type: ignore[arg-type]
            Stage("resolved", "已解决", closed=True),
            Stage("dismissed", "已排除", closed=True),
        ),
        transitions={
            "new": ("acknowledged", "following", "dismissed"),
            "acknowledged": ("following", "resolved", "dismissed"),
            "following": ("following", "resolved", "dismissed"),
        },
        verbs={"acknowledged": "确认", "following": "跟进", "resolved": "解决", "dismissed": "排除"},
        reason_required=("resolved", "dismissed"),
        note_moves_to="following",
        claim_on=("acknowledged", "following"),
        reassign_reason_required=False,
        may_act=_may_act,
        item_url=_item_url,
        unowned_inbox=_unowned_inbox,
        on_change=_on_change,
    )
)

# the history labels, and the codes the API has always used for them
EVENT_CODES = {
    "生成预警": "created",
    "月度更新": "updated",
    "条件已消除": "cleared",
    "确认": "acknowledged",
    "跟进": "followup",
    "解决": "resolved",
    "排除": "dismissed",
    "转派": "reassigned",
    "自动关闭": "auto_closed",
    "到期提醒": "reminded",
    "超期督办": "escalated",
}
