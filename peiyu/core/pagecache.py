"""Whole pages reused until the data changes: the read-mostly pages officials open all day.

``@reused_page`` on a GET view keeps the rendered response for one user (and their access epoch),
one full path (query string included), one htmx target and one day, in the process's local-memory
cache, under the data generation of :mod:`peiyu.core.datacache`: any write to the database or to
the tax library makes every stored page stale at once; ``datacache.TTL`` bounds how long a figure
derived from the clock can lag. What must still happen on every request happens:

- **audit**: the audit rows the view wrote while rendering (``record_view`` for a look at tax
  figures) are stored with the page and written again, with this request's time and address, each
  time it is served;
- **CSRF**: the forms' tokens are taken out before storing and this request's own token is put in
  when serving (a page stored from one browser never carries another session's token);
- **messages**: a request with a pending message (after a redirect) renders the page afresh, and a
  page that shows one is not stored;
- only a ``200`` HTML or JSON response that sets no cookie is stored; exports, errors, redirects,
  POSTs, token-authenticated API calls and anonymous requests are never touched.

``PEIYU_DATA_CACHE = False`` (settings) turns this off with the rest of the data cache.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token

from peiyu.core import datacache

_capture: contextvars.ContextVar[list[dict[str, Any]] | None] = contextvars.ContextVar(
    "peiyu_page_audit", default=None
)
_PLACEHOLDER = "__peiyu_csrf_token__"
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{32,64})"')
_STORED_TYPES = ("text/html", "application/json")
_KEPT_HEADERS = ("content-type", "content-language", "vary", "cache-control")


def capturing() -> list[dict[str, Any]] | None:
    """The audit rows being collected for the page now rendering (None when none is)."""
    return _capture.get()


def _key(request: Any, name: str) -> str:
    parts = "\x1f".join(
        (
            name,
            request.get_full_path(),
            request.headers.get("HX-Request", ""),
            request.headers.get("HX-Target", ""),
            getattr(request, "LANGUAGE_CODE", ""),
        )
    )
    digest = hashlib.sha1(parts.encode("utf-8"), usedforsecurity=False).hexdigest()
    today = dt.date.today().isoformat()
    return f"peiyu:page:{datacache.generation()}:{datacache.user_key(request.user)}:{today}:{digest}"


def _pending_messages(request: Any) -> bool:
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    try:
        return len(storage) > 0
    except Exception:  # noqa: BLE001 — an unreadable message cookie: render afresh
        return True


def _eligible(request: Any) -> bool:
    user = getattr(request, "user", None)
    return (
        datacache.enabled()
        and request.method == "GET"
        and user is not None
        and user.is_authenticated
        and "HTTP_AUTHORIZATION" not in request.META
        and not _pending_messages(request)
    )


def _storable(response: Any) -> bool:
    return (
        response.status_code == 200
        and not getattr(response, "streaming", False)
        and not response.cookies
        and response.get("Content-Type", "").split(";")[0].strip() in _STORED_TYPES
        and not response.has_header("Content-Disposition")
    )


def _serve(request: Any, entry: dict[str, Any]) -> HttpResponse:
    from peiyu.accounts.audit import replay

    body: bytes = entry["body"]
    if entry["csrf"]:
        body = body.replace(_PLACEHOLDER.encode("ascii"), get_token(request).encode("ascii"))
    response = HttpResponse(body, status=200)
    for header, value in entry["headers"]:
        response[header] = value
    response["X-Peiyu-Reused"] = "1"
    replay(request, entry["audit"])
    return response


def _with_audit_captured(compute: Callable[[], Any]) -> tuple[Any, list[dict[str, Any]]]:
    """``compute()`` and the audit rows it wrote (to be written again whenever it is reused)."""
    audit: list[dict[str, Any]] = []
    token = _capture.set(audit)
    try:
        return compute(), audit
    finally:
        _capture.reset(token)


def serve_reused(request: Any, name: str, render: Callable[[], Any]) -> Any:
    """``render()``'s response for this request, reused while the data stays the same."""
    if not _eligible(request):
        return render()
    cache = caches["default"]
    key = _key(request, name)
    entry = cache.get(key)
    if entry is not None:
        return _serve(request, entry)
    response, audit = _with_audit_captured(render)
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response, more = _with_audit_captured(response.render)
        audit += more
    if _storable(response) and not _pending_messages(request):
        body = bytes(response.content)
        text = body.decode(response.charset or "utf-8", errors="strict")
        tokens = set(_TOKEN.findall(text))
        for t in tokens:
            text = text.replace(t, _PLACEHOLDER)
        entry = {
            "body": text.encode(response.charset or "utf-8"),
            "csrf": bool(tokens),
            "headers": [(h, v) for h, v in response.items() if h.lower() in _KEPT_HEADERS],
            "audit": audit,
        }
        cache.set(key, entry, datacache.TTL)
    return response


def reused_result(request: Any, name: str, compute: Callable[[], Any]) -> Any:
    """An API operation's result (the dict it returns, before serialisation) for this request,
    reused like a page: same key, same audit replay. Error answers (a tuple, a response) are not."""
    if not _eligible(request):
        return compute()
    cache = caches["default"]
    key = _key(request, name)
    entry = cache.get(key)
    if entry is not None:
        from peiyu.accounts.audit import replay

        replay(request, entry["audit"])
        return entry["value"]
    value, audit = _with_audit_captured(compute)
    if isinstance(value, dict):
        cache.set(key, {"value": value, "audit": audit}, datacache.TTL)
    return value


def _reusing(serve: Callable[[Any, str, Callable[[], Any]], Any]) -> Callable[..., Any]:
    """A decorator that passes a function's calls through ``serve`` under the function's name."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            return serve(request, name, lambda: fn(request, *args, **kwargs))

        return wrapper

    return decorate


# a GET view whose page depends only on the user, the URL and the data
reused_page = _reusing(serve_reused)
# a GET API operation (below the router's decorator): its result reused, see reused_result
reused_api = _reusing(reused_result)
