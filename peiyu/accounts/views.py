"""Login, logout, password change; user management, API tokens and the audit viewer (thin views:
every change goes through :mod:`peiyu.accounts.actions`)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peiyu.accounts import actions, scope
from peiyu.accounts import audit_actions as A
from peiyu.accounts.audit import action_label, record, search
from peiyu.accounts.forms import AuditFilterForm, TokenForm, UserCreateForm, UserEditForm, UserFilterForm
from peiyu.accounts.models import ApiToken, AuditLog, Role, User
from peiyu.accounts.scope import admin_required
from peiyu.accounts.tables import AUDIT, audit_rows

# --- login, logout, password ------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["timeout"] = self.request.GET.get("timeout") == "1"
        ctx["failure_limit"] = settings.AXES_FAILURE_LIMIT
        ctx["lock_minutes"] = lock_minutes()
        return ctx

    def form_valid(self, form: Any) -> Any:
        from peiyu.accounts.passwords import demo_mode, is_demo_password

        response = super().form_valid(form)
        user = cast(User, self.request.user)
        if is_demo_password(form.cleaned_data.get("password") or "") and not demo_mode():
            # the public demo password outside the demo: usable for nothing until changed
            user.must_change_password = True
            user.save(update_fields=["must_change_password"])
            messages.warning(self.request, "你使用的是演示区的公开密码，正式环境中不能使用，请立即修改密码。")
        record(
            self.request.user,
            A.LOGIN,
            self.request.user,
            object_id=self.request.user.username,
            request=self.request,
        )
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            record(request.user, A.LOGOUT, request.user, object_id=request.user.username, request=request)
        return super().post(request, *args, **kwargs)


class NewPasswordForm(PasswordChangeForm):
    def clean_new_password1(self) -> str:
        new: str = self.cleaned_data["new_password1"]  # clean_<field> runs only once the field is valid
        if new and self.user.check_password(new):
            raise forms.ValidationError("新密码不能与当前密码相同。")
        return new


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = NewPasswordForm
    success_url = "/"

    def form_valid(self, form: Any) -> Any:
        from peiyu.accounts.actions import do_change_own_password

        response = super().form_valid(form)
        user = cast(User, self.request.user)  # PasswordChangeView requires login
        revoked = do_change_own_password(user, request=self.request)
        messages.success(
            self.request,
            "密码已修改；你在其他设备上的登录已退出"
            + (f"，{revoked} 个 API 令牌已撤销" if revoked else "")
            + "。",
        )
        return response


def lock_minutes() -> int:
    return round(float(settings.AXES_COOLOFF_TIME) * 60)


def locked_out(request: Any, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes lock-out page (AXES_LOCKOUT_CALLABLE), in Chinese."""
    ctx = {"failure_limit": settings.AXES_FAILURE_LIMIT, "lock_minutes": lock_minutes()}
    status = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)  # axes.conf sets this default at start-up
    return render(request, "accounts/locked.html", ctx, status=status)


