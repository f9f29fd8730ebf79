from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.utils import timezone

from peiyu.accounts.audit import record


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["timeout"] = self.request.GET.get("timeout") == "1"
        return ctx

    def form_valid(self, form: Any) -> Any:
        response = super().form_valid(form)
        record(self.request.user, "login", self.request.user, request=self.request)
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            record(request.user, "logout", request.user, request=request)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = "/"

    def form_valid(self, form: Any) -> Any:
        response = super().form_valid(form)
        user = self.request.user
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["must_change_password", "password_changed_at"])
        record(user, "password_change", user, request=self.request)
        messages.success(self.request, "密码已修改。")
        return response
