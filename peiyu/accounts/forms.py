from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings

from peiyu.accounts.actions import MAX_TOKEN_DAYS
from peiyu.accounts.audit import action_label, actions
from peiyu.accounts.models import Department, Role

if TYPE_CHECKING:
    from peiyu.registry.models import Area, KeyIndustry


class ScopeFieldsMixin(forms.Form):
    display_name = forms.CharField(label="姓名", max_length=60, required=False)
    role = forms.ChoiceField(
        label="角色", choices=Role.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    key_industries: forms.ModelMultipleChoiceField[KeyIndustry] = forms.ModelMultipleChoiceField(
        label="产业范围",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    areas: forms.ModelMultipleChoiceField[Area] = forms.ModelMultipleChoiceField(
        label="区域范围（街道镇、重点地区）",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    departments: forms.ModelMultipleChoiceField[Department] = forms.ModelMultipleChoiceField(
        label="所属部门（含部门主管的产业）",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(label="变更原因", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from peiyu.registry.models import Area, KeyIndustry

        fields = self.fields
        cast(forms.ModelMultipleChoiceField, fields["key_industries"]).queryset = KeyIndustry.objects.all()
        cast(forms.ModelMultipleChoiceField, fields["areas"]).queryset = Area.objects.all()
        cast(forms.ModelMultipleChoiceField, fields["departments"]).queryset = Department.objects.all()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # forms.Form.clean() returns cleaned_data
        role = data.get("role")
        has_scope = data.get("key_industries") or data.get("areas") or data.get("departments")
        if role in (Role.TASKFORCE, Role.DEPARTMENT, Role.AREA) and not has_scope:
            self.add_error(None, "该角色须至少选择一个产业、区域或部门范围，否则看不到任何数据。")
        return data


class UserCreateForm(ScopeFieldsMixin):
    username = forms.RegexField(
        label="用户名",
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": "用户名只能包含字母、数字、汉字和 @ . + - _"},
    )

    field_order = ["username", "display_name", "role", "key_industries", "areas", "departments", "reason"]


class UserEditForm(ScopeFieldsMixin):
    pass


class UserFilterForm(forms.Form):
    q = forms.CharField(label="用户名或姓名", required=False)
    role = forms.ChoiceField(
        label="角色",
        choices=[("", "全部角色"), *Role.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label="状态",
        choices=[("", "全部"), ("active", "启用"), ("inactive", "已停用"), ("locked", "已锁定")],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class TokenForm(forms.Form):
    label = forms.CharField(
        label="用途", max_length=100, required=False, help_text="例如：月报脚本、数据中台对接"
    )
    days = forms.IntegerField(label="有效天数", min_value=1, max_value=MAX_TOKEN_DAYS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.API_TOKEN_DAYS


class AuditFilterForm(forms.Form):
    user = forms.CharField(label="用户", required=False)
    action = forms.ChoiceField(
        label="操作", required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    since = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    obj = forms.CharField(label="对象", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from peiyu.accounts.models import AuditLog

        known = {name: a.label for name, a in actions().items()}
        for code in AuditLog.objects.order_by().values_list("action", flat=True).distinct():
            if action_label(code) == code:  # a code no installed app declares (any more)
                known.setdefault(code, code)
        cast(forms.ChoiceField, self.fields["action"]).choices = [("", "全部操作")] + sorted(
            ((code, label) for code, label in known.items()), key=lambda c: c[0]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # forms.Form.clean() returns cleaned_data
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "截止日期不能早于起始日期。")
        return data
