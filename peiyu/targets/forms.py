"""Forms of the target pages. Amounts are typed in 万元 and converted exactly to fen."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from peiyu.accounts.models import Department
from peiyu.core.money import FEN_PER_WAN, AmountError, fen_to_wan, parse_amount_fen
from peiyu.registry.models import Area, KeyIndustry
from peiyu.targets.models import Target, TargetKind, TargetSettings


class TargetForm(forms.ModelForm):
    target_wan = forms.CharField(label="区级税收目标（万元）", required=False, help_text="税收金额类目标填写")
    departments = forms.ModelMultipleChoiceField(
        label="责任部门",
        queryset=Department.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label="修改说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Target
        fields = [
            "year",
            "name",
            "kind",
            "key_industry",
            "area",
            "growth_pct",
            "target_value",
            "unit",
            "note",
            "order",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["key_industry"]).queryset = KeyIndustry.objects.all()
        cast(forms.ModelChoiceField, self.fields["area"]).queryset = Area.objects.all()
        if self.instance.pk:
            self.fields["departments"].initial = list(self.instance.departments.all())
            if self.instance.target_fen is not None:
                self.fields["target_wan"].initial = str(fen_to_wan(self.instance.target_fen))
        for name, field in self.fields.items():
            if name != "departments":
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)

    def clean_target_wan(self) -> int | None:
        raw = (self.cleaned_data.get("target_wan") or "").strip()
        if not raw:
            return None
        try:
            return parse_amount_fen(raw, FEN_PER_WAN)
        except AmountError as exc:
            raise forms.ValidationError(f"{exc}（单位：万元）") from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # ModelForm.clean() returns cleaned_data
        if data.get("kind") == TargetKind.AMOUNT and data.get("target_wan") is None:
            self.add_error("target_wan", "税收金额类目标须填写区级税收目标（万元）")
        return data


class ReportForm(forms.Form):
    month = forms.CharField(
        label="截至月份",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control"}),
    )
    value = forms.CharField(label="累计完成值", widget=forms.TextInput(attrs={"class": "form-control"}))
    note = forms.CharField(
        label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    attachment = forms.FileField(
        label="附件（证明材料）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )


class SettingsForm(forms.Form):
    green_gap = forms.DecimalField(label="绿色：差距不低于（百分点）", max_digits=5, decimal_places=1)
    yellow_gap = forms.DecimalField(label="黄色：差距不低于（百分点）", max_digits=5, decimal_places=1)
    basis = forms.ChoiceField(label="比较基准", choices=TargetSettings.Basis.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )


class PlanLineForm(forms.Form):
    key_industry = forms.ModelChoiceField(label="重点产业", queryset=KeyIndustry.objects.all())
    base_wan = forms.CharField(label="基期区级税收（万元）")
    goal_wan = forms.CharField(label="目标年区级税收（万元）")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    def _wan(self, name: str) -> int:
        try:
            fen = parse_amount_fen(self.cleaned_data.get(name), FEN_PER_WAN)
        except AmountError as exc:
            raise forms.ValidationError(f"{exc}（单位：万元）") from None
        if fen <= 0:
            raise forms.ValidationError("须大于 0")
        return fen

    def clean_base_wan(self) -> int:
        return self._wan("base_wan")

    def clean_goal_wan(self) -> int:
        return self._wan("goal_wan")


class PlanForm(forms.Form):
    name = forms.CharField(label="规划名称", max_length=100)
    base_year = forms.IntegerField(label="基期年份", min_value=2000, max_value=2100)
    final_year = forms.IntegerField(label="目标年份", min_value=2000, max_value=2100)
    note = forms.CharField(label="说明", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"
