"""Pages of the meetings core: the list, one meeting (pack, minutes, decisions) and its Word /
Excel pack. Thin: reads in :mod:`queries`, writes in :mod:`actions`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from peiyu.accounts import scope as scope_mod
from peiyu.accounts.audit import record_view
from peiyu.core import documents
from peiyu.meetings import actions, kinds, queries
from peiyu.meetings import audit_actions as A
from peiyu.meetings import render as rendering
from peiyu.meetings.forms import CancelForm, DecisionForm, MinutesForm
from peiyu.meetings.models import Meeting


def _get(request: Any, pk: int, action: str = scope_mod.VIEW) -> Meeting:
    return scope_mod.get_object_or_404(
        request.user,
        Meeting.objects.select_related("industry", "area"),
        action=action,
        request=request,
        missing="会议不存在",
        pk=pk,
    )


def _sections(request: Any, meeting: Meeting) -> tuple[list[Any], bool]:
    """The prepared pack, or (not prepared yet) a preview built now from what the viewer sees."""
    if meeting.pack_prepared_at is not None:
        return meeting.sections(), True
    if meeting.status == Meeting.Status.CANCELLED:
        return [], False
    return queries.build_pack(meeting, request.user), False


@login_required
def meeting_list(request: Any) -> HttpResponse:
    qs = queries.visible(request.user)
    kind = request.GET.get("kind") or ""
    if kind:
        qs = qs.filter(kind=kind)
    meetings = list(qs[:300])
    return render(
        request,
        "meetings/list.html",
        {"page_title": "会议", "meetings": meetings, "kinds": kinds.choices(), "kind": kind},
    )


@login_required
def detail(request: Any, pk: int) -> HttpResponse:
    meeting = _get(request, pk)
    sections, prepared = _sections(request, meeting)
    record_view(request, A.PACK_EXPORT, str(meeting), format="page", meeting=meeting.pk)
    kind = kinds.get(meeting.kind)
    can_change = queries.can_change(request.user, meeting)
    return render(
        request,
        "meetings/detail.html",
        {
            "page_title": meeting.title,
            "meeting": meeting,
            "kind": kind,
            "owner_url": kind.url(meeting) if kind is not None and kind.url is not None else "",
            "sections": rendering.display(sections),
            "prepared": prepared,
            "decisions": queries.decisions_of(meeting),
            "previous": queries.previous(meeting),
            "can_change": can_change and meeting.status != Meeting.Status.CANCELLED,
            "minutes_form": MinutesForm(initial={"minutes": meeting.minutes, "attendees": meeting.attendees}),
            "decision_form": DecisionForm(),
        },
    )


def _title(meeting: Meeting) -> str:
    return f"{meeting.title}会议材料"


@login_required
def pack_docx(request: Any, pk: int) -> HttpResponse:
    meeting = _get(request, pk)
    sections, _ = _sections(request, meeting)
    record_view(request, A.PACK_EXPORT, str(meeting), format="docx", meeting=meeting.pk)
    data = rendering.docx_bytes(
        title=_title(meeting), sections=sections, subtitle=meeting.kind_label, date=meeting.date
    )
    return documents.docx_response(f"{_title(meeting)}.docx", data)


@login_required
def pack_xlsx(request: Any, pk: int) -> HttpResponse:
    meeting = _get(request, pk)
    sections, _ = _sections(request, meeting)
    record_view(request, A.PACK_EXPORT, str(meeting), format="xlsx", meeting=meeting.pk)
    data = rendering.xlsx_bytes(title=_title(meeting), sections=sections)
    return documents.xlsx_response(f"{_title(meeting)}.xlsx", data)


def _changeable(request: Any, pk: int) -> Meeting:
    meeting = _get(request, pk)
    if not queries.can_change(request.user, meeting):
        scope_mod.denied(request, request.user, meeting, action=scope_mod.CHANGE)
        raise PermissionDenied(scope_mod.read_only_message(request.user))
    return meeting


@login_required
@require_POST
def prepare(request: Any, pk: int) -> HttpResponse:
    meeting = _changeable(request, pk)
    try:
        actions.do_prepare_pack(request.user, meeting, request=request)
        messages.success(request, "会议材料已生成")
    except actions.MeetingError as exc:
        messages.error(request, str(exc))
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_POST
def minutes(request: Any, pk: int) -> HttpResponse:
    meeting = _changeable(request, pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            actions.do_record_minutes(
                request.user,
                meeting,
                form.cleaned_data["minutes"],
                attendees=form.cleaned_data["attendees"] or None,
                request=request,
            )
            messages.success(request, "会议纪要已保存")
        except actions.MeetingError as exc:
            messages.error(request, str(exc))
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_POST
def add_decision(request: Any, pk: int) -> HttpResponse:
    meeting = _changeable(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("meetings:detail", pk=meeting.pk)
    try:
        actions.do_add_decision(
            request.user,
            meeting,
            text=form.cleaned_data["text"],
            owner=form.cleaned_data["owner"],
            unit=form.cleaned_data["unit"],
            due=form.cleaned_data["due"],
            request=request,
        )
        messages.success(request, "议定事项已交办")
    except actions.MeetingError as exc:
        messages.error(request, str(exc))
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_POST
def cancel(request: Any, pk: int) -> HttpResponse:
    meeting = _changeable(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            actions.do_cancel_meeting(
                request.user, meeting, reason=form.cleaned_data["reason"], request=request
            )
            messages.success(request, "会议已取消")
        except actions.MeetingError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "请填写取消理由")
    return redirect("meetings:detail", pk=meeting.pk)
