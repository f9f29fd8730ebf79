"""Tracked work of the attraction app: the pipeline warnings (a signed project not registered within
3 months; a landed one that has paid nothing for 6 months) are items of kind ``attraction.warning``
on the project, owned by its team (a registered unit kind), with the usual reminders, notes and
history. Teams are a unit kind so that items (dispatch-meeting decisions too) can be given to them.
"""

from __future__ import annotations

from typing import Any

from peiyu.work.flows import Flow, Stage, UnitKind, register, register_unit


def _members(team: Any) -> Any:
    from peiyu.accounts.models import User

    ids = set(team.members.values_list("pk", flat=True))
    if team.leader_id:
        ids.add(team.leader_id)
    return User.objects.filter(pk__in=ids)


def _units_of(user: Any) -> Any:
    from django.db.models import Q

    from peiyu.attraction.models import Team

    return Team.objects.filter(Q(members=user) | Q(leader=user)).values_list("pk", flat=True).distinct()


def _leader(team: Any) -> Any:
    return team.leader


register_unit(
    UnitKind(model="attraction.Team", label="招商小组", members=_members, units_of=_units_of, leader=_leader)
)


def _item_url(item: Any) -> str:
    from django.urls import reverse

    return reverse("attraction:project", args=[item.source_id])


WARNING = register(
    Flow(
        kind="attraction.warning",
        label="招商项目预警",
        source_model="attraction.Project",
        stages=(
            Stage("open", "待处理", days=10),
            Stage("following", "跟进中", days=10, since="activity"),
            Stage("resolved", "已解决", closed=True),
            Stage("dismissed", "已排除", closed=True),
        ),
        transitions={
            "open": ("following", "resolved", "dismissed"),
            "following": ("following", "resolved", "dismissed"),
        },
        verbs={"following": "跟进", "resolved": "解决", "dismissed": "排除"},
        reason_required=("resolved", "dismissed"),
        note_moves_to="following",
        item_url=_item_url,
    )
)
