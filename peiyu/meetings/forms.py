from __future__ import annotations

from typing import Any

from django import forms

from peiyu.meetings.models import Meeting


class MinutesForm(forms.Form):
    minutes = forms.CharField(label="会议纪要", widget=forms.Textarea(attrs={"rows": 6}), required=False)
    attendees = forms.CharField(label="参会人员", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    text = forms.CharField(label="议定事项", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(label="责任人", required=False, help_text="用户名")
    unit = forms.ChoiceField(label="责任单位", required=False)
    due = forms.DateField(label="完成时限", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from peiyu.accounts.models import Department
        from peiyu.registry.models import Area

        choices: list[tuple[str, str]] = [("", "（不指定）")]
        choices += [(f"d{d.pk}", d.name) for d in Department.objects.all()]
        choices += [(f"a{a.pk}", a.name) for a in Area.objects.all()]
        self.fields["unit"].choices = choices  # type: ignore[attr-defined]

    def clean_owner(self) -> Any:
        from peiyu.accounts.models import User

        raw = (self.cleaned_data.get("owner") or "").strip()
        if not raw:
            return None
        user = User.objects.filter(username=raw, is_active=True).first()
        if user is None and raw.isdigit():
            user = User.objects.filter(pk=int(raw), is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"没有用户“{raw}”")
        return user

    def clean_unit(self) -> Any:
        from peiyu.accounts.models import Department
        from peiyu.registry.models import Area

        raw = self.cleaned_data.get("unit") or ""
        if not raw:
            return None
        model = Department if raw[0] == "d" else Area
        return model.objects.filter(pk=int(raw[1:])).first()


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消理由", max_length=500)


class ScheduleForm(forms.Form):
    title = forms.CharField(label="会议名称", max_length=200)
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="时间", required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    location = forms.CharField(label="地点", max_length=200, required=False)
    attendees = forms.CharField(label="参会人员", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    agenda = forms.CharField(label="议程", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    data_month = forms.RegexField(
        label="数据月份", regex=r"^\d{4}-\d{2}$", required=False, help_text="YYYY-MM"
    )


STATUS_CHOICES = Meeting.Status.choices
