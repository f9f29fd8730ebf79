"""Test support for the policy app: a catalogue, awards and tax years simple enough to check by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl import Workbook

from peiyu.policies.models import Award, AwardOrigin, AwardStatus, Clause, Policy, PolicyKind
from peiyu.testing.taxlib import put_month

WAN = 1_000_000  # fen in 1 万元


def xlsx(path: Any, rows: list[list[Any]]) -> Any:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def policy(world: dict[str, Any], name: str = "普陀区促进生命健康产业发展若干政策", **kw: Any) -> Policy:
    defaults: dict[str, Any] = {
        "doc_number": "普府规〔2019〕5号",
        "kind": PolicyKind.INDUSTRY,
        "department": world["departments"]["kewei"],
        "key_industry": world["industries"]["health"],
        "round": "2019—2021年",
        "valid_from": dt.date(2019, 1, 1),
        "valid_to": dt.date(2021, 12, 31),
    }
    defaults.update(kw)
    return Policy.objects.create(name=name, **defaults)


def clause(p: Policy, title: str = "经营贡献奖励", **kw: Any) -> Clause:
    return Clause.objects.create(policy=p, title=title, **kw)


def paid(c: Clause, ent: Any, year: int, amount_fen: int, paid_on: dt.date | None = None) -> Award:
    return Award.objects.create(
        clause=c,
        enterprise=ent,
        year=year,
        amount_fen=amount_fen,
        status=AwardStatus.PAID,
        origin=AwardOrigin.LEDGER,
        paid_on=paid_on or dt.date(year, 9, 30),
    )


def tax_year(year: int, figures: dict[Any, int], month: int = 6) -> None:
    """One month of ``year`` in the library holding each enterprise's whole-year district tax (fen)."""
    put_month(
        f"{year}-{month:02d}",
        [(e.credit_code, e.name, "增值税", fen * 2, fen) for e, fen in figures.items()],
    )
