"""Information reports on the tracked-work mechanism: each :class:`InfoReport` has one item of kind
``taskforce.report`` (the reporting unit, the due date as its deadline), so late reports are
reminded and chased like every other deadline::

    pending（待报送）──报送──▶ submitted（已报送）
        └──免报（理由）──▶ waived（免报）
"""

from __future__ import annotations

from typing import Any

from peiyu.work.flows import Flow, Stage, register


def _item_url(item: Any) -> str:
    from django.urls import reverse

    return reverse("taskforce:report", args=[item.source_id])


REPORT = register(
    Flow(
        kind="taskforce.report",
        label="专班信息报送",
        source_model="taskforce.InfoReport",
        stages=(
            Stage("pending", "待报送"),
            Stage("submitted", "已报送", closed=True),
            Stage("waived", "免报", closed=True),
        ),
        transitions={"pending": ("submitted", "waived"), "submitted": ("pending",)},
        verbs={"submitted": "报送", "waived": "免报", "pending": "退回重报"},
        reason_required=("waived", "pending"),
        item_url=_item_url,
    )
)
