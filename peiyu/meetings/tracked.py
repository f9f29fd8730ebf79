"""Meeting decisions on the tracked-work mechanism: each :class:`~peiyu.meetings.models.Decision`
opens one :class:`peiyu.work.models.Item` of kind ``meetings.decision`` (owner, responsible unit,
the decision's due date as its fixed deadline); the decision's status is the item's status::

    assigned（已交办）──推进──▶ in_progress（推进中）──落实──▶ done（已落实）
        └───────────────────撤销（理由）──────────────────────▶ cancelled（已撤销）
"""

from __future__ import annotations

from typing import Any

from peiyu.work.flows import Flow, Stage, register


def _item_url(item: Any) -> str:
    from django.urls import reverse

    from peiyu.meetings.models import Decision

    d = Decision.objects.filter(pk=item.source_id).only("meeting_id").first()
    if d is None:
        return reverse("work:item", args=[item.pk])
    return reverse("meetings:detail", args=[d.meeting_id]) + f"#decision-{d.pk}"


def _source_url(source: Any) -> str:
    from django.urls import reverse

    return reverse("meetings:detail", args=[source.meeting_id])


DECISION = register(
    Flow(
        kind="meetings.decision",
        label="会议议定事项",
        source_model="meetings.Decision",
        stages=(
            Stage("assigned", "已交办"),
            Stage("in_progress", "推进中"),
            Stage("done", "已落实", closed=True),
            Stage("cancelled", "已撤销", closed=True),
        ),
        transitions={
            "assigned": ("in_progress", "done", "cancelled"),
            "in_progress": ("in_progress", "done", "cancelled"),
            "done": ("in_progress",),
        },
        verbs={"in_progress": "推进", "done": "落实", "cancelled": "撤销"},
        reason_required=("cancelled",),
        note_moves_to="in_progress",
        claim_on=("in_progress", "done"),
        item_url=_item_url,
        source_url=_source_url,
    )
)
