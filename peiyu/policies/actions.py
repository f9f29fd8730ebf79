"""Every write of the policy system: ``do_<verb>_<object>(acting_user, …, reason="", request=None)``,
one transaction, one audit row each. Pages, the API and the commands call these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from peiyu.accounts import audit, scope
from peiyu.policies import audit_actions as A
from peiyu.policies import rules, tracked
from peiyu.policies.models import (
    Award,
    AwardOrigin,
    AwardStatus,
    Breach,
    BreachKind,
    Clause,
    Policy,
)
from peiyu.work import actions as work
from peiyu.work.actions import ActionError

POLICY_FIELDS = (
    "name",
    "doc_number",
    "kind",
    "department",
    "key_industry",
    "round",
    "valid_from",
    "valid_to",
    "budget_fen",
    "summary",
)
CLAUSE_FIELDS = (
    "number",
    "title",
    "support_type",
    "amount_rule",
    "fixed_fen",
    "rate_pct",
    "cap_fen",
    "budget_fen",
    "conditions",
    "other_requirements",
    "auto",
    "commitment_years",
    "require_tax",
)


def _snapshot(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for n in names:
        v = getattr(obj, f"{n}_id", None) if hasattr(obj, f"{n}_id") else getattr(obj, n, None)
        out[n] = v if isinstance(v, (int, str, bool, list, dict, type(None))) else str(v)
    return out


def may_manage(user: Any, policy: Policy | None = None) -> bool:
    """Administrators manage the whole catalogue; a department's staff manage its own policies."""
    if scope.is_admin(user):
        return True
    if scope.is_leader(user) or not getattr(user, "is_authenticated", False):
        return False
    depts = scope.scope_for(user).department_ids
    if policy is None:
        return bool(depts)
    return policy.department_id is not None and policy.department_id in depts


def _require_manage(user: Any, policy: Policy | None) -> None:
    if user is not None and not may_manage(user, policy):
        raise ActionError("只有政策主管部门或系统管理员可以维护该政策")


# ---------------------------------------------------------------------------------------------
# Catalogue


def do_save_policy(
    acting_user: Any, policy: Policy | None, data: dict[str, Any], *, reason: str = "", request: Any = None
) -> Policy:
    with transaction.atomic():
        creating = policy is None
        policy = policy or Policy(created_by=acting_user if getattr(acting_user, "pk", None) else None)
        if creating and acting_user is not None and not scope.is_admin(acting_user):
            depts = scope.scope_for(acting_user).department_ids
            if data.get("department") is None or getattr(data["department"], "pk", None) not in depts:
                raise ActionError("请选择本部门作为主管部门")
        _require_manage(acting_user, None if creating else policy)
        before = None if creating else _snapshot(policy, POLICY_FIELDS)
        for k in POLICY_FIELDS:
            if k in data:
                setattr(policy, k, data[k])
        policy.from_ledger = bool(data.get("from_ledger", False if not creating else policy.from_ledger))
        policy.save()
        audit.record(
            acting_user,
            A.POLICY_SAVE,
            policy,
            before=before,
            after=_snapshot(policy, POLICY_FIELDS),
            reason=reason,
            request=request,
        )
    return policy


def do_save_clause(
    acting_user: Any,
    policy: Policy,
    clause: Clause | None,
    data: dict[str, Any],
    *,
    reason: str = "",
    request: Any = None,
) -> Clause:
    conditions = rules.validate(data.get("conditions", clause.conditions if clause else []))
    with transaction.atomic():
        _require_manage(acting_user, policy)
        creating = clause is None
        clause = clause or Clause(policy=policy)
        before = None if creating else _snapshot(clause, CLAUSE_FIELDS)
        for k in CLAUSE_FIELDS:
            if k in data:
                setattr(clause, k, data[k])
        clause.conditions = conditions
        if clause.auto and not rules.decidable(clause):
            raise ActionError("免申即享条款须全部条件可由数据判断（设定申报条件且不填其他条件）")
        if "from_ledger" in data:
            clause.from_ledger = bool(data["from_ledger"])
        clause.save()
        audit.record(
            acting_user,
            A.CLAUSE_SAVE,
            clause,
            before=before,
            after=_snapshot(clause, CLAUSE_FIELDS),
            reason=reason,
            request=request,
        )
    return clause


