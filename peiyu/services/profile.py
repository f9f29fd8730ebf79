"""The enterprise profile (一企一档) section: the enterprise's requests and visits."""

from __future__ import annotations

from typing import Any

from peiyu.services import queries


def profile_section(request: Any, enterprise: Any) -> dict[str, Any] | None:
    reqs = list(queries.requests_for(enterprise, request.user)[:20])
    visits = list(queries.visits_of(enterprise, request.user)[:10])
    return {
        "template": "services/profile_section.html",
        "order": 45,
        "requests": reqs,
        "visits": visits,
        "enterprise": enterprise,
    }
