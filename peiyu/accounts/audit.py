"""Writing and reading audit rows. Every data change goes through a small ``do_*`` action that calls
:func:`record` inside its transaction; every view or export of enterprise-level tax figures calls
:func:`record_view`.

Retention: audit rows are append-only for every role, enforced three times: the model refuses
``save()`` of an existing row and ``delete()``, the queryset refuses ``update()``/``delete()``, and
database triggers (migration 0003, SQLite and PostgreSQL) abort any UPDATE, DELETE (and, on
PostgreSQL, TRUNCATE) of the table. There is deliberately **no purge command**: rows are kept for
at least ``settings.AUDIT_RETENTION_DAYS`` (never below 180 days) simply by never deleting them.
Archiving older rows is a database administrator's job (backup, then a maintenance window with the
triggers disabled), outside the application. The only in-application exception is ``flush`` (which
erases the whole database, used by the test suite), see ``management/commands/flush.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peiyu.accounts.models import AuditLog


def client_ip(request: Any) -> str | None:
    """The caller's address. X-Forwarded-For is trusted only behind our own reverse proxy
    (``settings.AUDIT_TRUST_X_FORWARDED_FOR``), and then only its last hop, the one our proxy
    added: anything to its left is whatever the client chose to send."""
    if request is None:
        return None
    from django.conf import settings

    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return _valid_ip(hops[-1])
    return _valid_ip(request.META.get("REMOTE_ADDR") or "")


def _valid_ip(text: str) -> str | None:
    import ipaddress

    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def record(
    acting_user: Any,
    action: Action | str,
    obj: Any = None,
    *,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    detail: dict[str, Any] | None = None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
    request: Any = None,
    username: str = "",
) -> AuditLog:
    """Append one audit row. ``acting_user`` is the person acting (a User), None for the system or
    the command line, or a string naming the actor; ``username`` overrides the recorded name (failed
    logins record the name that was tried). ``action`` is a declared :class:`Action`."""
    user = acting_user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "credit_code", None) or obj.pk)
        object_repr = object_repr or str(obj)
    real_user = user if getattr(user, "is_authenticated", False) else None
    fields = {
        "action": str(action),
        "object_type": object_type,
        "object_id": object_id[:120],
        "object_repr": object_repr[:255],
        "detail": detail or {},
        "before": before,
        "after": after,
        "reason": reason,
    }
    row = AuditLog.objects.create(
        user=real_user,
        username=(
            username or getattr(real_user, "username", "") or ("system" if user is None else str(user))
        )[:150],
        ip=client_ip(request),
        **fields,
    )
    from peiyu.core.pagecache import capturing

    collected = capturing()
    if collected is not None and real_user is not None:
        collected.append(fields)  # written again each time the page is served from the cache
    return row


def replay(request: Any, rows: list[dict[str, Any]]) -> None:
    """Write again, for this request, the audit rows a reused page wrote when it was rendered."""
    user = request.user
    for fields in rows:
        AuditLog.objects.create(user=user, username=user.username[:150], ip=client_ip(request), **fields)


def record_view(request: Any, action: Action | str, what: str, **detail: Any) -> AuditLog:
    """Log a look at (or export of) enterprise-level tax figures."""
    return record(
        getattr(request, "user", None),
        action,
        object_type="view",
        object_repr=what,
        detail={"path": getattr(request, "get_full_path", lambda: "")(), **detail},
        request=request,
    )


@dataclass(frozen=True)
class Action:
    """An audited action: a constant ``app.object.verb`` name with its Chinese label.

    Each app declares its actions in its own ``audit_actions.py`` (discovered, never listed here);
    ``legacy`` names the codes older rows carry for the same action, so their labels still read."""

    name: str
    label: str
    legacy: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name


def _declared() -> dict[str, Action]:
    """Every :class:`Action` the installed apps declare, by name and by legacy code."""
    from peiyu.core import contrib

    found: dict[str, Action] = {}
    for _cfg, mod in contrib.modules("audit_actions"):
        for value in vars(mod).values():
            if isinstance(value, Action):
                found[value.name] = value
                for old in value.legacy:
                    found.setdefault(old, value)
            elif isinstance(value, dict) and value and all(isinstance(v, Action) for v in value.values()):
                for action in value.values():  # e.g. {"include": Action(...), "exclude": Action(...)}
                    found[action.name] = action
    return found


def actions() -> dict[str, Action]:
    """The declared actions by name (legacy codes excluded), for the audit filter."""
    return {name: a for name, a in _declared().items() if a.name == name}


def action_label(action: str | Action) -> str:
    name = str(action)
    found = _declared().get(name)
    return found.label if found else name


def action_codes(action: str | Action) -> list[str]:
    """The stored codes that mean this action (its name and its legacy codes)."""
    found = _declared().get(str(action))
    return [found.name, *found.legacy] if found else [str(action)]


#: Chinese labels of the keys that appear in ``detail``, ``before`` and ``after``; an app adds its
#: own as ``DETAIL_LABELS`` in its ``audit_actions.py``.
DETAIL_LABELS: dict[str, str] = {
    "path": "页面",
    "access": "访问类型",
    "permission": "所需权限",
    "count": "条数",
    "rows": "行数",
    "month": "月份",
    "year": "年度",
    "page": "页码",
    "filters": "筛选条件",
    "credit_code": "统一社会信用代码",
    "name": "名称",
    "by": "操作方式",
    "reason": "原因",
    "ip": "来源地址",
    "status": "状态",
    "role": "角色",
    "username": "用户名",
    "display_name": "姓名",
    "industry": "产业",
    "area": "街道镇",
    "areas": "区域范围",
    "key_industries": "产业范围",
    "departments": "所属部门",
    "is_active": "启用",
    "file": "文件",
    "batch": "导入批次",
    "batch_id": "导入批次",
    "version": "版本",
    "n": "户数",
    "kind": "类型",
    "owner": "负责人",
    "note": "说明",
    "method": "请求方式",
    "reason_code": "原因代码",
    "what": "对象",
    "label": "用途",
    "expires_at": "到期时间",
    "token": "令牌",
    "prefix": "令牌前缀",
    "before": "修改前",
    "after": "修改后",
}


def _detail_labels() -> dict[str, str]:
    from peiyu.core import contrib

    labels = dict(DETAIL_LABELS)
    for _cfg, extra in contrib.attributes("audit_actions", "DETAIL_LABELS"):
        labels.update(extra)
    return labels


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list | tuple | set):
        return "、".join(_plain(v) for v in value) or "—"
    if isinstance(value, dict):
        labels = _detail_labels()
        return "；".join(f"{labels.get(str(k), str(k))}：{_plain(v)}" for k, v in value.items()) or "—"
    return str(value)


def readable(values: Any) -> list[tuple[str, str]]:
    """``detail``/``before``/``after`` as Chinese ``(label, value)`` lines for people to read."""
    if values is None:
        return []
    if not isinstance(values, dict):
        return [("", _plain(values))]
    labels = _detail_labels()
    return [(labels.get(str(k), str(k)), _plain(v)) for k, v in values.items()]


def readable_text(values: Any) -> str:
    """The same as one line of text (the Excel export)."""
    return "；".join(f"{k}：{v}" if k else v for k, v in readable(values))


def search(
    *,
    user: str = "",
    action: str = "",
    since: Any = None,
    until: Any = None,
    obj: str = "",
):
    """Audit rows filtered the way the viewer and ``peiyu audit`` filter them (newest first).

    ``since``/``until`` are dates (inclusive, in the local time zone) or datetimes."""
    import datetime as dt

    from django.db.models import Q
    from django.utils import timezone

    qs = AuditLog.objects.all()
    if user:
        qs = qs.filter(username__iexact=user.strip())
    if action:
        qs = qs.filter(action__in=action_codes(action.strip()))
    if since:
        if not isinstance(since, dt.datetime):
            since = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        qs = qs.filter(time__gte=since)
    if until:
        if not isinstance(until, dt.datetime):
            until = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
            qs = qs.filter(time__lt=until)
        else:
            qs = qs.filter(time__lte=until)
    if obj:
        obj = obj.strip()
        qs = qs.filter(
            Q(object_id__icontains=obj) | Q(object_repr__icontains=obj) | Q(object_type__iexact=obj)
        )
    return qs


def display_name(row: AuditLog) -> str:
    """The actor as people know them: the user's name, else the recorded username."""
    user = row.user if row.user_id else None
    name = getattr(user, "display_name", "") if user is not None else ""
    if name and name != row.username:
        return f"{name}（{row.username}）"
    return row.username or "系统"


def entry_dict(row: AuditLog) -> dict[str, Any]:
    """One row as the CLI's JSON prints it: ``{time, user, action, object, detail}``."""
    from django.utils import timezone

    detail: dict[str, Any] = dict(row.detail or {})
    if row.before is not None:
        detail["before"] = row.before
    if row.after is not None:
        detail["after"] = row.after
    if row.reason:
        detail["reason"] = row.reason
    if row.ip:
        detail["ip"] = row.ip
    return {
        "time": timezone.localtime(row.time).isoformat(),
        "user": row.username,
        "user_name": display_name(row),
        "action": row.action,
        "action_label": action_label(row.action),
        "object": row.object_repr or row.object_id,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "detail": detail,
    }
