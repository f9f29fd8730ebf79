"""Reference data shipped with the package: GB/T 4754-2017, Putuo's sub-districts, the Putuo preset
of key industries. Loaded by ``peiyu init``; idempotent."""

from __future__ import annotations

import csv
import datetime as dt
from importlib import resources

from django.db import transaction

from peiyu.registry.models import Area, IndustryCode, IndustryDefinition, KeyIndustry

# The Putuo preset (普陀区"十四五"四大重点培育产业). Editable afterwards in the key-industry editor.
PUTUO_PRESET: list[tuple[str, str, str, list[str]]] = [
    ("智能软件", "software", "#206bc4", ["64", "65"]),
    ("研发服务", "rnd", "#2fb344", ["73", "74", "75"]),
    ("科技金融", "fintech", "#f59f00", ["66", "67", "68", "69"]),
    ("生命健康", "health", "#d63939", ["27", "358", "515", "734", "84"]),
]
PRESET_VALID_FROM = dt.date(2021, 1, 1)


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("peiyu.core").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def load_industry_codes() -> int:
    rows = _rows("gbt4754_2017_industry.csv")
    existing = set(IndustryCode.objects.values_list("code", flat=True))
    new = [
        IndustryCode(
            code=r["code"],
            name=r["name"],
            level=int(r["level"]),
            parent=r["parent"],
            section=r["section"],
            description=r["description"],
        )
        for r in rows
        if r["code"] not in existing
    ]
    IndustryCode.objects.bulk_create(new, batch_size=1000)
    return len(new)


def load_areas() -> int:
    created = 0
    for i, r in enumerate(_rows("putuo_subdistricts.csv")):
        _, was_created = Area.objects.get_or_create(
            code=r["code"], defaults={"name": r["name"], "kind": r["type"], "order": i + 1}
        )
        created += was_created
    return created


def load_key_industries() -> int:
    """Create the Putuo preset only when no key industry exists yet (never overwrite edits)."""
    if KeyIndustry.objects.exists():
        return 0
    for order, (name, slug, color, prefixes) in enumerate(PUTUO_PRESET, start=1):
        ind = KeyIndustry.objects.create(name=name, slug=slug, color=color, order=order)
        IndustryDefinition.objects.create(
            industry=ind, valid_from=PRESET_VALID_FROM, prefixes=prefixes, note="普陀区预置口径"
        )
    return len(PUTUO_PRESET)


@transaction.atomic
def load_all() -> dict[str, int]:
    return {
        "industry_codes": load_industry_codes(),
        "areas": load_areas(),
        "key_industries": load_key_industries(),
    }
