"""Chinese first: the interface language is the one the user chose with the switch (cookie), else
zh-hans — never guessed from the browser's Accept-Language, so an English-language browser on a
government PC still shows the Chinese interface until the user switches."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation


class ChineseFirstLocaleMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: Any) -> Any:
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in self.supported:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response


class RejectNulBytesMiddleware:
    """A NUL character can never be meaningful in a path or a form value, and PostgreSQL refuses
    string literals containing it: answer 400 with a Chinese message instead of failing later."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if (
            "\x00" in request.path
            or self._has_nul(request.GET)
            or (
                request.method == "POST"
                and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
                and self._has_nul(request.POST)
            )
        ):
            from django.http import HttpResponseBadRequest, JsonResponse

            message = "请求参数含有非法字符（NUL）"
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(query: Any) -> bool:
        return any("\x00" in key or any("\x00" in v for v in query.getlist(key)) for key in query)