# ---------------------------------------------------------------------------------------------
# Awards


def _open_award_item(acting_user: Any, award: Award, status: str, request: Any = None) -> None:
    policy = award.clause.policy
    item = work.open_items(
        acting_user,
        [
            work.ItemSpec(
                award,
                "policies.award",
                f"政策兑现：{award.clause.title}（{award.year}年 #{award.pk}）",
                unit=policy.department,
                status=status,
            )
        ],
    )[0]
    award.item = item
    award.save(update_fields=["item"])


def do_apply_award(
    acting_user: Any,
    clause: Clause,
    enterprise: Any,
    *,
    year: int,
    amount_fen: int,
    note: str = "",
    reason: str = "",
    request: Any = None,
) -> Award:
    """Register an enterprise's application (依申请) for a clause; review starts (tracked)."""
    if amount_fen <= 0:
        raise ActionError("申请金额须大于零")
    if acting_user is not None and not scope.can(acting_user, enterprise, scope.CHANGE):
        raise ActionError("该企业不在您的办理范围内")
    with transaction.atomic():
        award = Award.objects.create(
            clause=clause,
            enterprise=enterprise,
            year=year,
            amount_fen=amount_fen,
            status=AwardStatus.SUBMITTED,
            origin=AwardOrigin.APPLICATION,
            applied_on=timezone.localdate(),
            note=note,
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        _open_award_item(acting_user, award, AwardStatus.SUBMITTED, request)
        audit.record(
            acting_user,
            A.AWARD_APPLY,
            award,
            after={"amount_fen": amount_fen, "year": year, "enterprise": enterprise.credit_code},
            reason=reason,
            request=request,
        )
    return award


@dataclass
class Listing:
    clause_id: int
    year: int
    eligible: int = 0
    listed: int = 0
    already: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "clause_id": self.clause_id,
            "year": self.year,
            "eligible": self.eligible,
            "listed": self.listed,
            "already": self.already,
        }


def eligible_rows(who: Any, clause: Clause, year: int) -> list[dict[str, Any]]:
    """The firms (within ``who``'s scope) meeting the clause's conditions for award year ``year``,
    with the figures that qualify them and the amount the rule gives."""
    from peiyu.policies import analytics
    from peiyu.registry.models import Enterprise

    tax = analytics.yearly_tax(who, [year - 1, year - 2])
    qs = (
        scope.restrict(who, Enterprise.objects.all())
        .filter(status__in=rules.ACTIVE)
        .select_related("key_industry", "area")
    )
    out = []
    firms = list(qs)
    for e, facts in zip(firms, rules.facts_for_year(year, firms, tax), strict=True):
        d = rules.decide(clause.conditions, facts)
        if d.eligible:
            out.append(
                {
                    "enterprise": e,
                    "basis": d.basis,
                    "tax_last_year_fen": facts.tax_last_year or 0,
                    "amount_fen": clause.amount_for(facts.tax_last_year or 0),
                }
            )
    return out


def do_list_eligible(
    acting_user: Any, clause: Clause, year: int, *, reason: str = "", request: Any = None
) -> Listing:
    """免申即享: put every firm the data qualify on the clause's list for the year — district-wide
    for administrators and the command line, within the acting user's CHANGE scope otherwise; each
    is asked to confirm (tracked), then publicity and payment follow. Firms already listed or
    awarded for the clause and year are left as they are."""
    if not rules.decidable(clause):
        raise ActionError("该条款含数据无法判断的条件，不能免申即享")
    _require_manage(acting_user, clause.policy)
    res = Listing(clause.pk, year)
    with transaction.atomic():
        who = scope.EVERYTHING if acting_user is None else scope.scope_for(acting_user, scope.CHANGE)
        rows = eligible_rows(who, clause, year)
        res.eligible = len(rows)
        have = set(Award.objects.filter(clause=clause, year=year).values_list("enterprise_id", flat=True))
        for r in rows:
            e = r["enterprise"]
            if e.pk in have or r["amount_fen"] <= 0:
                res.already += 1
                continue
            award = Award.objects.create(
                clause=clause,
                enterprise=e,
                year=year,
                amount_fen=r["amount_fen"],
                status=AwardStatus.ELIGIBLE,
                origin=AwardOrigin.AUTO,
                applied_on=timezone.localdate(),
                basis=r["basis"],
                created_by=acting_user if getattr(acting_user, "pk", None) else None,
            )
            _open_award_item(acting_user, award, AwardStatus.ELIGIBLE, request)
            res.listed += 1
        audit.record(
            acting_user,
            A.AWARD_LIST,
            clause,
            detail={"year": year, "listed": res.listed},
            reason=reason,
            request=request,
        )
    return res


