"""The registry of item kinds: each app declares, once, the status flow of the items it opens.

An app calls :func:`register` (usually from its ``AppConfig.ready``) with a :class:`Flow`::

    from peiyu.work.flows import Flow, Stage, register

    register(Flow(
        kind="services.request",              # "<app label>.<what>": the Item.kind
        label="企业诉求",
        source_model="services.Request",      # its scope anchors (SCOPE) decide who sees the items
        stages=(
            Stage("received", "待受理", days=1),                       # due 1 working day after opening
            Stage("accepted", "已受理", days=3),                       # reply within 3 of opening
            Stage("handling", "办理中", days=3),
            Stage("replied", "已答复", days=15),
            Stage("closed", "已办结", closed=True),
            Stage("returned", "退回", closed=True),
        ),
        transitions={"received": ("accepted", "returned"), "accepted": ("handling", "replied"), ...},
        verbs={"accepted": "受理", "returned": "退回", ...},
        reason_required=("returned",),
    ))

A stage's deadline ``days`` counts **working days** (:mod:`peiyu.work.workdays`) from ``since``:
``"opened"`` (the item's opening: accept/reply/resolve deadlines of one request), ``"entered"``
(entering that status) or ``"activity"`` (the last action on the item: "N days without any
action"); ``calendar=True`` counts calendar days instead. ``days`` may be a callable
``(item) -> int | None`` reading a setting. Per item, ``do_open_item(stage_days={...})`` overrides
the days (a green channel) and ``due=`` fixes the deadline of every stage.

Who may act: by default the owner, members of the item's unit, and managers (administrators,
leaders) who can see the item; ``may_act(user, item, to_status)`` replaces that rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Stage:
    code: str
    label: str
    days: int | Callable[[Any], int | None] | None = None
    since: str = "opened"  # "opened" | "entered" | "activity"
    calendar: bool = False
    closed: bool = False

    def days_for(self, item: Any) -> int | None:
        override = (getattr(item, "stage_days", None) or {}).get(self.code)
        if override is not None:
            return int(override)
        if callable(self.days):
            return self.days(item)
        return self.days


@dataclass(frozen=True)
class Flow:
    kind: str
    label: str
    stages: tuple[Stage, ...]
    transitions: dict[str, tuple[str, ...]]
    source_model: str = ""  # "app_label.Model": its scope anchors decide who sees the items
    verbs: dict[str, str] = field(default_factory=dict)  # to-status -> the verb ("确认", "办结")
    reason_required: tuple[str, ...] = ()
    note_methods: tuple[tuple[str, str], ...] = (
        ("call", "电话联系"),
        ("visit", "上门走访"),
        ("meeting", "约谈/会商"),
        ("other", "其他"),
    )
    note_moves_to: str | None = None  # a note moves an item in these statuses to this status
    remind_before: int = 1  # working days before the deadline
    escalate: bool = True
    claim_on: tuple[str, ...] = ()  # moving an unowned item to these statuses makes the actor its owner
    reassign_reason_required: bool = True
    unowned_inbox: Callable[[Any], bool] | None = (
        None  # user -> do unowned items of this kind show in their inbox
    )
    may_act: Callable[[Any, Any, str | None], bool] | None = None
    source_visible: Callable[[Any, Any], bool] | None = None  # (user, source) -> bool
    visible_source_ids: Callable[[Any], Any] | None = None  # Scope -> queryset of visible source pks
    source_url: Callable[[Any], str] | None = None  # source -> URL of its page
    item_url: Callable[[Any], str] | None = None  # item -> URL where it is handled
    on_change: Callable[[Any, Any], None] | None = None  # (item, event) after every change

    def __post_init__(self) -> None:
        codes = [s.code for s in self.stages]
        if len(set(codes)) != len(codes):
            raise ValueError(f"{self.kind}: duplicate status codes")
        for src, dests in self.transitions.items():
            for s in (src, *dests):
                if s not in codes:
                    raise ValueError(f"{self.kind}: unknown status {s!r} in transitions")

    @property
    def initial(self) -> str:
        return self.stages[0].code

    def stage(self, code: str) -> Stage:
        for s in self.stages:
            if s.code == code:
                return s
        raise KeyError(f"{self.kind}: unknown status {code!r}")

    def label_of(self, code: str) -> str:
        try:
            return self.stage(code).label
        except KeyError:
            return code

    def is_closed(self, code: str) -> bool:
        return self.stage(code).closed

    @property
    def open_statuses(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.stages if not s.closed)

    @property
    def closed_statuses(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.stages if s.closed)

    def allowed(self, from_status: str, to_status: str) -> bool:
        return to_status in self.transitions.get(from_status, ())

    def verb(self, to_status: str) -> str:
        return self.verbs.get(to_status) or self.label_of(to_status)

    def choices(self) -> list[tuple[str, str]]:
        return [(s.code, s.label) for s in self.stages]


_REGISTRY: dict[str, Flow] = {}


def register(flow: Flow) -> Flow:
    """Declare a kind (idempotent for the same kind: the last declaration wins)."""
    _REGISTRY[flow.kind] = flow
    return flow


def get(kind: str) -> Flow:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise KeyError(f"未登记的事项类型：{kind}") from None


def all_flows() -> list[Flow]:
    return list(_REGISTRY.values())


# ---------------------------------------------------------------------------------------------
# Units: who belongs to a unit and who leads it


@dataclass(frozen=True)
class UnitKind:
    """A kind of responsible unit (a model of any app). ``members(unit)`` returns the users of the
    unit; ``units_of(user)`` the unit pks a user belongs to; ``leader(unit)`` an optional leader
    the unit itself knows (else the :class:`~peiyu.work.models.UnitLeader` table decides)."""

    model: str  # "app_label.Model"
    label: str
    members: Callable[[Any], Any]
    units_of: Callable[[Any], Any]
    leader: Callable[[Any], Any] | None = None


_UNITS: dict[str, UnitKind] = {}


def register_unit(kind: UnitKind) -> UnitKind:
    _UNITS[kind.model.lower()] = kind
    return kind


def unit_kind(model_label: str) -> UnitKind | None:
    return _UNITS.get(model_label.lower())


def unit_kinds() -> list[UnitKind]:
    return list(_UNITS.values())
