"""Forms of the policy pages (amounts typed in 万元, stored as fen)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms

from peiyu.core.money import parse_amount_fen
from peiyu.policies import rules
from peiyu.policies.models import Clause, Policy
from peiyu.registry.models import KeyIndustry

WAN_FEN = 1_000_000


class WanField(forms.CharField):
    """An amount in 万元 → integer fen (None when blank)."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = (value or "").strip()
        if not text:
            return None
        try:
            return parse_amount_fen(text, WAN_FEN)
        except ValueError as exc:
            raise forms.ValidationError(f"金额无法识别：{text}（单位：万元）") from exc


def wan_initial(fen: int | None) -> str:
    if fen is None:
        return ""
    from decimal import Decimal

    return format(Decimal(fen) / WAN_FEN, "f").rstrip("0").rstrip(".")


class PolicyForm(forms.ModelForm):
    budget = WanField(label="年度预算（万元）", required=False)

    class Meta:
        model = Policy
        fields = [
            "name",
            "doc_number",
            "kind",
            "department",
            "key_industry",
            "round",
            "valid_from",
            "valid_to",
            "summary",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["key_industry"].queryset = KeyIndustry.objects.filter(active=True)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["budget"].initial = wan_initial(self.instance.budget_fen)
        for f in self.fields.values():
            f.widget.attrs.setdefault(
                "class", "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            )

    def data_dict(self) -> dict[str, Any]:
        d = {k: self.cleaned_data[k] for k in self.Meta.fields}
        d["budget_fen"] = self.cleaned_data.get("budget")
        return d


CONDITIONS_HELP = (
    '每行一个条件，JSON 格式，例如：{"field": "tax_last_year", "op": ">=", "value": 100000000}（上年区级税收不低于'
    "100万元，金额单位为分）。字段：" + "、".join(f"{k}（{v}）" for k, v in rules.FIELDS.items())
)


class ClauseForm(forms.ModelForm):
    fixed = WanField(label="定额（万元）", required=False)
    cap = WanField(label="单户上限（万元）", required=False)
    budget = WanField(label="年度预算（万元）", required=False)
    conditions_text = forms.CharField(
        label="申报条件", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=CONDITIONS_HELP
    )

    class Meta:
        model = Clause
        fields = [
            "number",
            "title",
            "support_type",
            "amount_rule",
            "rate_pct",
            "other_requirements",
            "auto",
            "commitment_years",
            "require_tax",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        inst = self.instance
        if inst.pk:
            self.fields["fixed"].initial = wan_initial(inst.fixed_fen)
            self.fields["cap"].initial = wan_initial(inst.cap_fen)
            self.fields["budget"].initial = wan_initial(inst.budget_fen)
            self.fields["conditions_text"].initial = "\n".join(
                json.dumps(c, ensure_ascii=False) for c in inst.conditions or []
            )
        for f in self.fields.values():
            if isinstance(f.widget, forms.CheckboxInput):
                f.widget.attrs.setdefault("class", "form-check-input")
            else:
                f.widget.attrs.setdefault(
                    "class", "form-select" if isinstance(f.widget, forms.Select) else "form-control"
                )

    def clean_conditions_text(self) -> list[dict[str, Any]]:
        out = []
        for i, line in enumerate((self.cleaned_data.get("conditions_text") or "").splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except ValueError as exc:
                raise forms.ValidationError(f"第 {i} 行不是有效的条件：{line[:60]}") from exc
        try:
            return rules.validate(out)
        except rules.RuleError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def data_dict(self) -> dict[str, Any]:
        d = {k: self.cleaned_data[k] for k in self.Meta.fields}
        d["fixed_fen"] = self.cleaned_data.get("fixed")
        d["cap_fen"] = self.cleaned_data.get("cap")
        d["budget_fen"] = self.cleaned_data.get("budget")
        d["conditions"] = self.cleaned_data.get("conditions_text") or []
        return d


class ApplyForm(forms.Form):
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18)
    clause = forms.ModelChoiceField(label="条款", queryset=Clause.objects.none())
    year = forms.IntegerField(label="兑现年度", min_value=2000, max_value=2100, initial=dt.date.today().year)
    amount = WanField(label="申请金额（万元）")
    note = forms.CharField(label="备注", required=False, max_length=300)

    def __init__(self, *args: Any, clauses: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if clauses is not None:
            self.fields["clause"].queryset = clauses  # type: ignore[attr-defined]
        for f in self.fields.values():
            f.widget.attrs.setdefault(
                "class", "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            )


class StepForm(forms.Form):
    to = forms.CharField(max_length=20)
    on = forms.DateField(required=False)
    reason = forms.CharField(required=False, max_length=500)
