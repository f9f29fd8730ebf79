"""Data changes of the registry. Each ``do_*`` runs in one transaction, writes an audit row (who,
when, before, after, why) and, where an enterprise changes, a dated :class:`EnterpriseEvent`.
Classification consequences are recomputed and ``dimension_changed`` is sent on commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from peiyu.accounts import audit
from peiyu.registry import audit_actions as A
from peiyu.registry import classify
from peiyu.registry.models import (
    Area,
    Enterprise,
    EnterpriseEvent,
    EnterpriseStatus,
    IndustryDefinition,
    IndustryOverride,
    KeyIndustry,
)
from peiyu.registry.names import initials, normalize_name


class ActionError(ValueError):
    """A refused change; the message is Chinese and meant for the user."""


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _require_admin(user: Any) -> None:
    if user is not None and not getattr(user, "is_admin", False):
        raise ActionError("只有管理员可以修改重点产业口径和企业认定")


def do_save_definition(
    acting_user: Any,
    industry: KeyIndustry,
    prefixes: list[str] | str,
    *,
    valid_from: dt.date | None = None,
    reason: str,
    note: str = "",
) -> tuple[IndustryDefinition, classify.ReclassifyResult]:
    """Save a new version of an industry's definition (older versions stay for as-of figures)."""
    _require_admin(acting_user)
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("请填写修改口径的理由")
    clean, errors = classify.normalize_prefixes(prefixes)
    if errors:
        raise ActionError("；".join(errors))
    if not clean:
        raise ActionError("口径至少需要一个行业代码前缀")
    valid_from = valid_from or timezone.localdate()
    with transaction.atomic():
        current = classify.rules_as_of(valid_from).prefixes.get(industry.pk, [])
        latest = industry.definitions.order_by("-valid_from", "-id").first()
        if latest is not None and valid_from < latest.valid_from:
            raise ActionError(f"生效日期不能早于现行口径的生效日期 {latest.valid_from:%Y-%m-%d}")
        definition = IndustryDefinition.objects.create(
            industry=industry,
            valid_from=valid_from,
            prefixes=clean,
            note=note or reason,
            created_by=_user(acting_user),
        )
        result = classify.reclassify(
            user=acting_user, source=f"口径调整：{industry.name}（{reason[:60]}）"[:200]
        )
        audit.record(
            acting_user,
            A.DEFINITION_SAVE,
            industry,
            before={"prefixes": current},
            after={"prefixes": clean, "valid_from": valid_from.isoformat(), "definition_id": definition.pk},
            reason=reason,
            detail={"reclassified": result.as_dict()},
        )
    return definition, result


def do_override(
    acting_user: Any,
    enterprise: Enterprise,
    industry: KeyIndustry,
    kind: str,
    *,
    reason: str,
    valid_from: dt.date | None = None,
) -> IndustryOverride:
    """Include an enterprise in an industry by hand, or exclude it from one; with a reason."""
    _require_admin(acting_user)
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("手工认定必须填写理由")
    if kind not in IndustryOverride.Kind.values:
        raise ActionError(f"认定类型“{kind}”无效（应为纳入或剔除）")
    with transaction.atomic():
        before = _classification(enterprise)
        # A new decision about the same enterprise and industry replaces the previous one.
        now = timezone.now()
        for old in IndustryOverride.objects.filter(
            enterprise=enterprise, industry=industry, revoked_at__isnull=True
        ):
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
        if kind == IndustryOverride.Kind.INCLUDE:
            # at most one industry: an inclusion elsewhere is superseded too
            for old in IndustryOverride.objects.filter(
                enterprise=enterprise, kind="include", revoked_at__isnull=True
            ):
                old.revoked_at = now
                old.save(update_fields=["revoked_at"])
        ov = IndustryOverride.objects.create(
            enterprise=enterprise,
            industry=industry,
            kind=kind,
            reason=reason,
            valid_from=valid_from or timezone.localdate(),
            created_by=_user(acting_user),
        )
        label = IndustryOverride.Kind(kind).label
        classify.reclassify([enterprise.pk], user=acting_user, source=f"{label}：{reason[:80]}")
        enterprise.refresh_from_db()
        audit.record(
            acting_user,
            A.OVERRIDE[kind],
            enterprise,
            before=before,
            after={**_classification(enterprise), "override": {"industry": industry.name, "kind": label}},
            reason=reason,
        )
    return ov