STEP_ACTIONS = {
    "publicity": A.AWARD_PUBLICITY,
    "approved": A.AWARD_APPROVE,
    "paid": A.AWARD_PAY,
    "rejected": A.AWARD_REJECT,
    "declined": A.AWARD_DECLINE,
}


def do_advance_award(
    acting_user: Any,
    award: Award,
    to_status: str,
    *,
    on: dt.date | None = None,
    reason: str = "",
    request: Any = None,
) -> Award:
    """One approval step: 公示 (5 working days from ``on``/today), 公示无异议 (only once the notice has
    run its course), 拨付 (payment date), 不予支持 / 企业放弃 (with a reason)."""
    from peiyu.work import workdays

    if award.item is None:
        raise ActionError("该兑现记录为台账导入的历史记录，无审批流程")
    day = on or timezone.localdate()
    with transaction.atomic():
        award = (
            Award.objects.select_for_update(of=("self",))
            .select_related("item", "clause__policy")
            .get(pk=award.pk)
        )
        if to_status == "approved" and award.publicity_end and award.publicity_end > day:
            raise ActionError(f"公示期至 {award.publicity_end:%Y-%m-%d} 止，期满无异议后方可批准")
        action = (
            A.AWARD_CONFIRM
            if (to_status == "publicity" and award.status == "eligible")
            else STEP_ACTIONS.get(to_status)
        )
        assert award.item is not None
        work.do_transition(
            acting_user, award.item, to_status, reason=reason, request=request, audit_action=action
        )
        award.status = to_status
        if to_status == "publicity":
            award.publicity_start = day
            award.publicity_end = workdays.add_working_days(day, tracked.PUBLICITY_DAYS)
        elif to_status == "paid":
            award.paid_on = day
        award.save()  # the transition's audit row (the step's Action) carries the move
    return award


def do_record_ledger_award(
    acting_user: Any,
    clause: Clause,
    enterprise: Any,
    *,
    year: int,
    amount_fen: int,
    paid_on: dt.date,
    note: str = "",
    reason: str = "",
) -> Award:
    """One row of an existing disbursement ledger: a paid award (no approval steps to run). The
    ledger import records one audit row for the whole file."""
    return Award.objects.create(
        clause=clause,
        enterprise=enterprise,
        year=year,
        amount_fen=amount_fen,
        status=AwardStatus.PAID,
        origin=AwardOrigin.LEDGER,
        paid_on=paid_on,
        note=note or reason[:300],
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )


# ---------------------------------------------------------------------------------------------
# Conditions and clawback


@dataclass
class CheckResult:
    month: str
    checked: int = 0
    breaches: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.month, "checked": self.checked, "breaches": self.breaches}


def _months_back(month: str, n: int) -> list[str]:
    from peiyu.analytics import shift_month

    return [shift_month(month, -i) for i in range(n - 1, -1, -1)]


def _commitment_end(award: Award) -> dt.date:
    assert award.paid_on is not None
    end_year = award.paid_on.year + award.clause.commitment_years
    try:
        return award.paid_on.replace(year=end_year)
    except ValueError:  # paid on 29 February
        return dt.date(end_year, 2, 28)


def recover_amount(award: Award, breach_day: dt.date) -> int:
    """The part of the award to recover: pro rata to the commitment months not served (fen)."""
    years = award.clause.commitment_years
    if not years or award.paid_on is None:
        return award.amount_fen
    total = years * 12
    served = (breach_day.year - award.paid_on.year) * 12 + breach_day.month - award.paid_on.month
    left = max(0, min(total, total - served))
    return award.amount_fen * left // total


