"""The read-only JSON API under /api/v1/ (OpenAPI document at /api/v1/openapi.json).

Each domain app contributes a ``router`` in its ``api.py``; authentication (session or bearer token)
lives in :mod:`peiyu.accounts.api_auth`; scope is applied inside each endpoint through
:mod:`peiyu.accounts.scope`.
"""

from ninja import NinjaAPI

from peiyu.accounts.api_auth import BearerAuth, SessionAuth

api = NinjaAPI(
    title="Peiyu API",
    version="1",
    description="培育平台只读数据接口。认证：会话 Cookie 或 `Authorization: Bearer <令牌>`（`peiyu token 用户名` 生成）。金额单位为分（区级税收）。",
    auth=[BearerAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
)

for module in (
    "peiyu.registry.api",
    "peiyu.taxes.api",
    "peiyu.targets.api",
    "peiyu.alerts.api",
    "peiyu.work.api",
):
    import importlib

    mod = importlib.import_module(module)
    router = getattr(mod, "router", None)
    if router is not None:
        api.add_router(getattr(mod, "PREFIX", ""), router)