def do_revoke_override(acting_user: Any, override: IndustryOverride, *, reason: str) -> None:
    _require_admin(acting_user)
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("撤销手工认定必须填写理由")
    if override.revoked_at is not None:
        raise ActionError("该手工认定已撤销")
    with transaction.atomic():
        enterprise = override.enterprise
        before = _classification(enterprise)
        override.revoked_at = timezone.now()
        override.save(update_fields=["revoked_at"])
        classify.reclassify(
            [enterprise.pk], user=acting_user, source=f"撤销{override.get_kind_display()}：{reason[:80]}"
        )
        enterprise.refresh_from_db()
        audit.record(
            acting_user,
            A.OVERRIDE_REVOKE,
            enterprise,
            before={
                **before,
                "override": {"industry": override.industry.name, "kind": override.get_kind_display()},
            },
            after=_classification(enterprise),
            reason=reason,
        )


def do_set_key_flag(acting_user: Any, enterprise: Enterprise, is_key: bool, *, reason: str = "") -> None:
    _require_admin(acting_user)
    if enterprise.is_key == is_key:
        return
    with transaction.atomic():
        before = enterprise.is_key
        enterprise.is_key = is_key
        enterprise.save(update_fields=["is_key", "updated_at"])
        audit.record(
            acting_user,
            A.KEY_FLAG,
            enterprise,
            before={"is_key": before},
            after={"is_key": is_key},
            reason=reason,
        )
        classify.notify_dimension_changed([enterprise.pk], "重点企业标记")


EDITABLE = (
    "name",
    "former_names",
    "industry_code",
    "area",
    "address",
    "status",
    "established",
    "tags",
    "liaison",
)


def do_update_enterprise(
    acting_user: Any,
    enterprise: Enterprise,
    *,
    reason: str = "",
    event_date: dt.date | None = None,
    source: str = "",
    **changes: Any,
) -> list[str]:
    """Change some fields of an enterprise; returns the names of the fields that changed.

    ``industry_code`` is normalised and checked against GB/T 4754; a name change keeps the old name in
    ``former_names``; name, area, industry code and status changes become events dated ``event_date``
    (default today)."""
    _require_admin(acting_user)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ActionError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    if acting_user is not None and not (reason or "").strip():
        raise ActionError("请填写修改理由")
    if "industry_code" in changes and changes["industry_code"]:
        try:
            changes["industry_code"] = classify.normalize_industry_code(
                changes["industry_code"], classify.taxonomy()
            )
        except classify.CodeError as exc:
            raise ActionError(str(exc)) from None
    if "name" in changes:
        changes["name"] = normalize_name(changes["name"])
        if not changes["name"]:
            raise ActionError("企业名称不能为空")
    if "status" in changes and changes["status"] not in EnterpriseStatus.values:
        raise ActionError(f"登记状态“{changes['status']}”无效")
    if "area" in changes and changes["area"] is not None and not isinstance(changes["area"], Area):
        raise ActionError("街道镇无效")
    date = event_date or timezone.localdate()
    with transaction.atomic():
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        events: list[EnterpriseEvent] = []
        changed: list[str] = []
        for field, value in changes.items():
            old = getattr(enterprise, field)
            if old == value:
                continue
            changed.append(field)
            before[field] = _jsonable(old)
            after[field] = _jsonable(value)
            kind = {
                "name": EnterpriseEvent.Kind.NAME,
                "area": EnterpriseEvent.Kind.AREA,
                "industry_code": EnterpriseEvent.Kind.INDUSTRY_CODE,
                "status": EnterpriseEvent.Kind.STATUS,
            }.get(field)
            if kind:
                events.append(
                    EnterpriseEvent(
                        enterprise=enterprise,
                        date=date,
                        kind=kind,
                        before=str(old or "")[:200],
                        after=str(value or "")[:200],
                        source=(source or reason or "手工修改")[:200],
                        created_by=_user(acting_user),
                    )
                )
            setattr(enterprise, field, value)
            if field == "name":
                enterprise.name_initials = initials(value)
                if old and old not in enterprise.former_names:
                    enterprise.former_names = [*enterprise.former_names, old]
        if not changed:
            return []
        enterprise.save()
        EnterpriseEvent.objects.bulk_create(events)
        audit.record(acting_user, A.ENTERPRISE_UPDATE, enterprise, before=before, after=after, reason=reason)
        if "industry_code" in changed:
            classify.reclassify([enterprise.pk], user=acting_user, source=source or "行业代码变更")
        if {"area", "status", "industry_code", "liaison"} & set(changed):
            classify.notify_dimension_changed([enterprise.pk], "企业信息变更")
    return changed


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def _classification(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "key_industry": enterprise.key_industry.name if enterprise.key_industry is not None else None,
        "basis": enterprise.classification_basis,
    }


