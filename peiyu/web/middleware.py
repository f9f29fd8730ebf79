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
