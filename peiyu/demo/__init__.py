"""The synthetic demo district, deterministic for a seed.

Each installed app contributes its step in its own ``demo.py`` (``ORDER`` and ``generate(ctx)``,
found by :mod:`peiyu.core.contrib`); the steps run by ``ORDER`` and share a :class:`DemoContext`. Calibration comes from the public figures on
Putuo (see docs/architecture.md): tax is heavy-tailed (a few hundred firms pay most of it), seasonal
(corporate income tax settles in May), and most registered firms pay little or nothing in a month.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

DEMO_ADMIN = ("admin", "Peiyu@2026")


@dataclass
class DemoContext:
    enterprises: int = 20000
    years: int = 5
    seed: int = 2021
    quiet: bool = False
    end_month: str = ""  # "YYYY-MM": the last month of tax data; default the month before today
    rng: random.Random = field(init=False)
    data: dict[str, Any] = field(default_factory=dict)  # what a step leaves for later steps
    summary: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        if not self.end_month:
            today = dt.date.today()
            first = today.replace(day=1) - dt.timedelta(days=1)
            self.end_month = f"{first.year:04d}-{first.month:02d}"

    def months(self) -> list[str]:
        """The ``years`` × 12 months ending at ``end_month``, oldest first."""
        y, m = map(int, self.end_month.split("-"))
        out = []
        for _ in range(self.years * 12):
            out.append(f"{y:04d}-{m:02d}")
            m -= 1
            if m == 0:
                y, m = y - 1, 12
        return out[::-1]

    def step_rng(self, name: str) -> random.Random:
        """An independent generator per step, so adding a step never changes another step's data."""
        return random.Random(f"{self.seed}:{name}")


def steps() -> list[Any]:
    """The contributed step modules, by ``ORDER`` (then INSTALLED_APPS order)."""
    from peiyu.core import contrib

    found = [mod for _cfg, mod in contrib.modules("demo") if hasattr(mod, "generate")]
    return sorted(found, key=lambda mod: getattr(mod, "ORDER", 100))


def run(ctx: DemoContext) -> dict[str, Any]:
    for mod in steps():
        mod.generate(ctx)
    return ctx.summary
