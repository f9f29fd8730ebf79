"""Writes of the carriers app: ``do_<verb>_<object>(acting_user, obj, …, reason="", request=None)``,
each in one transaction with one audit row. Pages, the API, imports and the demo call these."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from peiyu.accounts import audit
from peiyu.carriers import audit_actions as A
from peiyu.carriers import evaluation as ev
from peiyu.carriers.models import (
    Carrier,
    CarrierSettings,
    Evaluation,
    IndicatorValue,
    MapLayer,
    RentRule,
    Scheme,
    Source,
    Space,
    Status,
    Tenancy,
)

CARRIER_FIELDS = (
    "kind",
    "name",
    "address",
    "area",
    "department",
    "park",
    "gross_area_m2",
    "leasable_area_m2",
    "owner",
    "manager",
    "grade",
    "focus_industry",
    "level",
    "operator",
    "services",
    "map_x",
    "map_y",
    "lon",
    "lat",
    "active",
    "note",
)


class CarrierError(ValueError):
    """A refused change, with a Chinese message for the user."""


def _snap(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for f in fields:
        v = getattr(obj, f, None)
        if hasattr(v, "pk") or isinstance(v, Decimal | dt.date):
            v = str(v)
        out[f] = v
    return out


def do_save_carrier(
    acting_user: Any, carrier: Carrier | None, data: dict[str, Any], *, reason: str = "", request: Any = None
) -> Carrier:
    """Create (``carrier`` None) or update a carrier with the given fields."""
    with transaction.atomic():
        created = carrier is None
        obj = carrier or Carrier()
        before = None if created else _snap(obj, CARRIER_FIELDS)
        for key, value in data.items():
            if key not in CARRIER_FIELDS:
                raise KeyError(key)
            setattr(obj, key, value)
        if not obj.name:
            raise CarrierError("载体名称不能为空")
        if obj.leasable_area_m2 and obj.gross_area_m2 and obj.leasable_area_m2 > obj.gross_area_m2:
            raise CarrierError("可租面积不能大于建筑面积")
        obj.save()
        audit.record(
            acting_user,
            A.CARRIER_CREATE if created else A.CARRIER_UPDATE,
            obj,
            before=before,
            after=_snap(obj, CARRIER_FIELDS),
            reason=reason,
            request=request,
        )
    return obj


def do_add_tenancy(
    acting_user: Any,
    carrier: Carrier,
    enterprise: Any,
    *,
    area_m2: Decimal,
    move_in: dt.date,
    move_out: dt.date | None = None,
    graduated: bool = False,
    space: Space | None = None,
    note: str = "",
    reason: str = "",
    request: Any = None,
) -> Tenancy:
    """Register an enterprise moving into a carrier (or an incubated firm's entry)."""
    if move_out is not None and move_out < move_in:
        raise CarrierError("迁出日期不能早于入驻日期")
    if area_m2 < 0:
        raise CarrierError("租用面积不能为负")
    with transaction.atomic():
        t = Tenancy.objects.create(
            carrier=carrier,
            enterprise=enterprise,
            area_m2=area_m2,
            move_in=move_in,
            move_out=move_out,
            graduated=graduated,
            space=space,
            note=note,
        )
        audit.record(
            acting_user,
            A.TENANCY_ADD,
            t,
            after={
                "carrier": carrier.name,
                "credit_code": enterprise.credit_code,
                "area_m2": str(area_m2),
                "move_in": str(move_in),
                "move_out": str(move_out) if move_out else None,
            },
            reason=reason,
            request=request,
        )
    return t


def do_end_tenancy(
    acting_user: Any,
    tenancy: Tenancy,
    move_out: dt.date,
    *,
    graduated: bool = False,
    reason: str = "",
    request: Any = None,
) -> Tenancy:
    """Record a tenant's move-out (an incubated firm's graduation when ``graduated``)."""
    if move_out < tenancy.move_in:
        raise CarrierError("迁出日期不能早于入驻日期")
    with transaction.atomic():
        before = {
            "move_out": str(tenancy.move_out) if tenancy.move_out else None,
            "graduated": tenancy.graduated,
        }
        tenancy.move_out = move_out
        tenancy.graduated = graduated
        tenancy.save(update_fields=["move_out", "graduated"])
        audit.record(
            acting_user,
            A.TENANCY_END,
            tenancy,
            before=before,
            after={"move_out": str(move_out), "graduated": graduated},
            reason=reason,
            request=request,
        )
    return tenancy


def do_save_space(
    acting_user: Any, carrier: Carrier, data: dict[str, Any], *, reason: str = "", request: Any = None
) -> Space:
    with transaction.atomic():
        space = Space.objects.create(carrier=carrier, **data)
        audit.record(
            acting_user,
            A.SPACE_SAVE,
            space,
            after={k: str(v) for k, v in data.items()},
            reason=reason,
            request=request,
        )
    return space


def do_update_settings(
    acting_user: Any, data: dict[str, Any], *, reason: str = "", request: Any = None
) -> CarrierSettings:
    fields = ("basis", "yi_fen", "qianwan_fen", "candidate_pct")
    with transaction.atomic():
        cfg = CarrierSettings.objects.order_by("pk").first() or CarrierSettings()
        before = _snap(cfg, fields) if cfg.pk else None
        for k, v in data.items():
            if k not in fields:
                raise KeyError(k)
            setattr(cfg, k, v)
        if cfg.qianwan_fen >= cfg.yi_fen:
            raise CarrierError("千万元楼门槛须低于亿元楼门槛")
        cfg.save()
        audit.record(
            acting_user,
            A.SETTINGS_UPDATE,
            cfg,
            before=before,
            after=_snap(cfg, fields),
            reason=reason,
            request=request,
        )
    return cfg


RULE_FIELDS = (
    "name",
    "base_year",
    "pct",
    "cap_per_m2_yuan",
    "cap_per_firm_fen",
    "min_area_m2",
    "key_industry_only",
    "active",
    "note",
)


def do_save_rent_rule(
    acting_user: Any,
    rule: RentRule | None,
    data: dict[str, Any],
    *,
    industries: Any = None,
    reason: str = "",
    request: Any = None,
) -> RentRule:
    with transaction.atomic():
        obj = rule or RentRule()
        before = _snap(obj, RULE_FIELDS) if obj.pk else None
        for k, v in data.items():
            if k not in RULE_FIELDS:
                raise KeyError(k)
            setattr(obj, k, v)
        if obj.pct is None or obj.pct < 0 or obj.pct > 100:
            raise CarrierError("支持比例须在 0–100% 之间")
        obj.save()
        if industries is not None:
            obj.industries.set(industries)
        audit.record(
            acting_user,
            A.RULE_SAVE,
            obj,
            before=before,
            after=_snap(obj, RULE_FIELDS),
            reason=reason,
            request=request,
        )
    return obj


def do_load_map(
    acting_user: Any, name: str, geojson: dict[str, Any], *, reason: str = "", request: Any = None
) -> MapLayer:
    """Store real boundaries (a GeoJSON FeatureCollection of polygons); the newest active layer is drawn."""
    if not isinstance(geojson, dict) or geojson.get("type") != "FeatureCollection":
        raise CarrierError("GeoJSON 须为 FeatureCollection（要素集合）")
    features = geojson.get("features") or []
    if not features:
        raise CarrierError("GeoJSON 中没有要素")
    for i, f in enumerate(features, 1):
        kind = ((f or {}).get("geometry") or {}).get("type")
        if kind not in ("Polygon", "MultiPolygon"):
            raise CarrierError(f"第 {i} 个要素的几何类型为「{kind}」，只接受 Polygon/MultiPolygon")
    with transaction.atomic():
        MapLayer.objects.filter(active=True).update(active=False)
        layer = MapLayer.objects.create(
            name=name or "区边界",
            geojson=geojson,
            loaded_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        audit.record(
            acting_user,
            A.MAP_LOAD,
            layer,
            after={"name": layer.name, "features": len(features)},
            reason=reason,
            request=request,
        )
    return layer


# ---------------------------------------------------------------------------------------------
# The incubators' evaluation


def do_create_scheme(
    acting_user: Any, year: int, *, reason: str = "", request: Any = None, **thresholds: Any
) -> Scheme:
    """A year's scheme with the default indicator set, and an evaluation for every active incubator."""
    from peiyu.carriers.models import Indicator, Kind

    with transaction.atomic():
        if Scheme.objects.filter(year=year).exists():
            raise CarrierError(f"{year} 年度评价方案已存在")
        scheme = Scheme.objects.create(year=year, **thresholds)
        Indicator.objects.bulk_create(ev.default_indicators(scheme))
        for inc in Carrier.objects.filter(kind=Kind.INCUBATOR, active=True):
            Evaluation.objects.create(scheme=scheme, incubator=inc)
        audit.record(
            acting_user, A.SCHEME_CREATE, scheme, after={"year": year}, reason=reason, request=request
        )
    return scheme


SCHEME_FIELDS = (
    "grade_a",
    "grade_b",
    "grade_c",
    "support_a_fen",
    "support_b_fen",
    "support_c_fen",
    "cap_fen",
    "publicity_days",
)


def do_update_scheme(
    acting_user: Any, scheme: Scheme, data: dict[str, Any], *, reason: str = "", request: Any = None
) -> Scheme:
    with transaction.atomic():
        before = _snap(scheme, SCHEME_FIELDS)
        for k, v in data.items():
            if k not in SCHEME_FIELDS:
                raise KeyError(k)
            setattr(scheme, k, v)
        if not (scheme.grade_a > scheme.grade_b > scheme.grade_c):
            raise CarrierError("分数线须满足 A > B > C")
        scheme.save()
        for e in scheme.evaluations.exclude(status=Status.FINAL).exclude(score=None):
            _apply_result(e)
        audit.record(
            acting_user,
            A.SCHEME_UPDATE,
            scheme,
            before=before,
            after=_snap(scheme, SCHEME_FIELDS),
            reason=reason,
            request=request,
        )
    return scheme


def _editable(evaluation: Evaluation) -> None:
    if evaluation.status in (Status.PUBLICITY, Status.FINAL):
        raise CarrierError(f"评价{evaluation.get_status_display()}，不能修改指标")


def do_prefill_evaluation(
    acting_user: Any, evaluation: Evaluation, *, reason: str = "", request: Any = None
) -> int:
    """Fill the indicators the data can answer; returns how many were filled."""
    _editable(evaluation)
    values = ev.prefill_values(evaluation)
    n = 0
    with transaction.atomic():
        for ind in evaluation.scheme.indicators.exclude(source=Source.MANUAL):
            if ind.source not in values:
                continue
            IndicatorValue.objects.update_or_create(
                evaluation=evaluation,
                indicator=ind,
                defaults={
                    "value": values[ind.source],
                    "evidence": "系统预填：企业名录与税收库",
                    "prefilled": True,
                },
            )
            n += 1
        audit.record(
            acting_user,
            A.EVALUATION_PREFILL,
            evaluation,
            after={k: str(v) for k, v in values.items()},
            reason=reason,
            request=request,
        )
    return n


def do_set_indicator_value(
    acting_user: Any,
    evaluation: Evaluation,
    indicator: Any,
    value: Decimal | None,
    *,
    evidence: str = "",
    reason: str = "",
    request: Any = None,
) -> IndicatorValue:
    """Enter one indicator's value; a value entered by hand needs its evidence (佐证材料)."""
    _editable(evaluation)
    if indicator.scheme_id != evaluation.scheme_id:
        raise CarrierError("指标不属于该评价方案")
    if value is not None and indicator.source == Source.MANUAL and not evidence.strip():
        raise CarrierError(f"「{indicator.name}」为填报指标，须注明佐证材料")
    with transaction.atomic():
        old = IndicatorValue.objects.filter(evaluation=evaluation, indicator=indicator).first()
        before = {
            "value": str(old.value) if old and old.value is not None else None,
            "evidence": old.evidence if old else "",
        }
        obj, _ = IndicatorValue.objects.update_or_create(
            evaluation=evaluation,
            indicator=indicator,
            defaults={"value": value, "evidence": evidence.strip(), "prefilled": False},
        )
        audit.record(
            acting_user,
            A.EVALUATION_VALUE,
            evaluation,
            before=before,
            after={
                "indicator": indicator.name,
                "value": None if value is None else str(value),
                "evidence": obj.evidence,
            },
            reason=reason,
            request=request,
        )
    return obj


def _apply_result(evaluation: Evaluation) -> ev.Result:
    result = ev.result_of(evaluation)
    evaluation.score = result.score
    evaluation.grade = result.grade
    evaluation.support_fen = result.support_fen
    if evaluation.status == Status.DRAFT:
        evaluation.status = Status.SCORED
    evaluation.save(update_fields=["score", "grade", "support_fen", "status"])
    return result


def do_score_evaluation(
    acting_user: Any, evaluation: Evaluation, *, reason: str = "", request: Any = None
) -> ev.Result:
    _editable(evaluation)
    with transaction.atomic():
        result = _apply_result(evaluation)
        audit.record(
            acting_user,
            A.EVALUATION_SCORE,
            evaluation,
            after={"score": str(result.score), "grade": result.grade, "support_fen": result.support_fen},
            reason=reason,
            request=request,
        )
    return result


def do_start_publicity(
    acting_user: Any,
    scheme: Scheme,
    *,
    today: dt.date | None = None,
    evaluations: Any = None,
    reason: str = "",
    request: Any = None,
) -> list[Evaluation]:
    """Put the scored evaluations on public display (公示) for the scheme's working days."""
    from peiyu.work import workdays

    today = today or timezone.localdate()
    try:
        end = workdays.add_working_days(today, scheme.publicity_days)
    except workdays.CalendarMissing as exc:
        raise CarrierError(f"工作日历缺少年份，无法计算公示截止日：{exc}") from exc
    qs = evaluations if evaluations is not None else scheme.evaluations.all()
    moved = []
    with transaction.atomic():
        for e in qs.filter(status=Status.SCORED).select_related("incubator"):
            e.status = Status.PUBLICITY
            e.publicity_start, e.publicity_end = today, end
            e.save(update_fields=["status", "publicity_start", "publicity_end"])
            moved.append(e)
        if not moved:
            raise CarrierError("没有已评分、可公示的评价")
        audit.record(
            acting_user,
            A.EVALUATION_PUBLICITY,
            scheme,
            after={"start": str(today), "end": str(end), "incubators": [e.incubator.name for e in moved]},
            reason=reason,
            request=request,
        )
    return moved


def do_record_objection(
    acting_user: Any, evaluation: Evaluation, text: str, *, reason: str = "", request: Any = None
) -> Evaluation:
    if evaluation.status != Status.PUBLICITY:
        raise CarrierError("只有公示中的评价可以登记异议")
    if not text.strip():
        raise CarrierError("请填写异议内容")
    with transaction.atomic():
        evaluation.objection = (evaluation.objection + "\n" if evaluation.objection else "") + text.strip()
        evaluation.save(update_fields=["objection"])
        audit.record(
            acting_user,
            A.EVALUATION_OBJECTION,
            evaluation,
            after={"objection": text.strip()},
            reason=reason,
            request=request,
        )
    return evaluation


def do_finalize_evaluation(
    acting_user: Any,
    evaluation: Evaluation,
    *,
    today: dt.date | None = None,
    reason: str = "",
    request: Any = None,
) -> Evaluation:
    """Make a result final — only after its 公示 period has ended."""
    today = today or timezone.localdate()
    if evaluation.status != Status.PUBLICITY or evaluation.publicity_end is None:
        raise CarrierError("评价结果须先公示，公示期满后方可确定")
    if today <= evaluation.publicity_end:
        raise CarrierError(f"公示期至 {evaluation.publicity_end:%Y-%m-%d}，期满后方可确定结果")
    with transaction.atomic():
        evaluation.status = Status.FINAL
        evaluation.finalized_at = timezone.now()
        evaluation.save(update_fields=["status", "finalized_at"])
        audit.record(
            acting_user,
            A.EVALUATION_FINALIZE,
            evaluation,
            after={
                "score": str(evaluation.score),
                "grade": evaluation.grade,
                "support_fen": evaluation.support_fen,
            },
            reason=reason,
            request=request,
        )
    return evaluation
