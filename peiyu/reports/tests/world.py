"""Test hook for the scope walk: the district report and one report per scoped persona, so the
report pages and Word downloads carry every app's sections for the walker to check (a scoped
persona must not read the district report, nor anything of another scope in their own)."""

from __future__ import annotations

from typing import Any

#: A stand-in PDF (the walk does not read PDFs; converting five reports would cost it a minute).
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def populate_world(world: dict[str, Any]) -> None:
    from peiyu.reports.actions import do_generate_report
    from peiyu.reports.models import Report
    from peiyu.taxes import analytics

    month = analytics.latest_month()
    if month is None:
        return
    made = [do_generate_report(world["admin"], month, reader=None)]
    for persona in ("industry_officer", "area_officer", "department", "service_officer"):
        made.append(do_generate_report(world[persona], month, reader=world[persona]))
    Report.objects.filter(pk__in=[r.pk for r in made]).update(pdf=MINIMAL_PDF)
    world["reports"] = {r.reader.username if r.reader else "district": r for r in made}