def csrf_failure(request: Any, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a Chinese page instead of Django's English one."""
    return render(request, "accounts/csrf_failure.html", {}, status=403)


# --- helpers -------------------------------------------------------------------------------------


def _no_store(response: HttpResponse) -> HttpResponse:
    """Pages that show a secret once must not be cached anywhere."""
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    return response


def _scope_summary(user: User) -> str:
    if user.is_superuser or user.role in (Role.ADMIN, Role.LEADER):
        return "全区"
    return scope.describe(user)


# --- users ---------------------------------------------------------------------------------------


@admin_required
def users(request: Any) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    qs = User.objects.prefetch_related("key_industries", "areas", "departments").order_by("username")
    locked = actions.locked_usernames()
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
        if form.cleaned_data["role"]:
            qs = qs.filter(role=form.cleaned_data["role"])
        status = form.cleaned_data["status"]
        if status == "active":
            qs = qs.filter(is_active=True)
        elif status == "inactive":
            qs = qs.filter(is_active=False)
        elif status == "locked":
            qs = qs.filter(username__in=locked)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [{"user": u, "scope": _scope_summary(u), "locked": u.username in locked} for u in page]
    return render(
        request, "accounts/users.html", {"page_title": "用户与范围", "form": form, "page": page, "rows": rows}
    )


@admin_required
def user_create(request: Any) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user, password = actions.do_create_user(
                request.user,
                username=d["username"],
                display_name=d["display_name"],
                role=d["role"],
                key_industries=d["key_industries"],
                areas=d["areas"],
                departments=d["departments"],
                reason=d["reason"],
                request=request,
            )
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            return _no_store(
                render(
                    request,
                    "accounts/user_password.html",
                    {"page_title": "初始密码", "target": user, "password": password, "created": True},
                )
            )
    return render(
        request, "accounts/user_form.html", {"page_title": "新建用户", "form": form, "target": None}
    )


@admin_required
def user_edit(request: Any, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    initial = {
        "display_name": target.display_name,
        "role": target.role,
        "key_industries": list(target.key_industries.all()),
        "areas": list(target.areas.all()),
        "departments": list(target.departments.all()),
    }
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.do_update_user(
                request.user,
                target,
                display_name=d["display_name"],
                role=d["role"],
                key_industries=d["key_industries"],
                areas=d["areas"],
                departments=d["departments"],
                reason=d["reason"],
                request=request,
            )
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已保存用户 {target.username} 的角色与范围。")
            return redirect("accounts:user_edit", pk=target.pk)
    history = AuditLog.objects.filter(
        Q(object_type="accounts.user", object_id=target.username) | Q(user=target)
    )[:20]
    ctx = {
        "page_title": f"用户：{target.username}",
        "form": form,
        "target": target,
        "scope_text": _scope_summary(target),
        "locked": actions.is_locked(target),
        "liaison_count": target.liaison_enterprises.count(),
        "tokens": ApiToken.objects.filter(user=target),
        "history": [(h, action_label(h.action)) for h in history],
    }
    return render(request, "accounts/user_form.html", ctx)


@admin_required
@require_POST
def user_set_active(request: Any, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        actions.do_set_active(
            request.user, target, active, reason=request.POST.get("reason", ""), request=request
        )
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{'启用' if active else '停用'}用户 {target.username}。")
    return redirect("accounts:user_edit", pk=target.pk)


@admin_required
@require_POST
def user_reset_password(request: Any, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    password = actions.do_reset_password(request.user, target, request=request)
    return _no_store(
        render(
            request,
            "accounts/user_password.html",
            {"page_title": "重置密码", "target": target, "password": password, "created": False},
        )
    )


@admin_required
@require_POST
def user_unlock(request: Any, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    actions.do_unlock(request.user, target, request=request)
    messages.success(request, f"已解除用户 {target.username} 的登录锁定。")
    return redirect("accounts:user_edit", pk=target.pk)


# --- API tokens ----------------------------------------------------------------------------------


def _visible_tokens(user: User):
    qs = ApiToken.objects.select_related("user")
    return qs if user.is_admin else qs.filter(user=user)


@login_required
def tokens(request: Any) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = actions.do_create_token(
                request.user,
                request.user,
                label=form.cleaned_data["label"],
                days=form.cleaned_data["days"],
                request=request,
            )
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            return _no_store(
                render(
                    request,
                    "accounts/token_created.html",
                    {"page_title": "API 令牌", "token": token, "secret": secret},
                )
            )
    now = timezone.now()
    rows = [
        {
            "token": t,
            "status": "已撤销" if t.revoked_at else ("已过期" if t.expires_at <= now else "有效"),
            "active": t.revoked_at is None and t.expires_at > now,
        }
        for t in _visible_tokens(request.user)[:500]
    ]
    ctx = {"page_title": "API 令牌", "form": form, "rows": rows, "show_user": request.user.is_admin}
    return render(request, "accounts/tokens.html", ctx)


@login_required
@require_POST
def token_revoke(request: Any, pk: int) -> HttpResponse:
    token = _visible_tokens(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404("令牌不存在")
    actions.do_revoke_token(request.user, token, request=request)
    messages.success(request, f"已撤销令牌 {token.prefix}…。")
    return redirect("accounts:tokens")


# --- audit viewer --------------------------------------------------------------------------------


@admin_required
def audit(request: Any) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    qs = AuditLog.objects.none()
    filters: dict[str, Any] = {}
    if not request.GET or form.is_valid():
        if form.is_bound:
            d = form.cleaned_data
            filters = {
                "user": d["user"],
                "action": d["action"],
                "since": d["since"],
                "until": d["until"],
                "obj": d["obj"],
            }
        qs = search(**filters)
    if request.GET.get("export") == "xlsx" and (not request.GET or form.is_valid()):
        return _audit_export(request, qs, filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    table = AUDIT.render(audit_rows(page.object_list.select_related("user")), id="audit-table")  # type: ignore[attr-defined]
    return render(
        request, "accounts/audit.html", {"page_title": "审计日志", "form": form, "page": page, "table": table}
    )


def _audit_export(request: Any, qs: Any, filters: dict[str, Any]) -> HttpResponse:
    limit = 100_000
    rows = list(audit_rows(qs.select_related("user")[:limit]))
    described = {k: str(v) for k, v in filters.items() if v}
    record(
        request.user,
        A.AUDIT_EXPORT,
        object_type="accounts.auditlog",
        object_repr="审计日志导出",
        detail={"filters": described, "rows": len(rows)},
        request=request,
    )
    notes = ["筛选条件：" + ("；".join(f"{k}={v}" for k, v in described.items()) or "无")]
    if len(rows) == limit:
        notes.append(f"仅导出最新 {limit} 条，请缩小筛选范围。")
    title = f"审计日志（导出时间 {timezone.localtime():%Y-%m-%d %H:%M}，导出人 {request.user.username}）"
    return AUDIT.xlsx(
        f"审计日志_{timezone.localdate():%Y%m%d}.xlsx", rows, sheet="审计日志", title=title, notes=notes
    )
