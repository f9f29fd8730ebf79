"""Every change to warnings, key-enterprise overrides and rule settings: small ``do_*`` functions, each
atomic, each writing an audit row (:func:`peiyu.accounts.audit.record`) and, for warnings, a
:class:`~peiyu.alerts.models.WarningEvent` history row. Pages, the API and the CLI call these.

The loop of a warning::

    new ──确认──▶ acknowledged ──跟进──▶ following ──解决（理由）──▶ resolved
     │  ╲──────────────跟进──────────────▶ ▲ (more follow-ups keep it here)
     └──────────────排除（理由）───────────────────────────────▶ dismissed   (from any open status)

Resolving needs at least an acknowledgement (something was looked at); dismissing (a false alarm,
e.g. a known restructuring) is possible from any open status. Closed warnings accept no transition.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from peiyu.accounts import scope as scope_mod
from peiyu.accounts.audit import record
from peiyu.accounts.models import Role
from peiyu.alerts import audit_actions as A
from peiyu.alerts.models import (
    SETTINGS_FIELDS,
    AlertSettings,
    FollowUp,
    KeyEnterpriseOverride,
    Status,
    Warning,
    WarningEvent,
)

MANAGER_ROLES = (Role.ADMIN, Role.LEADER, Role.TASKFORCE, Role.DEPARTMENT, Role.AREA)

# status -> the statuses it may move to
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.ACKNOWLEDGED, Status.FOLLOWING, Status.DISMISSED),
    Status.ACKNOWLEDGED: (Status.FOLLOWING, Status.RESOLVED, Status.DISMISSED),
    Status.FOLLOWING: (Status.FOLLOWING, Status.RESOLVED, Status.DISMISSED),
    Status.RESOLVED: (),
    Status.DISMISSED: (),
}


class ActionError(Exception):
    """A refused change; the message is Chinese and meant for the user."""


def is_manager(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or getattr(user, "role", None) in MANAGER_ROLES


def can_see(user: Any, warning: Warning) -> bool:
    return scope_mod.can_see_enterprise(user, warning.enterprise)


def can_act(user: Any, warning: Warning) -> bool:
    """The owner, or a manager (not enterprise-service staff) whose scope covers the enterprise."""
    if not can_see(user, warning):
        return False
    return warning.owner_id == getattr(user, "pk", None) or is_manager(user)


def allowed(warning: Warning, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(warning.status, ())


def _locked(warning: Warning) -> Warning:
    return (
        Warning.objects.select_for_update(of=("self",))
        .select_related("enterprise", "owner")
        .get(pk=warning.pk)
    )


def _transition(
    by: Any, warning: Warning, to_status: str, kind: str, note: str, action: str, request: Any, **extra: Any
) -> Warning:
    w = _locked(warning)
    if not can_act(by, w):
        raise ActionError("无权处理该预警")
    if not allowed(w, to_status):
        raise ActionError(f"预警当前为“{w.get_status_display()}”，不能{WarningEvent.Kind(kind).label}")
    before = w.snapshot()
    now = timezone.now()
    from_status = w.status
    w.status = to_status
    w.last_activity_at = now
    fields = ["status", "last_activity_at"]
    if (
        w.owner_id is None
        and getattr(by, "pk", None)
        and to_status in (Status.ACKNOWLEDGED, Status.FOLLOWING)
    ):
        w.owner, w.owner_basis = by, "claimed"  # whoever takes up an unassigned warning owns it
        fields += ["owner", "owner_basis"]
    if to_status in (Status.RESOLVED, Status.DISMISSED):
        w.closed_at, w.closed_by, w.resolution = now, by if getattr(by, "pk", None) else None, note
        fields += ["closed_at", "closed_by", "resolution"]
    w.save(update_fields=fields)
    WarningEvent.objects.create(
        warning=w,
        kind=kind,
        user=by if getattr(by, "pk", None) else None,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    record(
        by,
        action,
        w,
        object_id=str(w.pk),
        before=before,
        after=w.snapshot(),
        reason=note,
        request=request,
        detail=extra or None,
    )
    return w


def do_acknowledge(by: Any, warning: Warning, note: str = "", *, request: Any = None) -> Warning:
    with transaction.atomic():
        return _transition(
            by,
            warning,
            Status.ACKNOWLEDGED,
            WarningEvent.Kind.ACKNOWLEDGED,
            note.strip(),
            A.WARNING_ACKNOWLEDGE,
            request,
        )


def do_follow_up(
    by: Any,
    warning: Warning,
    *,
    kind: str,
    date: dt.date,
    note: str,
    contact: str = "",
    request: Any = None,
) -> FollowUp:
    """Record a call/visit/meeting with its date and notes; the warning becomes 跟进中."""
    note = (note or "").strip()
    if not note:
        raise ActionError("请填写跟进情况")
    if kind not in FollowUp.Kind.values:
        raise ActionError("跟进方式无效")
    if date > timezone.localdate():
        raise ActionError("跟进日期不能晚于今天")
    with transaction.atomic():
        w = _transition(
            by,
            warning,
            Status.FOLLOWING,
            WarningEvent.Kind.FOLLOWUP,
            f"{FollowUp.Kind(kind).label}（{date.isoformat()}）：{note}",
            A.WARNING_FOLLOWUP,
            request,
            followup_kind=kind,
            followup_date=date.isoformat(),
        )
        return FollowUp.objects.create(
            warning=w,
            kind=kind,
            date=date,
            contact=contact.strip()[:100],
            note=note,
            created_by=by if getattr(by, "pk", None) else None,
        )


def do_resolve(by: Any, warning: Warning, reason: str, *, request: Any = None) -> Warning:
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("请填写解决情况（理由必填）")
    with transaction.atomic():
        return _transition(
            by, warning, Status.RESOLVED, WarningEvent.Kind.RESOLVED, reason, A.WARNING_RESOLVE, request
        )


def do_dismiss(by: Any, warning: Warning, reason: str, *, request: Any = None) -> Warning:
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("请填写排除理由")
    with transaction.atomic():
        return _transition(
            by, warning, Status.DISMISSED, WarningEvent.Kind.DISMISSED, reason, A.WARNING_DISMISS, request
        )


def do_reassign(
    by: Any, warning: Warning, new_owner: Any, reason: str = "", *, request: Any = None
) -> Warning:
    """Hand the warning to another user, who must be active and able to see the enterprise."""
    with transaction.atomic():
        w = _locked(warning)
        if not (can_see(by, w) and is_manager(by)) and w.owner_id != getattr(by, "pk", None):
            raise ActionError("无权转派该预警")
        if not w.is_open:
            raise ActionError("预警已关闭，不能转派")
        if new_owner is None or not new_owner.is_active:
            raise ActionError("请选择有效的责任人")
        if not scope_mod.can_see_enterprise(new_owner, w.enterprise):
            raise ActionError(f"{new_owner} 的数据范围不包含该企业，不能转派")
        if new_owner.pk == w.owner_id:
            raise ActionError("新责任人与当前责任人相同")
        before = w.snapshot()
        old = str(w.owner) if w.owner_id else "未分派"
        w.owner, w.owner_basis, w.last_activity_at = new_owner, "manual", timezone.now()
        w.save(update_fields=["owner", "owner_basis", "last_activity_at"])
        note = f"由 {old} 转派给 {new_owner}" + (f"：{reason.strip()}" if reason.strip() else "")
        WarningEvent.objects.create(
            warning=w,
            kind=WarningEvent.Kind.REASSIGNED,
            user=by if getattr(by, "pk", None) else None,
            from_status=w.status,
            to_status=w.status,
            note=note,
        )
        record(
            by,
            A.WARNING_REASSIGN,
            w,
            object_id=str(w.pk),
            before=before,
            after=w.snapshot(),
            reason=reason.strip(),
            request=request,
        )
        return w


def assignable_users(warning: Warning) -> list[Any]:
    """Active users who could own the warning (they may act on the enterprise: a read-only leader
    cannot). Candidates are narrowed with one query; the scope module has the last word."""
    from django.db.models import Q

    from peiyu.accounts.models import User

    e = warning.enterprise
    cond = Q(is_superuser=True) | Q(role=Role.ADMIN)
    if e.key_industry_id:
        cond |= Q(key_industries=e.key_industry_id) | Q(departments__key_industries=e.key_industry_id)
    if e.area_id:
        cond |= Q(areas=e.area_id)
    if e.liaison_id:
        cond |= Q(pk=e.liaison_id)
    users = User.objects.filter(cond, is_active=True).distinct().order_by("username")
    return [u for u in users if scope_mod.can(u, e, scope_mod.CHANGE)]


# ---------------------------------------------------------------------------------------------
# Settings and key-enterprise overrides


def do_update_settings(
    by: Any, changes: dict[str, Any], *, request: Any = None, reason: str = ""
) -> AlertSettings:
    if not getattr(by, "is_admin", False):
        raise ActionError("只有管理员可以修改预警规则")
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ActionError("未知设置项：" + "、".join(sorted(unknown)))
    with transaction.atomic():
        cfg = AlertSettings.current()
        cfg = AlertSettings.objects.select_for_update().get(pk=cfg.pk)
        before = {f: getattr(cfg, f) for f in SETTINGS_FIELDS}
        for name, value in changes.items():
            setattr(cfg, name, value)
        _validate_settings(cfg)
        after = {f: getattr(cfg, f) for f in SETTINGS_FIELDS}
        if after == before:
            return cfg
        cfg.updated_at, cfg.updated_by = timezone.now(), by
        cfg.save()
        diff_before = {k: v for k, v in before.items() if after[k] != v}
        diff_after = {k: after[k] for k in diff_before}
        record(
            by,
            A.SETTINGS_UPDATE,
            cfg,
            object_id="1",
            before=diff_before,
            after=diff_after,
            reason=reason,
            request=request,
        )
        return cfg


def _validate_settings(cfg: AlertSettings) -> None:
    if cfg.key_threshold_fen < 0 or cfg.series_min_fen < 0:
        raise ActionError("金额门槛不能为负")
    if not 1 <= cfg.key_window_months <= 24:
        raise ActionError("重点企业统计月数应在 1–24 之间")
    if not 1 <= cfg.yoy_drop_pct <= 100 or not cfg.yoy_drop_pct <= cfg.yoy_drop_high_pct <= 100:
        raise ActionError("同比下降阈值应在 1–100% 之间，且高级别降幅不小于阈值")
    for name, lo, hi in (
        ("yoy_drop_months", 1, 12),
        ("decline_months", 1, 12),
        ("stop_quiet_months", 1, 12),
        ("stop_paid_months", 1, 24),
        ("moved_out_window_months", 1, 24),
        ("spike_window_months", 3, 24),
        ("spike_factor", 2, 100),
        ("overdue_days", 1, 365),
    ):
        if not lo <= getattr(cfg, name) <= hi:
            field = AlertSettings._meta.get_field(name)
            assert isinstance(field, models.Field)  # a column, not a reverse relation
            raise ActionError(f"{field.verbose_name}应在 {lo}–{hi} 之间")
    if cfg.decline_min_pct >= 100:
        raise ActionError("连续下降的每月最小降幅应小于 100%")


def can_edit_key_list(user: Any, enterprise: Any) -> bool:
    if getattr(user, "is_admin", False):
        return True
    return getattr(user, "role", None) in (Role.TASKFORCE, Role.DEPARTMENT) and scope_mod.can_see_enterprise(
        user, enterprise
    )


def do_key_override(
    by: Any, enterprise: Any, kind: str, reason: str, *, request: Any = None
) -> KeyEnterpriseOverride:
    """Add an enterprise to the key list, or remove it, by hand (reason required). Replaces any
    active override of the same enterprise."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("请填写理由")
    if kind not in KeyEnterpriseOverride.Kind.values:
        raise ActionError("类型无效")
    if not can_edit_key_list(by, enterprise):
        raise ActionError("无权调整重点企业名单")
    with transaction.atomic():
        now = timezone.now()
        previous = (
            KeyEnterpriseOverride.objects.select_for_update()
            .filter(enterprise=enterprise, revoked_at__isnull=True)
            .first()
        )
        before = {"kind": previous.kind, "reason": previous.reason} if previous else None
        if previous is not None:
            if previous.kind == kind:
                raise ActionError(f"该企业已是“{previous.get_kind_display()}”")
            previous.revoked_at, previous.revoked_by, previous.revoke_reason = (
                now,
                by,
                f"被新的调整替代：{reason}",
            )
            previous.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        obj = KeyEnterpriseOverride.objects.create(
            enterprise=enterprise, kind=kind, reason=reason, created_by=by, created_at=now
        )
        record(
            by,
            A.KEY_OVERRIDE[kind],
            enterprise,
            before=before,
            after={"kind": kind},
            reason=reason,
            request=request,
        )
        return obj


def do_revoke_override(
    by: Any, override: KeyEnterpriseOverride, reason: str, *, request: Any = None
) -> KeyEnterpriseOverride:
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("请填写撤销理由")
    if not can_edit_key_list(by, override.enterprise):
        raise ActionError("无权调整重点企业名单")
    with transaction.atomic():
        obj = KeyEnterpriseOverride.objects.select_for_update().get(pk=override.pk)
        if obj.revoked_at is not None:
            raise ActionError("该调整已撤销")
        obj.revoked_at, obj.revoked_by, obj.revoke_reason = timezone.now(), by, reason
        obj.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        record(
            by,
            A.KEY_REVOKE,
            obj.enterprise,
            before={"kind": obj.kind},
            after=None,
            reason=reason,
            request=request,
        )
        return obj
