"""``peiyu attraction --year YYYY [--json]``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "招商引资：某年末的项目库与各招商小组当年签约、落地（--json 输出 JSON）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--year", type=int, default=None, help="年度（默认今年）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出（一个对象）")
        parser.add_argument("--refresh", action="store_true", help="先按税收库核对落地项目（纳税阶段、预警）")

    def handle(self, *args: Any, **opts: Any) -> None:
        from peiyu.accounts import audit
        from peiyu.attraction import audit_actions as A
        from peiyu.attraction import queries, taxlink, warnings

        year = opts["year"] or timezone.localdate().year
        if not 1990 <= year <= 2100:
            raise CommandError(f"年度不正确：{year}")
        if opts["refresh"]:
            taxlink.refresh()
            warnings.check()
        data = queries.year_view(year)
        audit.record(
            None,
            A.PROJECTS_CLI,
            object_type="attraction",
            detail={"year": year, "projects": len(data["projects"])},
        )
        if opts["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(f"{year} 年招商引资（年末项目库 {len(data['projects'])} 个）")
        for t in data["teams"]:
            self.stdout.write(
                f"  {t['name']}：项目 {t['projects']} 个，当年签约 {t['signed']} 个，落地 {t['landed']} 个（计入 {t['credited_landed']} 个）"
            )
        for p in data["projects"]:
            extra = f"，首次纳税 {p['first_tax_month']}" if p["first_tax_month"] else ""
            dup = f"，与“{p['duplicate_of']}”重复" if p["duplicate_of"] else ""
            self.stdout.write(f"  - {p['name']}（{p['team']}，{p['stage']}，{p['status']}{extra}{dup}）")
