"""The attraction app's meeting kind: the biweekly dispatch meeting (招商引资调度会) of all teams.

Owner: none (the whole dispatch: one series). Seen by the 投促办 and every team's members and
leaders (``rule``); prepared, minuted and given decisions by the 投促办 (``may_change``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from peiyu.meetings.kinds import MeetingKind, register


def _rule(sc: Any) -> Q:
    from peiyu.attraction.models import Team, _is_office_scope

    if sc.user_id is None:
        return Q(pk__in=[])
    if _is_office_scope(sc) or Team.objects.filter(Q(members=sc.user_id) | Q(leader=sc.user_id)).exists():
        return Q(pk__isnull=False)
    return Q(pk__in=[])


def _may_change(user: Any, meeting: Any) -> bool:
    from peiyu.attraction.stages import is_office

    return is_office(user)


def _url(meeting: Any) -> str:
    from django.urls import reverse

    return reverse("attraction:dispatch")


def _pack(meeting: Any, who: Any) -> list[Any]:
    from peiyu.attraction.dispatch import build_pack

    return build_pack(meeting, who)


DISPATCH = register(
    MeetingKind(
        key="attraction.dispatch",
        label="招商引资调度会",
        pack=_pack,
        owner_model=None,
        rule=_rule,
        may_change=_may_change,
        url=_url,
    )
)
