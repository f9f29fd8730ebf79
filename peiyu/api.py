"""The read-only JSON API under /api/v1/ (OpenAPI document at /api/v1/openapi.json).

Each installed app contributes a ``router`` in its ``api.py`` (optionally a ``PREFIX``), found by
:mod:`peiyu.core.contrib`; authentication (session or bearer token) lives in
:mod:`peiyu.accounts.api_auth`; scope is applied inside each endpoint through
:mod:`peiyu.accounts.scope`.
"""

from __future__ import annotations

from ninja import NinjaAPI

DESCRIPTION = (
    "培育平台数据接口。认证：会话 Cookie 或 `Authorization: Bearer <令牌>`（`peiyu token 用户名` 生成）。"
    "金额单位为分（区级税收）。"
)


def build_api(urls_namespace: str = "api") -> NinjaAPI:
    from peiyu.accounts.api_auth import BearerAuth, SessionAuth
    from peiyu.core import contrib

    api = NinjaAPI(
        title="Peiyu API",
        version="1",
        description=DESCRIPTION,
        auth=[BearerAuth(), SessionAuth()],
        urls_namespace=urls_namespace,
        docs_url="/docs",
    )
    for _cfg, mod in contrib.modules("api"):
        router = getattr(mod, "router", None)
        if router is not None:
            api.add_router(getattr(mod, "PREFIX", ""), router)
    return api
