"""Forms of the attraction pages; amounts are typed in 万元 and kept as integer fen."""

from __future__ import annotations

from typing import Any

from django import forms

from peiyu.accounts.models import User
from peiyu.attraction.models import (
    AnchorFirm,
    ChainPosition,
    Channel,
    CooperationEvent,
    Fund,
    Project,
    Status,
    Team,
)
from peiyu.core.money import FEN_PER_WAN, AmountError, parse_amount_fen
from peiyu.registry.models import Area, KeyIndustry

WAN_FIELDS = {
    "invest_wan": "invest_fen",
    "promised_tax_wan": "promised_tax_fen",
    "increase_wan": "increase_fen",
}


class ProjectForm(forms.Form):
    team = forms.ModelChoiceField(label="招商小组", queryset=Team.objects.filter(active=True))
    name = forms.CharField(label="项目名称", max_length=200)
    channel = forms.ChoiceField(label="渠道", choices=[("", "—"), *Channel.choices], required=False)
    investor = forms.CharField(label="投资方", max_length=200, required=False)
    invest_wan = forms.CharField(label="计划投资额（万元）", required=False)
    industry = forms.ModelChoiceField(
        label="产业", queryset=KeyIndustry.objects.filter(active=True), required=False
    )
    space_need = forms.CharField(label="空间需求", max_length=200, required=False)
    signed_on = forms.DateField(
        label="签约日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    agreement_terms = forms.CharField(
        label="协议主要条款", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    promised_tax_wan = forms.CharField(label="承诺年税收（万元）", required=False)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    area = forms.ModelChoiceField(label="（拟）落地街道镇", queryset=Area.objects.all(), required=False)
    estimated_landing = forms.DateField(
        label="预计落地日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    anchor = forms.ModelChoiceField(label="链主企业", queryset=AnchorFirm.objects.all(), required=False)
    chain_position = forms.ChoiceField(
        label="产业链位置", choices=[("", "—"), *ChainPosition.choices], required=False
    )
    fund = forms.ModelChoiceField(label="基金", queryset=Fund.objects.all(), required=False)
    event = forms.ModelChoiceField(label="签约活动", queryset=CooperationEvent.objects.all(), required=False)
    partner_city = forms.CharField(label="合作城市", max_length=60, required=False)
    partner_institution = forms.CharField(label="合作机构", max_length=200, required=False)
    is_capital_increase = forms.BooleanField(label="存量企业增资（只计增资额）", required=False)
    increase_wan = forms.CharField(label="增资额（万元）", required=False)
    is_relocation = forms.BooleanField(label="区内企业迁址（不计新项目）", required=False)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="修改说明", required=False)

    def __init__(self, *args: Any, teams: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        for f in self.fields.values():
            css = "form-check-input" if isinstance(f, forms.BooleanField) else "form-control"
            if isinstance(f, forms.ChoiceField) and not isinstance(f, forms.ModelChoiceField):
                css = "form-select"
            f.widget.attrs.setdefault("class", css)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for src, dst in WAN_FIELDS.items():
            raw = (data.get(src) or "").strip()
            if not raw:
                data[dst] = None
                continue
            try:
                data[dst] = parse_amount_fen(raw, FEN_PER_WAN)
            except AmountError as exc:
                self.add_error(src, str(exc))
        return data

    def project_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        keys = [
            "name",
            "channel",
            "investor",
            "industry",
            "space_need",
            "signed_on",
            "agreement_terms",
            "credit_code",
            "area",
            "estimated_landing",
            "anchor",
            "chain_position",
            "fund",
            "event",
            "partner_city",
            "partner_institution",
            "is_capital_increase",
            "is_relocation",
            "note",
        ]
        out = {k: d.get(k) for k in keys}
        for k in (
            "channel",
            "chain_position",
            "investor",
            "space_need",
            "agreement_terms",
            "credit_code",
            "partner_city",
            "partner_institution",
            "note",
        ):
            out[k] = out[k] or ""
        for dst in WAN_FIELDS.values():
            out[dst] = d.get(dst)
        return out

    @classmethod
    def initial_for(cls, p: Project) -> dict[str, Any]:
        from peiyu.core.money import fen_to_wan

        init = {
            k: getattr(p, k)
            for k in (
                "name",
                "channel",
                "investor",
                "space_need",
                "signed_on",
                "agreement_terms",
                "credit_code",
                "estimated_landing",
                "chain_position",
                "partner_city",
                "partner_institution",
                "is_capital_increase",
                "is_relocation",
                "note",
            )
        }
        init.update(
            team=p.team_id,
            industry=p.industry_id,
            area=p.area_id,
            anchor=p.anchor_id,
            fund=p.fund_id,
            event=p.event_id,
        )
        for src, dst in WAN_FIELDS.items():
            v = getattr(p, dst)
            init[src] = "" if v is None else str(fen_to_wan(v))
        return init


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=Status.choices)
    reason = forms.CharField(label="原因", max_length=300, required=False)
    lost_to = forms.CharField(label="流失去向", max_length=100, required=False)


class FollowUpForm(forms.Form):
    text = forms.CharField(label="跟进情况", widget=forms.Textarea(attrs={"rows": 2}))
    problem = forms.CharField(
        label="需协调解决的问题", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    date = forms.DateField(label="日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class TeamForm(forms.Form):
    name = forms.CharField(label="小组名称", max_length=60)
    leader = forms.ModelChoiceField(label="牵头区领导", queryset=User.objects.none(), required=False)
    leader_title = forms.CharField(label="牵头领导职务", max_length=60, required=False)
    members = forms.ModelMultipleChoiceField(label="成员", queryset=User.objects.none(), required=False)
    target_signed = forms.IntegerField(label="年度签约项目目标（个）", min_value=0)
    target_landed = forms.IntegerField(label="年度落地项目目标（个）", min_value=0)
    target_invest_wan = forms.CharField(label="年度签约投资额目标（万元）", required=False)
    order = forms.IntegerField(label="排序", min_value=0)
    active = forms.BooleanField(label="启用", required=False)
    reason = forms.CharField(label="修改说明", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from peiyu.accounts.models import Role

        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = User.objects.filter(role=Role.LEADER, is_active=True)  # type: ignore[attr-defined]
        self.fields["members"].queryset = User.objects.filter(is_active=True).order_by("username")  # type: ignore[attr-defined]
        for f in self.fields.values():
            f.widget.attrs.setdefault(
                "class", "form-check-input" if isinstance(f, forms.BooleanField) else "form-control"
            )

    def clean_target_invest_wan(self) -> int:
        raw = (self.cleaned_data.get("target_invest_wan") or "").strip()
        if not raw:
            return 0
        try:
            return parse_amount_fen(raw, FEN_PER_WAN)
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from exc
