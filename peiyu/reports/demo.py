"""Demo step (ORDER 90, after every module has its data): the district's monthly analysis report of
the latest month, written as the scheduled job writes it after the month's import (the version the
leaders are notified of), and the report of the 智能软件 task force officer (username ``software``),
whose copy holds only that industry's firms — the two reports the reports page shows first."""

from __future__ import annotations

from typing import Any

ORDER = 90


def generate(ctx: Any) -> None:
    from peiyu.accounts.models import User
    from peiyu.reports import actions, jobs
    from peiyu.reports.models import Report
    from peiyu.taxes import analytics

    month = analytics.latest_month()
    if month is None:
        return
    made = []
    if not Report.objects.filter(month=month, reader__isnull=True).exists():
        result = jobs.generate_district(None, month, notify=True, pdf=False)  # PDF on first download
        made.append(result["report_id"])
    officer = User.objects.filter(username="software", is_active=True).first()
    if officer is not None and not Report.objects.filter(month=month, reader=officer).exists():
        made.append(actions.do_generate_report(officer, month, reader=officer, origin=Report.Origin.DEMO).pk)
    ctx.summary["reports"] = {"month": month, "reports": len(made)}
