"""Notifications: always in-app; e-mail and a chat-robot webhook only when configured.

Nothing leaves the server unless the environment says so:

- e-mail: ``PEIYU_SMTP_HOST`` (and ``PEIYU_SMTP_PORT``, ``PEIYU_SMTP_USER``,
  ``PEIYU_SMTP_PASSWORD``, ``PEIYU_SMTP_TLS``/``PEIYU_SMTP_SSL``, ``PEIYU_MAIL_FROM``); sent to users
  with an e-mail address;
- webhook: ``PEIYU_WEBHOOK_URL`` with ``PEIYU_WEBHOOK_KIND`` = ``wecom`` (政务微信/企业微信 robot),
  ``dingtalk`` (钉钉 robot, optional ``PEIYU_WEBHOOK_SECRET`` for signing) or ``json`` (a plain POST
  of ``{title, body, url, user}``).

Other channels plug in through ``settings.PEIYU_NOTIFY_CHANNELS`` (dotted paths of callables
``channel(notification) -> str | None``; the string is recorded in ``Notification.sent``). External
sending happens after the transaction commits and never fails the action that notified.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from peiyu.work.models import Notification

log = logging.getLogger(__name__)


def notify(
    user: Any, title: str, body: str = "", *, url: str = "", item: Any = None, kind: str = "info"
) -> Notification | None:
    """Leave an in-app notification for ``user`` and send it on the configured channels."""
    if user is None or not getattr(user, "is_active", False):
        return None
    n = Notification.objects.create(
        user=user, kind=kind[:20], title=title[:200], body=body, url=url[:300], item=item
    )
    if channels():
        transaction.on_commit(lambda: send_external(n.pk))
    return n


def channels() -> list[Any]:
    out: list[Any] = []
    if getattr(settings, "EMAIL_HOST", "") and getattr(settings, "PEIYU_EMAIL_ENABLED", False):
        out.append(email_channel)
    if getattr(settings, "PEIYU_WEBHOOK_URL", ""):
        out.append(webhook_channel)
    for path in getattr(settings, "PEIYU_NOTIFY_CHANNELS", ()) or ():
        out.append(import_string(path))
    return out


def send_external(pk: int) -> dict[str, str]:
    n = Notification.objects.select_related("user").filter(pk=pk).first()
    if n is None:
        return {}
    sent: dict[str, str] = dict(n.sent or {})
    for ch in channels():
        name = getattr(ch, "channel_name", getattr(ch, "__name__", "channel"))
        try:
            outcome = ch(n)
        except Exception as exc:  # a channel down must never break the in-app message
            log.warning("通知发送失败（%s）：%s", name, exc)
            outcome = f"失败：{exc}"[:200]
        if outcome:
            sent[name] = outcome
    Notification.objects.filter(pk=pk).update(sent=sent)
    return sent


def _absolute(url: str) -> str:
    base = getattr(settings, "PEIYU_BASE_URL", "")
    return (base.rstrip("/") + url) if base and url.startswith("/") else url


def email_channel(n: Notification) -> str | None:
    from django.core.mail import send_mail

    address = (n.user.email or "").strip()
    if not address:
        return None
    text = n.body + (f"\n\n{_absolute(n.url)}" if n.url else "")
    send_mail(f"【培育】{n.title}", text, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
    return "已发送"


email_channel.channel_name = "email"  # type: ignore[attr-defined]


def webhook_payload(kind: str, n: Notification) -> dict[str, Any]:
    who = str(n.user)
    text = f"【培育】{n.title}\n{n.body}\n接收人：{who}" + (f"\n{_absolute(n.url)}" if n.url else "")
    if kind in ("wecom", "wechat", "zwwx"):
        return {"msgtype": "text", "text": {"content": text}}
    if kind == "dingtalk":
        return {"msgtype": "text", "text": {"content": text}}
    return {"title": n.title, "body": n.body, "url": _absolute(n.url), "user": n.user.username}


def _signed_url(url: str, secret: str) -> str:
    """钉钉 robot signing: timestamp + HMAC-SHA256 of "timestamp\\nsecret"."""
    ts = str(round(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={sign}"


def webhook_channel(n: Notification) -> str | None:
    url = settings.PEIYU_WEBHOOK_URL
    kind = (getattr(settings, "PEIYU_WEBHOOK_KIND", "") or "json").lower()
    secret = getattr(settings, "PEIYU_WEBHOOK_SECRET", "")
    if kind == "dingtalk" and secret:
        url = _signed_url(url, secret)
    data = json.dumps(webhook_payload(kind, n), ensure_ascii=False).encode()
    req = urllib.request.Request(  # noqa: S310 - the administrator's configured robot address
        url, data=data, headers={"Content-Type": "application/json; charset=utf-8"}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310
        return f"HTTP {resp.status}"


webhook_channel.channel_name = "webhook"  # type: ignore[attr-defined]


def mark_read(user: Any, ids: list[int] | None = None) -> int:
    from django.utils import timezone

    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