def do_create_industry(
    acting_user: Any,
    name: str,
    prefixes: list[str] | str,
    *,
    reason: str,
    valid_from: dt.date | None = None,
    color: str = "#206bc4",
) -> tuple[KeyIndustry, classify.ReclassifyResult]:
    """Add a key industry (districts re-cut their industries over time) with its first definition."""
    _require_admin(acting_user)
    name = normalize_name(name)
    reason = (reason or "").strip()
    if not name:
        raise ActionError("请填写产业名称")
    if not reason:
        raise ActionError("请填写新增产业的理由")
    if KeyIndustry.objects.filter(name=name).exists():
        raise ActionError(f"重点产业“{name}”已存在")
    clean, errors = classify.normalize_prefixes(prefixes)
    if errors:
        raise ActionError("；".join(errors))
    if not clean:
        raise ActionError("口径至少需要一个行业代码前缀")
    from django.db.models import Max
    from pypinyin import lazy_pinyin

    base = "".join(lazy_pinyin(name)).lower()
    base = "".join(c for c in base if c.isascii() and c.isalnum())[:30] or "industry"
    slug, n = base, 1
    while KeyIndustry.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}{n}"
    with transaction.atomic():
        order = (KeyIndustry.objects.aggregate(m=Max("order"))["m"] or 0) + 1
        industry = KeyIndustry.objects.create(name=name, slug=slug, order=order, color=color)
        IndustryDefinition.objects.create(
            industry=industry,
            valid_from=valid_from or timezone.localdate(),
            prefixes=clean,
            note=reason,
            created_by=_user(acting_user),
        )
        result = classify.reclassify(user=acting_user, source=f"新增重点产业：{name}")
        audit.record(
            acting_user,
            A.INDUSTRY_CREATE,
            industry,
            after={
                "name": name,
                "prefixes": clean,
                "valid_from": (valid_from or timezone.localdate()).isoformat(),
            },
            reason=reason,
            detail={"reclassified": result.as_dict()},
        )
    return industry, result


def do_set_industry_active(
    acting_user: Any, industry: KeyIndustry, active: bool, *, reason: str
) -> classify.ReclassifyResult:
    """Stop (or resume) using a key industry; its enterprises are reclassified. Definitions stay."""
    _require_admin(acting_user)
    if not (reason or "").strip():
        raise ActionError("请填写理由")
    with transaction.atomic():
        before = industry.active
        industry.active = active
        industry.save(update_fields=["active"])
        result = classify.reclassify(
            user=acting_user, source=f"{'启用' if active else '停用'}重点产业：{industry.name}"
        )
        audit.record(
            acting_user,
            A.INDUSTRY_ACTIVE,
            industry,
            before={"active": before},
            after={"active": active},
            reason=reason,
        )
    return result
