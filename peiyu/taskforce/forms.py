from __future__ import annotations

from django import forms

from peiyu.taskforce.models import ContactLog, PublicityEvent


class ScheduleForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="时间", required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    title = forms.CharField(label="会议名称", max_length=200, required=False)
    location = forms.CharField(label="地点", max_length=200, required=False)
    attendees = forms.CharField(label="参会人员", required=False)


class ContactForm(forms.Form):
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18)
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.ChoiceField(label="方式", choices=ContactLog.Method.choices)
    contact = forms.CharField(label="企业联系人", max_length=60, required=False)
    summary = forms.CharField(label="情况", widget=forms.Textarea(attrs={"rows": 2}))
    needs = forms.CharField(label="企业诉求", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18)
    user = forms.CharField(label="联络员用户名", max_length=150)
    reason = forms.CharField(label="理由", max_length=300, required=False)


class ProgressForm(forms.Form):
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 3}))
    done = forms.DateField(label="完成日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.CharField(label="佐证材料", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PublicityForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=PublicityEvent.Kind.choices)
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    theme = forms.CharField(label="主题", max_length=200)
    policies = forms.CharField(label="发布政策", required=False)
    outlets = forms.CharField(label="媒体", max_length=300, required=False)  # "media" is Form.media
    inquiries = forms.IntegerField(label="此后咨询（件）", min_value=0, required=False)
    applications = forms.IntegerField(label="此后申报（件）", min_value=0, required=False)
