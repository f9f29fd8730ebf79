"""Every change to warnings, key-enterprise overrides and rule settings: small ``do_*`` functions, each
atomic, each writing an audit row (:func:`peiyu.accounts.audit.record`). A warning's loop runs on
the tracked-work mechanism (:mod:`peiyu.work`, kind ``alerts.warning`` declared in
:mod:`peiyu.alerts.tracked`): the functions below call :mod:`peiyu.work.actions`, which writes the
history rows; the audit rows keep their ``warning_*`` actions on the warning. Pages, the API and
the CLI call these.

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
    KeyEnterpriseOverride,
    Status,
    Warning,
)
from peiyu.work import actions as work_actions
from peiyu.work.models import Note

# who may take up any warning in their scope (a district leader reads them all and acts on none)
MANAGER_ROLES = (Role.ADMIN, Role.TASKFORCE, Role.DEPARTMENT, Role.AREA)
KIND = "alerts.warning"

# status -> the statuses it may move to (declared once, in peiyu.alerts.tracked)
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
    """The owner, or a manager (not enterprise-service staff) who may act on the enterprise (its
    CHANGE scope: a read-only leader never)."""
    if not scope_mod.can(user, warning.enterprise, scope_mod.CHANGE):
        return False
    return warning.owner_id == getattr(user, "pk", None) or is_manager(user)


def allowed(warning: Warning, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(warning.status, ())


def title_for(warning: Warning) -> str:
    return f"{warning.enterprise.name} · {warning.get_rule_display()}"[:300]


def create_warning(
    enterprise: Any,
    rule: str,
    *,
    owner: Any = None,
    owner_basis: str = "",
    status: str = Status.NEW,
    by: Any = None,
    note: str = "",
    month: str = "",
    **fields: Any,
) -> Warning:
    """A warning and its tracked item (the monthly run uses the batch form in :mod:`rules`)."""
    with transaction.atomic():
        from peiyu.work.flows import get

        is_open = not get(KIND).is_closed(status)
        w = Warning.objects.create(enterprise=enterprise, rule=rule, is_open=is_open, **fields)
        (item,) = work_actions.open_items(
            by,
            [
                work_actions.ItemSpec(
                    w,
                    KIND,
                    title_for(w),
                    owner=owner,
                    status=status,
                    data={"owner_basis": owner_basis} if owner_basis else {},
                    note=note or w.summary,
                    event_data={"month": month or w.last_month, "label": "生成预警"},
                    opened_at=w.created_at,
                )
            ],
        )
        Warning.objects.filter(pk=w.pk).update(item=item)
        w.item = item
        return w


def _item(warning: Warning) -> Any:
    if warning.item_id is None:
        raise ActionError("该预警没有督办事项（数据不完整）")
    return warning.item


def _reload(warning: Warning) -> Warning:
    return Warning.objects.select_related("enterprise", "item", "item__owner", "item__closed_by").get(
        pk=warning.pk
    )


def _transition(by: Any, warning: Warning, to_status: str, note: str, action: Any, request: Any) -> Warning:
    try:
        work_actions.do_transition(
            by,
            _item(warning),
            to_status,
            note=note,
            request=request,
            audit_action=action,
            audit_before=warning.snapshot(),
            snapshot=lambda: _reload(warning).snapshot(),
        )
    except work_actions.ActionError as exc:
        raise ActionError(_warning_words(str(exc))) from None
    return _reload(warning)


def _warning_words(message: str) -> str:
    return (
        message.replace("事项当前为", "预警当前为")
        .replace("该事项", "该预警")
        .replace("事项已关闭", "预警已关闭")
    )


def do_acknowledge(acting_user: Any, warning: Warning, note: str = "", *, request: Any = None) -> Warning:
    return _transition(
        acting_user, warning, Status.ACKNOWLEDGED, (note or "").strip(), A.WARNING_ACKNOWLEDGE, request
    )


def do_follow_up(
    acting_user: Any,
    warning: Warning,
    *,
    kind: str,
    date: dt.date,
    note: str,
    contact: str = "",
    files: Any = (),
    request: Any = None,
) -> Note:
    """Record a call/visit/meeting with its date and notes; the warning becomes 跟进中."""
    from peiyu.alerts.models import FollowUpKind

    if not (note or "").strip():
        raise ActionError("请填写跟进情况")
    if kind not in FollowUpKind.values:
        raise ActionError("跟进方式无效")
    try:
        return work_actions.do_add_note(
            acting_user,
            _item(warning),
            text=note,
            method=kind,
            date=date,
            contact=contact,
            files=files,
            request=request,
            audit_action=A.WARNING_FOLLOWUP,
            audit_before=warning.snapshot(),
            snapshot=lambda: _reload(warning).snapshot(),
        )
    except work_actions.ActionError as exc:
        raise ActionError(_warning_words(str(exc))) from None


def do_resolve(acting_user: Any, warning: Warning, reason: str, *, request: Any = None) -> Warning:
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("请填写解决情况（理由必填）")
    return _transition(acting_user, warning, Status.RESOLVED, reason, A.WARNING_RESOLVE, request)


def do_dismiss(acting_user: Any, warning: Warning, reason: str, *, request: Any = None) -> Warning:
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("请填写排除理由")
    return _transition(acting_user, warning, Status.DISMISSED, reason, A.WARNING_DISMISS, request)


def do_reassign(
    acting_user: Any, warning: Warning, new_owner: Any, reason: str = "", *, request: Any = None
) -> Warning:
    """Hand the warning to another user, who must be active and able to see the enterprise."""
    if not warning.is_open:
        raise ActionError("预警已关闭，不能转派")
    try:
        work_actions.do_reassign(
            acting_user,
            _item(warning),
            new_owner,
            reason=reason,
            request=request,
            audit_action=A.WARNING_REASSIGN,
            audit_before=warning.snapshot(),
            snapshot=lambda: _reload(warning).snapshot(),
        )
    except work_actions.ActionError as exc:
        raise ActionError(_warning_words(str(exc)).replace("该事项", "该企业")) from None
    return _reload(warning)


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
    acting_user: Any, changes: dict[str, Any], *, request: Any = None, reason: str = ""
) -> AlertSettings:
    if not getattr(acting_user, "is_admin", False):
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
        cfg.updated_at, cfg.updated_by = timezone.now(), acting_user
        cfg.save()
        if "overdue_days" in changes:
            work_actions.recompute_dues(KIND)
        diff_before = {k: v for k, v in before.items() if after[k] != v}
        diff_after = {k: after[k] for k in diff_before}
        record(
            acting_user,
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
    acting_user: Any, enterprise: Any, kind: str, reason: str, *, request: Any = None
) -> KeyEnterpriseOverride:
    """Add an enterprise to the key list, or remove it, by hand (reason required). Replaces any
    active override of the same enterprise."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("请填写理由")
    if kind not in KeyEnterpriseOverride.Kind.values:
        raise ActionError("类型无效")
    if not can_edit_key_list(acting_user, enterprise):
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
                acting_user,
                f"被新的调整替代：{reason}",
            )
            previous.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        obj = KeyEnterpriseOverride.objects.create(
            enterprise=enterprise, kind=kind, reason=reason, created_by=acting_user, created_at=now
        )
        record(
            acting_user,
            A.KEY_OVERRIDE[kind],
            enterprise,
            before=before,
            after={"kind": kind},
            reason=reason,
            request=request,
        )
        return obj


def do_revoke_override(
    acting_user: Any, override: KeyEnterpriseOverride, reason: str, *, request: Any = None
) -> KeyEnterpriseOverride:
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("请填写撤销理由")
    if not can_edit_key_list(acting_user, override.enterprise):
        raise ActionError("无权调整重点企业名单")
    with transaction.atomic():
        obj = KeyEnterpriseOverride.objects.select_for_update().get(pk=override.pk)
        if obj.revoked_at is not None:
            raise ActionError("该调整已撤销")
        obj.revoked_at, obj.revoked_by, obj.revoke_reason = timezone.now(), acting_user, reason
        obj.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        record(
            acting_user,
            A.KEY_REVOKE,
            obj.enterprise,
            before={"kind": obj.kind},
            after=None,
            reason=reason,
            request=request,
        )
        return obj
