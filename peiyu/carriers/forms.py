"""Forms of the carriers' pages (validation only; writes go through :mod:`peiyu.carriers.actions`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from peiyu.carriers.models import Carrier, CarrierSettings, RentRule, Scheme


class CarrierForm(forms.ModelForm):
    class Meta:
        model = Carrier
        fields = [
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
        ]
        widgets = {"services": forms.Textarea(attrs={"rows": 2}), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, areas: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if areas is not None:
            self.fields["area"].queryset = areas  # type: ignore[attr-defined]
        for f in self.fields.values():
            f.widget.attrs.setdefault(
                "class", "form-check-input" if isinstance(f.widget, forms.CheckboxInput) else "form-control"
            )


class TenancyForm(forms.Form):
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18)
    area_m2 = forms.DecimalField(
        label="租用面积（㎡）", min_value=Decimal(0), max_digits=10, decimal_places=2
    )
    move_in = forms.DateField(label="入驻日期")
    move_out = forms.DateField(label="迁出日期", required=False)
    reason = forms.CharField(label="说明", required=False, max_length=200)


class EndTenancyForm(forms.Form):
    move_out = forms.DateField(label="迁出/毕业日期")
    graduated = forms.BooleanField(label="毕业", required=False)
    reason = forms.CharField(label="说明", required=False, max_length=200)


class SettingsForm(forms.ModelForm):
    yi_wan = forms.DecimalField(label="亿元楼门槛（万元）", min_value=Decimal(1), decimal_places=2)
    qianwan_wan = forms.DecimalField(label="千万元楼门槛（万元）", min_value=Decimal(1), decimal_places=2)

    class Meta:
        model = CarrierSettings
        fields = ["basis", "candidate_pct"]


class RentRuleForm(forms.ModelForm):
    cap_firm_wan = forms.DecimalField(label="单个企业上限（万元）", min_value=Decimal(0), decimal_places=2)

    class Meta:
        model = RentRule
        fields = [
            "name",
            "base_year",
            "pct",
            "cap_per_m2_yuan",
            "min_area_m2",
            "key_industry_only",
            "industries",
            "active",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 2}), "industries": forms.CheckboxSelectMultiple}


class SchemeForm(forms.ModelForm):
    support_a_wan = forms.DecimalField(label="A 级支持（万元）", min_value=Decimal(0), decimal_places=2)
    support_b_wan = forms.DecimalField(label="B 级支持（万元）", min_value=Decimal(0), decimal_places=2)
    support_c_wan = forms.DecimalField(label="C 级支持（万元）", min_value=Decimal(0), decimal_places=2)
    cap_wan = forms.DecimalField(label="支持上限（万元）", min_value=Decimal(0), decimal_places=2)

    class Meta:
        model = Scheme
        fields = ["grade_a", "grade_b", "grade_c", "publicity_days"]


class MapForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100, initial="普陀区街道镇边界")
    file = forms.FileField(label="GeoJSON 文件")


def wan_to_fen(value: Decimal) -> int:
    return int((value * 1_000_000).quantize(Decimal(1)))
