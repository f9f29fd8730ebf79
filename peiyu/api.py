"""The read-only JSON API under /api/v1/ (OpenAPI document at /api/v1/openapi.json).

Each installed app contributes a ``router`` in its ``api.py`` (optionally a ``PREFIX``), found by
:mod:`peiyu.core.contrib`; authentication (session or bearer token) lives in
:mod:`peiyu.accounts.api_auth`; scope is applied inside each endpoint through
:mod:`peiyu.accounts.scope`.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

DESCRIPTION = (
    "培育平台数据接口。认证：会话 Cookie 或 `Authorization: Bearer <令牌>`（`peiyu token 用户名` 生成）。"
    "金额单位为分（区级税收）。"
)


ERROR_RESPONSES = {
    "400": "请求参数有误（说明见 detail）",
    "401": "未登录或令牌无效（会话 Cookie 或 Authorization: Bearer <令牌>）",
    "403": "无权使用此接口（例如须先在网页上修改初始密码）",
    "404": "对象不存在或不在你的数据范围内",
    "422": "参数格式不符合要求（detail 列出每个参数的问题）",
}
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "description": "错误说明：detail 为中文文字，参数校验错误（422）时为逐项列表",
    "properties": {"detail": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}]}},
    "required": ["detail"],
}


class PeiyuAPI(NinjaAPI):
    """The OpenAPI document declares, for every operation, the error responses every endpoint can
    give (400, 401, 403, 404, 422, each with the ``{"detail": …}`` body), besides its own."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for ops in schema.get("paths", {}).values():
            for op in ops.values():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                responses = op["responses"]
                for code, text in ERROR_RESPONSES.items():
                    responses.setdefault(
                        code,
                        {
                            "description": text,
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                            },
                        },
                    )
        return schema


def build_api(urls_namespace: str = "api") -> NinjaAPI:
    from peiyu.accounts.api_auth import BearerAuth, SessionAuth
    from peiyu.core import contrib

    api = PeiyuAPI(
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
