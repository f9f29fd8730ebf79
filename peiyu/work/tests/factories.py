"""Test helpers of the work app: a tracked kind of its own on enterprises (so the tests do not
depend on another app's flow), and items opened the way other apps open them."""

from __future__ import annotations

from typing import Any

from peiyu.work import actions
from peiyu.work.flows import Flow, Stage, register

REQUEST = register(
    Flow(
        kind="tests.request",
        label="测试诉求",
        source_model="registry.Enterprise",
        stages=(
            Stage("received", "待受理", days=1),
            Stage("accepted", "已受理", days=3),
            Stage("handling", "办理中", days=15),
            Stage("closed", "已办结", closed=True),
            Stage("returned", "退回", closed=True),
        ),
        transitions={
            "received": ("accepted", "returned"),
            "accepted": ("handling", "closed"),
            "handling": ("closed",),
            "closed": ("handling",),
        },
        verbs={"accepted": "受理", "handling": "办理", "closed": "办结", "returned": "退回"},
        reason_required=("returned", "closed"),
    )
)


def open_request(by: Any, enterprise: Any, **kw: Any) -> Any:
    kw.setdefault("title", f"{enterprise.name} 用地诉求")
    return actions.do_open_item(by, enterprise, kind="tests.request", **kw)
