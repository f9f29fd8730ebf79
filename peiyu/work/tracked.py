"""The work app's own item kind: a general 督办事项 assigned by hand (on an enterprise or on a
unit), and the background jobs it declares (imported at start-up, see :mod:`peiyu.work.builtin`)."""

from __future__ import annotations

from peiyu.work.flows import Flow, Stage, register

TASK = register(
    Flow(
        kind="work.task",
        label="交办事项",
        source_model="registry.Enterprise",
        stages=(
            Stage("assigned", "已交办", days=5),
            Stage("in_progress", "办理中", days=10),
            Stage("done", "已办结", closed=True),
            Stage("cancelled", "已撤销", closed=True),
        ),
        transitions={
            "assigned": ("in_progress", "done", "cancelled"),
            "in_progress": ("done", "cancelled"),
            "done": ("in_progress",),
        },
        verbs={"in_progress": "开始办理", "done": "办结", "cancelled": "撤销"},
        reason_required=("done", "cancelled"),
    )
)