def do_check_conditions(
    acting_user: Any, month: str, *, reason: str = "", request: Any = None
) -> CheckResult:
    """Check every paid award still in its commitment period against the data of ``month``: moved
    out / cancelled in the registry (dated event), or no district-level tax for three months while
    it committed to keep paying. Each new breach opens a tracked clawback item for the issuing
    department with the amount to recover."""
    from peiyu.policies import analytics
    from peiyu.registry.models import GONE_STATUSES, EnterpriseEvent

    res = CheckResult(month)
    y, m = int(month[:4]), int(month[5:])
    month_end = (dt.date(y + (m == 12), m % 12 + 1, 1)) - dt.timedelta(days=1)
    awards = list(
        Award.objects.filter(status=AwardStatus.PAID, clause__commitment_years__gt=0, paid_on__lte=month_end)
        .select_related("clause__policy__department", "enterprise")
        .order_by("id")
    )
    live = [a for a in awards if a.paid_on and _commitment_end(a) >= dt.date(y, m, 1)]
    res.checked = len(live)
    window = _months_back(month, 3)
    from peiyu.taxes.analytics import months_available

    have = set(months_available())
    tax = (
        analytics.monthly_tax(scope.EVERYTHING, [w for w in window if w in have])
        if all(w in have for w in window)
        else None
    )
    existing = set(Breach.objects.values_list("award_id", "kind"))
    with transaction.atomic():
        for a in live:
            e = a.enterprise
            found: tuple[str, str, dt.date] | None = None
            if e.status in GONE_STATUSES:
                ev = (
                    EnterpriseEvent.objects.filter(enterprise=e, kind="status", after__in=list(GONE_STATUSES))
                    .order_by("-date")
                    .first()
                )
                day = ev.date if ev else month_end
                if day >= a.paid_on and day <= month_end:  # type: ignore[operator]
                    found = (BreachKind.MOVED_OUT, f"登记状态变更为{e.status}（{day:%Y-%m-%d}）", day)
            if found is None and a.clause.require_tax and tax is not None:
                paid = sum(tax.get(e.pk, {}).get(w, 0) for w in window)
                if paid <= 0 and (a.paid_on or month_end) < dt.date(
                    int(window[0][:4]), int(window[0][5:]), 1
                ):
                    found = (
                        BreachKind.STOPPED_PAYING,
                        f"{window[0]}至{window[-1]}连续三个月无区级税收",
                        month_end,
                    )
            if found is None or (a.pk, found[0]) in existing:
                continue
            kind, detail, day = found
            breach = Breach.objects.create(
                award=a, kind=kind, month=month, detail=detail, recover_fen=recover_amount(a, day)
            )
            item = work.open_items(
                acting_user,
                [
                    work.ItemSpec(
                        breach,
                        "policies.clawback",
                        f"兑现违约追回：{a.clause.title}（{a.year}年 #{a.pk}）",
                        unit=a.clause.policy.department,
                    )
                ],
            )[0]
            breach.item = item
            breach.save(update_fields=["item"])
            existing.add((a.pk, kind))
            res.breaches.append(
                {
                    "award_id": a.pk,
                    "credit_code": e.credit_code,
                    "kind": kind,
                    "detail": detail,
                    "recover_fen": breach.recover_fen,
                }
            )
        audit.record(
            acting_user,
            A.CONDITIONS_CHECK,
            object_type="policies.award",
            object_repr=f"{month} 兑现承诺条件检查",
            detail={"month": month, "breaches": len(res.breaches)},
            reason=reason,
            request=request,
        )
    return res


BREACH_ACTIONS = {"recovering": A.BREACH_RECOVER, "recovered": A.BREACH_RECOVERED, "waived": A.BREACH_WAIVE}


def do_advance_breach(
    acting_user: Any, breach: Breach, to_status: str, *, reason: str = "", request: Any = None
) -> Breach:
    if breach.item is None:
        raise ActionError("该违约记录没有跟踪事项")
    work.do_transition(
        acting_user,
        breach.item,
        to_status,
        reason=reason,
        request=request,
        audit_action=BREACH_ACTIONS.get(to_status),
    )
    return breach
