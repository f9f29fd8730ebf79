from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from peiyu.alerts.models import SETTINGS_FIELDS, AlertSettings, FollowUpKind, KeyEnterpriseOverride
from peiyu.core.money import FEN_PER_WAN


class NoteForm(forms.Form):
    note = forms.CharField(
        label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label="方式", choices=FollowUpKind.choices)
    date = forms.DateField(
        label="日期", initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    contact = forms.CharField(label="企业联系人", required=False, max_length=100)
    note = forms.CharField(label="情况记录", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ReassignForm(forms.Form):
    owner = forms.CharField(label="新责任人（用户名）", max_length=150)
    reason = forms.CharField(label="说明", required=False, max_length=2000)


class OverrideForm(forms.Form):
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18)
    kind = forms.ChoiceField(label="调整", choices=KeyEnterpriseOverride.Kind.choices)
    reason = forms.CharField(label="理由", max_length=2000)


class SettingsForm(forms.ModelForm):
    key_threshold_wan = forms.DecimalField(
        label="重点企业门槛：近12个月区级税收（万元）", min_value=Decimal(0), max_digits=14, decimal_places=2
    )

    series_min_wan = forms.DecimalField(
        label="重要性门槛：近12个月区级税收低于（万元）的企业不套用序列规则",
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )

    class Meta:
        model = AlertSettings
        fields = [f for f in SETTINGS_FIELDS if f not in ("key_threshold_fen", "series_min_fen")]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_threshold_wan"].initial = Decimal(self.instance.key_threshold_fen) / FEN_PER_WAN
        self.fields["series_min_wan"].initial = Decimal(self.instance.series_min_fen) / FEN_PER_WAN
        first = ["key_threshold_wan", "key_window_months", "top_n_per_industry", "series_min_wan"]
        order = first + [f for f in self.fields if f not in first]
        self.order_fields(order)
        for name, field in self.fields.items():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("id", f"id_{name}")

    def changes(self) -> dict:
        d = dict(self.cleaned_data)
        wan = d.pop("key_threshold_wan")
        d["key_threshold_fen"] = int(wan * FEN_PER_WAN)
        d["series_min_fen"] = int(d.pop("series_min_wan") * FEN_PER_WAN)
        return d
