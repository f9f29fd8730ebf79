"""The registry of meeting kinds (会议类型): one meetings core, three kinds of meeting.

Each app declares its kind once, in its own ``meetings.py`` (discovered like the other contribution
modules) or in its ``AppConfig.ready``::

    from peiyu.meetings.kinds import MeetingKind, register

    register(MeetingKind(key="taskforce", label="专班例会", pack=build_pack, owner_model="taskforce.TaskForce"))

- ``pack(meeting, who) -> list[Section]``: the prepared pack, built from the data as ``who`` sees it.
  The core puts the previous meeting's decisions (:func:`peiyu.meetings.queries.carried_over_section`)
  FIRST by itself; a pack builder that returns a section with that key keeps its own instead.
- ``owner_model``: the model of the owning object (a TaskForce, an attraction Team, an Area), or None.
- ``rule(scope) -> Q`` (optional): extra rows of :class:`~peiyu.meetings.models.Meeting` of this kind
  a scope sees, beyond the industry/area anchors (e.g. attraction team members see their dispatch
  meetings). Must return ``Q(pk__in=[])`` for scopes it does not recognise.
- ``may_change(user, meeting) -> bool`` (optional): replaces the default CHANGE rule (the meeting's
  scope) for scheduling, preparing, minutes and decisions.
- ``url(meeting) -> str`` (optional): the page of the owner the detail page links back to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q


@dataclass(frozen=True)
class MeetingKind:
    key: str
    label: str
    pack: Callable[[Any, Any], list[Any]] | None = None
    owner_model: str | None = None
    rule: Callable[[Any], Q] | None = None
    may_change: Callable[[Any, Any], bool] | None = None
    url: Callable[[Any], str] | None = None


_REGISTRY: dict[str, MeetingKind] = {}
_discovered = False


def register(kind: MeetingKind) -> MeetingKind:
    """Declare a kind (idempotent: the last declaration of a key wins)."""
    _REGISTRY[kind.key] = kind
    return kind


def discover() -> None:
    """Import every app's ``meetings.py`` once (their ``register`` calls fill the registry)."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    from peiyu.core import contrib

    contrib.modules("meetings")


def get(key: str) -> MeetingKind | None:
    discover()
    return _REGISTRY.get(key)


def label(key: str) -> str:
    kind = get(key)
    return kind.label if kind is not None else key


def all_kinds() -> list[MeetingKind]:
    discover()
    return list(_REGISTRY.values())


def choices() -> list[tuple[str, str]]:
    return [(k.key, k.label) for k in all_kinds()]
