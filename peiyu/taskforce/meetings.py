"""The task-force meeting kind (专班例会研商) in the shared meetings core."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from peiyu.meetings.kinds import MeetingKind, register


def _rule(sc: Any) -> Q:
    """Named leaders and members of a task force see its meetings."""
    from django.contrib.contenttypes.models import ContentType

    from peiyu.taskforce.models import TaskForce

    if sc.user_id is None:
        return Q(pk__in=[])
    ids = TaskForce.objects.filter(Q(members=sc.user_id) | Q(leaders=sc.user_id)).values("pk")
    return Q(owner_type=ContentType.objects.get_for_model(TaskForce), owner_id__in=ids)


def _may_change(user: Any, meeting: Any) -> bool:
    from peiyu.taskforce import queries
    from peiyu.taskforce.pack import taskforce_of

    tf = taskforce_of(meeting)
    return tf is not None and queries.can_manage(user, tf)


def _pack(meeting: Any, who: Any) -> list[Any]:
    from peiyu.taskforce.pack import build

    return build(meeting, who)


def _url(meeting: Any) -> str:
    from django.urls import reverse

    return reverse("taskforce:detail", args=[meeting.owner_id]) if meeting.owner_id else ""


TASKFORCE = register(
    MeetingKind(
        key="taskforce",
        label="专班例会",
        pack=_pack,
        owner_model="taskforce.TaskForce",
        rule=_rule,
        may_change=_may_change,
        url=_url,
    )
)
