"""Test helpers of the task-force app: a task force per test-world industry, measures, a csv writer."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from peiyu.accounts.models import Department


def taskforce(world: dict[str, Any], key: str = "soft", **kwargs: Any) -> Any:
    from peiyu.taskforce import actions

    ind = world["industries"][key]
    defaults: dict[str, Any] = {"members": [world["industry_officer"]] if key == "soft" else []}
    if key == "health":
        defaults["departments"] = [world["departments"]["kewei"]]
    defaults.update(kwargs)
    return actions.do_save_taskforce(world["admin"], ind, **defaults)


def fagaiwei() -> Department:
    dept, _ = Department.objects.get_or_create(name="区发改委", defaults={"short_name": "发改委"})
    return dept


def measure(
    plan: Any, number: str, unit: Any, deadline: dt.date, done: dt.date | None = None, **kw: Any
) -> Any:
    from peiyu.taskforce.models import Measure

    return Measure.objects.create(
        plan=plan,
        number=number,
        unit=unit,
        deadline=deadline,
        done=done,
        text=kw.pop("text", f"措施{number}"),
        **kw,
    )


def plan(name: str = "营商环境方案 4.0") -> Any:
    from peiyu.taskforce.actions import get_or_create_plan

    fagaiwei()
    return get_or_create_plan(name, version="4.0")


def write_csv(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path
