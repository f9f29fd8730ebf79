"""Pages of tracked work (thin: reads in :mod:`queries`/:mod:`bulletin`, changes in :mod:`actions`).

我的待办 (inbox across apps) with its Excel export; one item with its history, notes and actions;
the 督办通报 bulletin; notifications; and, for administrators, the working-day calendar, unit
leaders, scheduled jobs and background jobs (whose progress the starting page polls with htmx).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from peiyu.accounts.audit import record_view
from peiyu.core.export import Column, Table, xlsx_response
from peiyu.work import actions, bulletin, flows, jobs, notify, queries, schedules, workdays
from peiyu.work import audit_actions as A
from peiyu.work.models import Attachment, CalendarDay, CalendarYear, Job, Notification, Schedule, UnitLeader


def admin_required(view: Any) -> Any:
    @login_required
    @functools.wraps(view)
    def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_admin:
            raise PermissionDenied("只有管理员可以访问")
        return view(request, *args, **kwargs)

    return wrapper


# ---------------------------------------------------------------------------------------------
# 我的待办


INBOX_COLUMNS = [
    Column("类型", "kind_label"),
    Column("事项", "title", width=50),
    Column("状态", "status_label"),
    Column("责任人", "owner_name"),
    Column("责任单位", "unit"),
    Column("期限", "due_text"),
    Column("超期", "overdue_text"),
    Column("立项时间", "opened_text"),
]


def _rows(items: list, now: dt.datetime) -> list[dict[str, Any]]:
    out = []
    for i in items:
        r = queries.row(i, now)
        r["due_text"] = (
            f"{timezone.localtime(i.due_at):%Y-%m-%d %H:%M}" if i.due_at else (i.due_problem or "")
        )
        r["overdue_text"] = "超期" if r["overdue"] else ""
        r["opened_text"] = f"{timezone.localtime(i.opened_at):%Y-%m-%d}"
        r["url"] = queries.item_url(i)
        r["item"] = i
        out.append(r)
    return out


@login_required
def inbox(request: Any) -> HttpResponse:
    now = timezone.now()
    items = queries.items_for(request.user, now=now)
    rows = _rows(items, now)
    if request.GET.get("format") == "xlsx":
        record_view(request, A.INBOX_EXPORT, "我的待办", count=len(rows))
        return xlsx_response(
            "我的待办.xlsx",
            [
                Table(
                    "我的待办",
                    INBOX_COLUMNS,
                    rows,
                    title=f"我的待办（{request.user}，{timezone.localtime(now):%Y-%m-%d %H:%M}）",
                    notes=["排序：超期在前，其余按期限先后；期限为当日工作结束时间"],
                )
            ],
        )
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["kind_label"]] = kinds.get(r["kind_label"], 0) + 1
    return render(
        request,
        "work/inbox.html",
        {
            "page_title": "我的待办",
            "rows": rows,
            "counts": queries.counts(request.user, now),
            "kinds": sorted(kinds.items()),
        },
    )


# ---------------------------------------------------------------------------------------------
# One item


def _item_context(request: Any, item: Any, **extra: Any) -> dict[str, Any]:
    flow = flows.get(item.kind)
    user = request.user
    can_note = item.is_open and queries.can_act(user, item, flow.note_moves_to)
    nexts = [
        (code, flow.verb(code), code in flow.reason_required)
        for code in flow.transitions.get(item.status, ())
        if code != item.status and queries.can_act(user, item, code)
    ]
    source = item.source
    source_url = ""
    if flow.source_url is not None and source is not None:
        source_url = flow.source_url(source)
    elif hasattr(source, "credit_code"):
        source_url = (
            reverse("registry:detail", args=[source.credit_code]) if _has_url("registry:detail") else ""
        )
    return {
        "item": item,
        "flow": flow,
        "source": source,
        "source_url": source_url,
        "unit": queries.unit_label(item.unit_type_id, item.unit_id),
        "overdue": item.is_overdue(),
        "deadlines": [
            (flow.label_of(code), due)
            for code, due in actions.stage_deadlines(item).items()
            if due is not None
        ],
        "events": list(item.events.select_related("user")),
        "notes": list(item.notes.select_related("created_by").prefetch_related("attachments")),
        "can_note": can_note,
        "next_steps": nexts,
        "can_reassign": queries.can_reassign(user, item),
        "methods": flow.note_methods,
        "leader": queries.leader_for(item),
        **extra,
    }


def _has_url(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name, args=["x"])
    except NoReverseMatch:
        return False
    return True


@login_required
def item_detail(request: Any, pk: int) -> HttpResponse:
    item = queries.get_or_404(request.user, pk)
    url = queries.item_url(item)
    if url and url != request.path and request.GET.get("generic") != "1":
        return redirect(url)  # a kind with its own page (a warning) is handled there
    return render(request, "work/item.html", {"page_title": item.title, **_item_context(request, item)})


@login_required
@require_POST
def item_action(request: Any, pk: int, action: str) -> HttpResponse:
    item = queries.get_or_404(request.user, pk)
    back = reverse("work:item", args=[pk]) + "?generic=1"
    try:
        if action == "note":
            d = request.POST
            date = dt.date.fromisoformat(d.get("date")) if d.get("date") else None
            actions.do_add_note(
                request.user,
                item,
                text=d.get("text", ""),
                method=d.get("method", ""),
                date=date,
                contact=d.get("contact", ""),
                files=request.FILES.getlist("files"),
                request=request,
            )
            messages.success(request, "已记录跟进")
        elif action == "reassign":
            from peiyu.accounts.models import User

            owner = User.objects.filter(username=request.POST.get("owner", "").strip()).first()
            actions.do_reassign(
                request.user, item, owner, reason=request.POST.get("reason", ""), request=request
            )
            messages.success(request, f"已转派给 {owner}")
        elif action == "transition":
            to = request.POST.get("to", "")
            flow = flows.get(item.kind)
            if to not in dict(flow.choices()):
                raise Http404
            actions.do_transition(
                request.user, item, to, reason=request.POST.get("reason", ""), request=request
            )
            messages.success(request, f"已{flow.verb(to)}")
        else:
            raise Http404
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    except ValueError:
        messages.error(request, "日期格式无效")
    return redirect(back)


@login_required
def attachment(request: Any, pk: int) -> FileResponse:
    a = Attachment.objects.select_related("note__item").filter(pk=pk).first()
    if a is None or not queries.can_see(request.user, a.note.item):
        raise Http404("附件不存在")
    record_view(request, A.ATTACHMENT_VIEW, a.name, item=a.note.item_id)
    return FileResponse(a.file.open("rb"), as_attachment=True, filename=a.name)


# ---------------------------------------------------------------------------------------------
# 督办通报


BULLETIN_COLUMNS = [
    Column("责任单位", "unit", width=24),
    *[Column(f"{m}月到期/超期", f"m{m}") for m in range(1, 13)],
    Column("全年到期", "due"),
    Column("全年超期", "late"),
    Column("按期率（%）", "on_time_pct"),
    Column("目前仍超期未办结", "open_late"),
]


@login_required
def bulletin_page(request: Any) -> HttpResponse:
    now = timezone.now()
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    data = bulletin.bulletin(request.user, year, now)
    record_view(request, A.BULLETIN_VIEW, f"督办通报 {year}", count=len(data["rows"]))
    if request.GET.get("format") == "xlsx":
        rows = []
        for r in data["rows"]:
            d = {k: r[k] for k in ("unit", "due", "late", "on_time_pct", "open_late")}
            for m, cell in zip(data["months"], r["months"], strict=True):
                d[f"m{m}"] = f"{cell['due']}/{cell['late']}" if cell["due"] else ""
            rows.append(d)
        return xlsx_response(
            f"督办通报_{year}.xlsx",
            [
                Table(
                    "督办通报",
                    BULLETIN_COLUMNS,
                    rows,
                    title=f"{year} 年督办通报（按责任单位、按月：到期件数/超期件数）",
                    notes=["超期：期限已过仍未办结，或办结晚于期限；期限按工作日计算，至当日工作结束"],
                )
            ],
        )
    return render(
        request,
        "work/bulletin.html",
        {"page_title": "督办通报", "data": data, "year": year, "years": list(range(year - 3, year + 2))},
    )


# ---------------------------------------------------------------------------------------------
# Notifications


@login_required
def notifications(request: Any) -> HttpResponse:
    if request.method == "POST":
        notify.mark_read(request.user)
        return redirect("work:notifications")
    rows = list(Notification.objects.filter(user=request.user)[:200])
    return render(request, "work/notifications.html", {"page_title": "消息通知", "rows": rows})


@login_required
def notification_open(request: Any, pk: int) -> HttpResponse:
    n = Notification.objects.filter(pk=pk, user=request.user).first()
    if n is None:
        raise Http404("通知不存在")
    notify.mark_read(request.user, [n.pk])
    return redirect(n.url or "work:notifications")


# ---------------------------------------------------------------------------------------------
# Calendar (administrators)


@admin_required
def calendar_page(request: Any) -> HttpResponse:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "day":
                day = dt.date.fromisoformat(request.POST.get("date", ""))
                kind = request.POST.get("kind", "")
                value = {"off": False, "on": True, "normal": None}.get(kind, "bad")
                if value == "bad":
                    raise actions.ActionError("请选择放假、上班或恢复为平常日")
                actions.do_set_calendar_day(
                    request.user,
                    day,
                    value,  # type: ignore[arg-type]
                    request.POST.get("name", ""),
                    reason=request.POST.get("reason", ""),
                    request=request,
                )
                messages.success(request, f"已修改 {day.isoformat()}")
                year = day.year
            elif op == "import":
                f = request.FILES.get("file")
                if f is None:
                    raise actions.ActionError("请选择文件")
                import tempfile
                from pathlib import Path

                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / Path(f.name).name
                    with open(path, "wb") as out:
                        for chunk in f.chunks():
                            out.write(chunk)
                    res = actions.do_import_calendar(request.user, path, filename=f.name, request=request)
                if res.errors:
                    return render(
                        request,
                        "work/calendar.html",
                        {**_calendar_context(year), "errors": res.errors, "page_title": "工作日历"},
                    )
                messages.success(
                    request,
                    f"已导入 {'、'.join(map(str, res.years))} 年：放假 {res.holidays} 天，调休上班 {res.workdays} 天",
                )
                year = res.years[0]
            elif op == "seed":
                y = int(request.POST.get("year", "0"))
                actions.do_seed_calendar(request.user, y, request=request)
                messages.success(request, f"已按程序包载入 {y} 年")
                year = y
        except actions.ActionError as exc:
            messages.error(request, str(exc))
        except ValueError:
            messages.error(request, "日期或年份格式无效")
        return redirect(reverse("work:calendar") + f"?year={year}")
    return render(request, "work/calendar.html", {**_calendar_context(year), "page_title": "工作日历"})


def _calendar_context(year: int) -> dict[str, Any]:
    known = workdays.is_known(year)
    years = list(CalendarYear.objects.all())
    return {
        "year": year,
        "known": known,
        "missing": None if known else str(workdays.CalendarMissing(year)),
        "years": years,
        "year_row": CalendarYear.objects.filter(year=year).first(),
        "days": list(CalendarDay.objects.filter(date__year=year)),
        "package_years": sorted(workdays.package_years()),
        "next_year_known": CalendarYear.objects.filter(year=timezone.localdate().year + 1).exists()
        or (timezone.localdate().year + 1) in workdays.package_years(),
        "next_year": timezone.localdate().year + 1,
        "workday_end": workdays.workday_end(),
    }


# ---------------------------------------------------------------------------------------------
# Unit leaders (administrators)


def _units() -> list[tuple[str, Any]]:
    from django.apps import apps

    out: list[tuple[str, Any]] = []
    for kind in flows.unit_kinds():
        model = apps.get_model(kind.model)
        for unit in model._default_manager.all():
            out.append((kind.label, unit))
    return out


@admin_required
def leaders_page(request: Any) -> HttpResponse:
    from django.contrib.contenttypes.models import ContentType

    from peiyu.accounts.models import User

    if request.method == "POST":
        model_label, _, pk = request.POST.get("unit", "").partition(":")
        try:
            from django.apps import apps

            model = apps.get_model(model_label)
            unit = model._default_manager.get(pk=int(pk))
        except (LookupError, ValueError, Exception):
            raise Http404("单位不存在") from None
        username = request.POST.get("leader", "").strip()
        leader = User.objects.filter(username=username).first() if username else None
        if username and leader is None:
            messages.error(request, f"用户不存在：{username}")
        else:
            try:
                actions.do_set_unit_leader(request.user, unit, leader, request=request)
                messages.success(
                    request, f"{unit}：{'负责人已设为 ' + str(leader) if leader else '已清除负责人'}"
                )
            except actions.ActionError as exc:
                messages.error(request, str(exc))
        return redirect("work:leaders")
    current = {(r.unit_type_id, r.unit_id): r.leader for r in UnitLeader.objects.select_related("leader")}
    rows = []
    for label, unit in _units():
        ct = ContentType.objects.get_for_model(type(unit))
        rows.append(
            {
                "kind": label,
                "unit": unit,
                "key": f"{unit._meta.label}:{unit.pk}",
                "leader": current.get((ct.pk, unit.pk)),
            }
        )
    users = User.objects.filter(is_active=True).order_by("username")
    return render(request, "work/leaders.html", {"page_title": "单位负责人", "rows": rows, "users": users})


# ---------------------------------------------------------------------------------------------
# Schedules and jobs (administrators)


@admin_required
def schedules_page(request: Any) -> HttpResponse:
    schedules.ensure_defaults()
    if request.method == "POST":
        s = Schedule.objects.filter(pk=request.POST.get("schedule") or 0).first()
        if s is None:
            raise Http404("定时任务不存在")
        if request.POST.get("run"):
            if not schedules.available(s):
                messages.error(request, f"“{s.label}”的后台任务尚未提供（相关模块未安装）")
                return redirect("work:schedules")
            job = jobs.start(
                s.job_kind, user=request.user, label=s.label, schedule=s, request=request, **s.params
            )
            return redirect(reverse("work:jobs") + f"?job={job.pk}")
        try:
            t = dt.time.fromisoformat(request.POST.get("time_of_day") or s.time_of_day.isoformat())
            changes: dict[str, Any] = {"enabled": request.POST.get("enabled") == "on", "time_of_day": t}
            if s.cadence == Schedule.Cadence.MONTHLY:
                changes["day_of_month"] = int(request.POST.get("day_of_month") or s.day_of_month)
            actions.do_update_schedule(request.user, s, changes, request=request)
            messages.success(request, f"已保存：{s.label}")
        except actions.ActionError as exc:
            messages.error(request, str(exc))
        except ValueError:
            messages.error(request, "时间或日期格式无效")
        return redirect("work:schedules")
    rows = [(s, schedules.available(s)) for s in Schedule.objects.all()]
    return render(
        request,
        "work/schedules.html",
        {"page_title": "定时任务", "rows": rows, "workers": jobs.workers_alive()},
    )


# jobs an administrator may start by hand from the jobs page (no parameters needed)
STARTABLE = ("registry.reclassify", "work.daily", "work.selftest")


@admin_required
def jobs_page(request: Any) -> HttpResponse:
    if request.method == "POST" and request.POST.get("start"):
        kind = request.POST["start"]
        if kind not in STARTABLE or kind not in jobs.HANDLERS:
            raise Http404("任务不存在")
        params: dict[str, Any] = {"units": 5, "pause": 0.5} if kind == "work.selftest" else {}
        started = jobs.start(kind, user=request.user, request=request, **params)
        return redirect(reverse("work:jobs") + f"?job={started.pk}")
    jobs.reap()
    job: Job | None = None
    if (request.GET.get("job") or "").isdigit():
        job = Job.objects.filter(pk=int(request.GET["job"])).first()
    return render(
        request,
        "work/jobs.html",
        {
            "page_title": "后台任务",
            "rows": list(Job.objects.select_related("created_by")[:100]),
            "job": job,
            "workers": jobs.workers_alive(),
            "startable": [(k, jobs.label_of(k)) for k in STARTABLE if k in jobs.HANDLERS],
        },
    )


@login_required
def job_status(request: Any, pk: int) -> HttpResponse:
    """The progress card of one job (the starting page polls it with htmx every second)."""
    job = Job.objects.filter(pk=pk).select_related("created_by").first()
    if job is None or not (request.user.is_admin or job.created_by_id == request.user.pk):
        raise Http404("任务不存在")
    if job.status == Job.Status.RUNNING:
        jobs.reap(job)
        job.refresh_from_db()
    return render(request, "work/_job.html", {"job": job, "workers": None})
