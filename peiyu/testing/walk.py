"""Test support for the scope guard: enumerate every URL pattern (pages and /api/v1/), fill its path
parameters with real objects, request it as a persona and look for enterprises outside the scope.

Used by ``tests/test_scope_walk.py`` (leaks) and ``tests/test_security_headers.py`` (headers, CSRF).
Generic on purpose: pages added later by any app are walked without touching this module. An app
puts its objects into the walked world by defining ``populate_world(world)`` in its own
``peiyu/<app>/tests/world.py`` (called after the registry, tax facts and personas exist).
"""

from __future__ import annotations

import html
import io
import itertools
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

# --------------------------------------------------------------------------------------------------
# URL patterns
# --------------------------------------------------------------------------------------------------

_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")


@dataclass
class Route:
    """One URL pattern, flattened: ``template`` is the full path with ``{name}`` placeholders."""

    template: str
    name: str  # "namespace:url_name" or "" when the pattern has no name
    params: dict[str, str]  # parameter -> converter name ("str", "int", "slug", "path", "uuid", "regex")
    callback: Any
    fillable: bool = True
    problem: str = ""

    @property
    def label(self) -> str:
        return f"{self.name or '(unnamed)'} /{self.template}"

    @property
    def is_api(self) -> bool:
        return self.template.startswith("api/")


def _regex_to_template(regex: str) -> tuple[str, dict[str, str], str]:
    """Turn a simple regex pattern into a template; complex ones are reported unfillable."""
    text = regex.lstrip("^")
    params: dict[str, str] = {}
    out = ""
    i = 0
    while i < len(text):
        m = _REGEX_GROUP.match(text, i)
        if m:
            depth, j = 1, m.end()
            while j < len(text) and depth:
                if text[j] == "\\":
                    j += 2
                    continue
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                j += 1
            params[m.group("name")] = "regex"
            out += "{" + m.group("name") + "}"
            i = j
            continue
        out += text[i]
        i += 1
    out = re.sub(r"(\$|\\Z)$", "", out)
    out = re.sub(r"\\(.)", r"\1", out)
    problem = "" if not re.search(r"[()\[\]*+?|^$]", out) else f"无法展开的正则路由：{regex}"
    return out, params, problem


def _pattern_part(pattern: Any) -> tuple[str, dict[str, str], str]:
    if isinstance(pattern, RoutePattern):
        route = str(pattern)  # RoutePattern.__str__ is str(self._route)
        params: dict[str, str] = {}

        def sub(m: re.Match) -> str:
            params[m.group("name")] = m.group("conv") or "str"
            return "{" + m.group("name") + "}"

        return _ROUTE_PARAM.sub(sub, route), params, ""
    if isinstance(pattern, RegexPattern):
        return _regex_to_template(str(pattern))  # RegexPattern.__str__ is str(self._regex)
    return "", {}, f"未知的路由类型：{type(pattern).__name__}"


def iter_routes(
    resolver: Any = None, prefix: str = "", params: dict | None = None, ns: tuple = ()
) -> Iterator[Route]:
    """Every URL pattern of the project (recursively through include() and the ninja API)."""
    resolver = resolver or get_resolver()
    params = params or {}
    for entry in resolver.url_patterns:
        part, part_params, problem = _pattern_part(entry.pattern)
        if isinstance(entry, URLResolver):
            child_ns = (*ns, entry.namespace) if entry.namespace else ns
            for route in iter_routes(entry, prefix + part, {**params, **part_params}, child_ns):
                if problem and route.fillable:
                    route.fillable, route.problem = False, problem
                yield route
        elif isinstance(entry, URLPattern):
            name = ":".join([*ns, entry.name]) if entry.name else ""
            yield Route(prefix + part, name, {**params, **part_params}, entry.callback, not problem, problem)


# --------------------------------------------------------------------------------------------------
# Filling path parameters from the world
# --------------------------------------------------------------------------------------------------


def _project_models() -> list[Any]:
    return [m for m in apps.get_models() if m.__module__.startswith("peiyu.")]


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _enterprise_fk(model: Any) -> str | None:
    for f in model._meta.get_fields():
        related = getattr(f, "related_model", None) if getattr(f, "many_to_one", False) else None
        if related is not None and related._meta.label_lower == "registry.enterprise":
            return f.name
    return None


def _spread_pks(model: Any, limit: int = 10) -> list[str]:
    """Primary keys of ``model``, covering every enterprise when rows hang off an enterprise."""
    qs = model._default_manager.order_by("pk")
    fk = _enterprise_fk(model)
    pks: list[Any] = []
    if fk:
        seen: set[Any] = set()
        for pk, ent in qs.values_list("pk", f"{fk}_id")[:2000]:
            if ent not in seen:
                seen.add(ent)
                pks.append(pk)
    for pk in qs.values_list("pk", flat=True)[:limit]:
        if pk not in pks:
            pks.append(pk)
    return [str(pk) for pk in pks[: max(limit, len(pks))]]


def _model_for(name: str) -> Any:
    key = _norm(name)
    if not key:
        return None
    for model in _project_models():
        if _norm(model.__name__) == key or _norm(model._meta.model_name) == key:
            return model
    return None


def _view_model(route: Route) -> Any:
    view_class = getattr(route.callback, "view_class", None)
    model = getattr(view_class, "model", None)
    queryset = getattr(view_class, "queryset", None)
    if model is None and queryset is not None:
        model = queryset.model
    return model


def _models_named_in(route: Route) -> list[Any]:
    app_label = route.name.split(":", 1)[0] if ":" in route.name else ""
    url_name = _norm(route.name.rsplit(":", 1)[-1])
    candidates = [m for m in _project_models() if m._meta.app_label == app_label] or _project_models()
    named = sorted(
        (m for m in candidates if _norm(m._meta.model_name) and _norm(m._meta.model_name) in url_name),
        key=lambda m: -len(m._meta.model_name),
    )
    return named[:1] or candidates


@dataclass
class ValueSource:
    """Candidate values for path parameters, taken from the populated world."""

    world: dict[str, Any]
    extra: dict[str, list[str]] = field(default_factory=dict)  # explicit overrides by parameter name

    def __post_init__(self) -> None:
        from peiyu.accounts.models import User
        from peiyu.registry.models import Area, Enterprise, KeyIndustry

        self.credit_codes = list(Enterprise.objects.order_by("pk").values_list("credit_code", flat=True))
        self.taxpayer_ids = [*self.credit_codes, *self.world.get("unmatched_ids", [])]
        self.months = list(self.world.get("months", [])) or ["2025-03"]
        self.years = sorted({m[:4] for m in self.months})
        self.industry_ids = [str(pk) for pk in KeyIndustry.objects.values_list("pk", flat=True)]
        self.industry_slugs = list(KeyIndustry.objects.values_list("slug", flat=True))
        self.area_ids = [str(pk) for pk in Area.objects.values_list("pk", flat=True)]
        self.area_codes = list(Area.objects.values_list("code", flat=True))
        self.usernames = list(User.objects.values_list("username", flat=True))
        self.user_ids = [str(pk) for pk in User.objects.values_list("pk", flat=True)]

    def values(self, name: str, conv: str, route: Route) -> list[str]:
        if name in self.extra:
            return list(self.extra[name])
        n = name.lower()
        is_int = conv == "int"
        is_code = any(k in n for k in ("credit", "uscc")) or n in ("code", "enterprise_code", "enterprise")
        if is_code and not is_int:
            return self.credit_codes + ([] if "credit" in n or "uscc" in n else self.area_codes)
        if "taxpayer" in n and not is_int:
            return self.taxpayer_ids
        if n in ("month", "period", "ym", "start", "end", "since", "until") or n.endswith("_month"):
            return self.months
        if n in ("year", "yyyy") or n.endswith("_year"):
            return self.years
        if "industry" in n or n in ("slug", "key_industry"):
            return self.industry_ids if is_int else self.industry_slugs + self.industry_ids
        if "area" in n or n in ("street", "subdistrict", "town"):
            return self.area_ids if is_int else self.area_codes + self.area_ids
        if n in ("username", "user", "login") and not is_int:
            return self.usernames
        if n in ("version", "page", "n", "level", "depth", "top"):
            return ["1", "2"]
        # ids: <model>_id / <model>_pk / <model> / pk / id
        base = re.sub(r"(_?(id|pk))$", "", n)
        if is_int or conv in ("str", "regex") and base != n:
            model = _model_for(base) if base else None
            if model is None and base in ("user", "owner", "assignee"):
                return self.user_ids
            models = [model] if model is not None else ([_view_model(route)] if _view_model(route) else [])
            if not models:
                models = _models_named_in(route)
            values: list[str] = []
            for m in models:
                for v in _spread_pks(m):
                    if v not in values:
                        values.append(v)
            return values[:25]
        return []


def fill(route: Route, source: ValueSource, limit: int = 10) -> list[str]:
    """Concrete paths (with leading slash) for a route; [] when it cannot be filled."""
    if not route.fillable:
        return []
    if not route.params:
        return ["/" + route.template]
    choices = []
    for name, conv in route.params.items():
        vals = source.values(name, conv, route)
        if conv == "int":
            vals = [v for v in vals if str(v).isdigit()]
        if not vals:
            return []
        choices.append([(name, v) for v in vals])
    out: list[str] = []
    for combo in itertools.islice(itertools.product(*choices), 400):
        path = "/" + route.template.format(**dict(combo))
        try:
            match = resolve(path)
        except Resolver404:
            continue
        same = match.func is route.callback or (route.name and match.view_name == route.name)
        if not same:
            continue
        if path not in out:
            out.append(path)
        if len(out) >= limit:
            break
    return out


# --------------------------------------------------------------------------------------------------
# Reading responses (HTML, JSON, CSV, Excel) into text
# --------------------------------------------------------------------------------------------------

_SHEET_TYPES = ("spreadsheet", "excel", "ms-excel", "opendocument", "octet-stream")


def body_bytes(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def response_text(response: Any) -> str:
    """Everything a user could read from the response, as text (spreadsheets decoded)."""
    data = body_bytes(response)
    ctype = response.get("Content-Type", "").lower()
    disposition = response.get("Content-Disposition", "")
    parts = [unquote(response.get("Location", "")), unquote(disposition)]
    is_zip_or_ole = data[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
    if data[:4] == b"PK\x03\x04" and ("wordprocessingml" in ctype or ".docx" in unquote(disposition).lower()):
        parts.append(document_text(data))  # Word downloads: every paragraph, table cell and header
    elif is_zip_or_ole or any(t in ctype for t in _SHEET_TYPES):
        parts.append(spreadsheet_text(data, disposition))
    elif "json" in ctype:
        text = data.decode("utf-8", errors="replace")
        try:
            parts.append(json.dumps(json.loads(text), ensure_ascii=False))
        except ValueError:
            parts.append(text)
    else:
        for enc in ("utf-8", "gb18030"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            text = data.decode("utf-8", errors="replace")
        parts.append(text)
        parts.append(html.unescape(text))
        if "\\u" in text:  # JSON embedded in HTML (json_script) or JavaScript
            parts.append(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text))
    return "\n".join(parts)


def document_text(data: bytes) -> str:
    """The text of a Word document (paragraphs, tables, headers and footers)."""
    from docx import Document

    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:  # not a readable document: the raw bytes, as for a spreadsheet
        return f"<unreadable document: {exc}>\n" + data.decode("utf-8", errors="replace")
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append("\t".join(c.text for c in row.cells))
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def spreadsheet_text(data: bytes, filename_hint: str = "") -> str:
    from peiyu.core.tabular import TableError, read_sheets

    suffix = ".xlsx"
    hint = unquote(filename_hint).lower()
    for ext in (".xlsx", ".xls", ".ods", ".csv"):
        if ext in hint:
            suffix = ext
            break
    if data[:4] == b"\xd0\xcf\x11\xe0":
        suffix = ".xls"
    elif data[:4] == b"PK\x03\x04" and suffix not in (".xlsx", ".ods"):
        suffix = ".xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export{suffix}"
        path.write_bytes(data)
        try:
            sheets = read_sheets(path)
        except TableError as exc:
            return f"<unreadable spreadsheet: {exc}>\n" + data.decode("utf-8", errors="replace")
    buf = io.StringIO()
    for sheet in sheets:
        buf.write(sheet.name + "\n")
        for row in sheet.rows:
            buf.write("\t".join("" if c is None else str(c) for c in row) + "\n")
    return buf.getvalue()


# --------------------------------------------------------------------------------------------------
# The walk
# --------------------------------------------------------------------------------------------------


@dataclass
class Finding:
    kind: str  # leak | error | unfillable
    where: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.where}: {self.detail}"


@dataclass
class WalkReport:
    findings: list[Finding] = field(default_factory=list)
    requests: int = 0
    routes: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # in-scope enterprise names some response showed
    writes: int = 0  # rows the POST walk saw written (allowed or not)

    def of(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]


def forbidden_strings(world: dict[str, Any], persona: str) -> dict[str, str]:
    """text -> what it is, for everything the persona must never see."""
    visible = world["visible"][persona]
    out: dict[str, str] = {}
    for key, ent in world["enterprises"].items():
        if key in visible:
            continue
        out[ent.name] = f"企业名称 {key}"
        out[ent.credit_code] = f"信用代码 {key}"
    if visible != set(world["enterprises"]):  # not district-wide: unmatched taxpayers are out of scope too
        for tid, name in world.get("unmatched", {}).items():
            out[tid] = "未匹配纳税人识别号"
            out[name] = "未匹配纳税人名称"
    return out


def query_variants(world: dict[str, Any], persona: str) -> list[dict[str, str]]:
    """Common query parameters, aimed at what the persona must not see. Search terms never contain
    a whole forbidden string, so a page that echoes the search box is not mistaken for a leak."""
    variants: list[dict[str, str]] = [{"q": "上海"}]
    hidden = [e for k, e in world["enterprises"].items() if k not in world["visible"][persona]]
    for ent in hidden[:1]:
        variants.append({"q": ent.credit_code[:-1]})
        variants.append({"q": ent.name.removeprefix("上海").removesuffix("有限公司")})
    for ind in world["industries"].values():
        variants += [{"industry": str(ind.pk)}, {"industry": ind.slug}]
    for area in world["areas"].values():
        variants += [{"area": str(area.pk)}, {"area": area.code}]
    for month in world.get("months", [])[-1:]:
        variants.append({"month": month, "export": "xlsx"})
    variants += [{"export": "xlsx"}, {"export": "csv"}]
    return variants


def walk(
    client: Any,
    world: dict[str, Any],
    persona: str,
    *,
    routes: Iterable[Route] | None = None,
    allow_unfilled: dict[str, str] | None = None,
    skip: Callable[[Route], str | None] | None = None,
    with_variants: bool = True,
    relogin: Callable[[], None] | None = None,
    values: dict[str, list[str]] | None = None,
) -> WalkReport:
    """GET every route as the logged-in persona (and with query variants) and report leaks,
    server errors and routes that could not be filled."""
    allow_unfilled = allow_unfilled or {}
    report = WalkReport()
    source = ValueSource(world, dict(values or {}))
    forbidden = forbidden_strings(world, persona)
    allowed = [e.name for k, e in world["enterprises"].items() if k in world["visible"][persona]]
    variants = query_variants(world, persona) if (with_variants and forbidden) else []
    for route in routes if routes is not None else iter_routes():
        if skip and skip(route):
            continue
        report.routes += 1
        paths = fill(route, source)
        if not paths:
            if route.label in allow_unfilled or route.name in allow_unfilled:
                continue
            why = route.problem or f"无法为参数 {sorted(route.params)} 找到值"
            report.findings.append(Finding("unfillable", route.label, why))
            continue
        for n, path in enumerate(paths):
            ok_base = _check(client, path, {}, forbidden, report, {}, allowed)
            if relogin and "_auth_user_id" not in client.session:
                relogin()
            if ok_base:
                _check(client, path, {}, forbidden, report, {"HTTP_HX_REQUEST": "true"}, allowed)
                # query variants on list pages, and on the first filled path of a detail page
                for params in variants if n == 0 else ():
                    _check(client, path, params, forbidden, report, {}, allowed)
                    if relogin and "_auth_user_id" not in client.session:
                        relogin()
    return report


def _check(
    client: Any,
    path: str,
    params: dict[str, str],
    forbidden: dict[str, str],
    report: WalkReport,
    extra: dict,
    allowed: Iterable[str] = (),
) -> bool:
    url = path + ("?" + urlencode(params) if params else "")
    where = url + (" [htmx]" if extra else "")
    report.requests += 1
    try:
        response = client.get(url, **extra)
    except Exception as exc:  # a crash is a finding, not the end of the walk
        report.findings.append(Finding("error", where, f"{type(exc).__name__}: {exc}"[:300]))
        return False
    report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
    if response.status_code >= 500:
        report.findings.append(Finding("error", where, f"HTTP {response.status_code}"))
        return False
    text = response_text(response)
    # The request's own URL echoed back (the language form's "next", a login redirect) is what the
    # user typed, not a leak: remove it in its raw and percent-encoded forms before looking.
    for echo in sorted(
        {url, path, quote(url), quote(path), quote(url, safe=""), quote(path, safe="")}, key=len
    )[::-1]:
        text = text.replace(echo, "")
    for needle, what in forbidden.items():
        if needle and needle in text:
            i = text.index(needle)
            context = text[max(0, i - 60) : i + len(needle) + 60].replace("\n", " ")
            report.findings.append(Finding("leak", where, f"{what}「{needle}」… {context}"))
    if response.status_code == 200:
        report.seen.update(name for name in allowed if name in text)
    return response.status_code == 200


# --------------------------------------------------------------------------------------------------
# The populated world
# --------------------------------------------------------------------------------------------------

UNMATCHED = {"310107999999999": "上海区外神秘贸易有限公司"}
MONTHS = ["2024-03", "2025-02", "2025-03"]
GROWING = {"soft_a2"}  # the others fall sharply year on year, so the warning rules fire for them


def _district_fen(key: str, month: str) -> int:
    if month < "2025":
        return 200_000_000
    return 260_000_000 if key in GROWING else 30_000_000


def _run_command(name: str, *args: str) -> None:
    """Run another app's batch command (e.g. computing warnings) if it exists; never fatal."""
    import warnings
    from io import StringIO

    from django.core.management import call_command, get_commands

    if name not in get_commands():
        return
    from django.db import transaction

    try:
        with transaction.atomic():
            call_command(name, *args, stdout=StringIO(), stderr=StringIO())
    except (Exception, SystemExit) as exc:
        warnings.warn(f"peiyu {name} {' '.join(args)} failed: {exc!r}", stacklevel=2)


def _put_month(month: str, rows: list[tuple[str, str, str, int, int]]) -> None:
    from peiyu.testing.taxlib import put_month

    put_month(month, rows)


def populated_world() -> dict[str, Any]:
    """make_world() plus monthly tax facts (every enterprise and one unmatched taxpayer), a pending
    taxpayer link, an API token per persona, and whatever other apps add via ``populate_world``."""
    import warnings

    from peiyu.core.signals import dimension_changed
    from peiyu.testing.factories import make_world

    world = make_world()
    world["months"] = list(MONTHS)
    world["unmatched"] = dict(UNMATCHED)
    world["unmatched_ids"] = list(UNMATCHED)
    dimension_changed.send_robust(sender=None)
    for month in MONTHS:
        rows = []
        for i, (key, ent) in enumerate(world["enterprises"].items()):
            district = _district_fen(key, month) + i * 1_000_000
            for tax in ("增值税", "企业所得税"):
                rows.append((ent.credit_code, ent.name, tax, district, district // 2))
        rows += [(tid, name, "增值税", 9_876_500, 3_210_000) for tid, name in UNMATCHED.items()]
        try:
            _put_month(month, rows)
        except Exception as exc:  # the tax library is another app's; its absence must not hide the walk
            warnings.warn(f"could not write tax facts for {month}: {exc!r}", stacklevel=1)
            world["months"] = [x for x in world["months"] if x != month]
    try:
        from peiyu.taxes.models import TaxpayerLink

        for tid, name in UNMATCHED.items():
            TaxpayerLink.objects.get_or_create(
                taxpayer_id=tid, defaults={"name": name, "first_month": MONTHS[0], "last_month": MONTHS[-1]}
            )
    except Exception as exc:  # pragma: no cover - depends on the taxes app
        warnings.warn(f"could not create taxpayer links: {exc!r}", stacklevel=1)
    from peiyu.core import contrib

    for _cfg, hook in contrib.attributes("tests.world", "populate_world"):
        hook(world)  # each app plants its own objects (and one outside every persona's scope)
    if world["months"]:
        _run_command("warnings", "--month", world["months"][-1], "--json")
    return world


# --------------------------------------------------------------------------------------------------
# The POST half: every endpoint, as every persona, must change nothing outside the CHANGE scope
# --------------------------------------------------------------------------------------------------

OWNER_FIELDS = ("user", "owner", "created_by", "author", "recipient", "uploaded_by")


def post_payload(world: dict[str, Any], user: Any) -> dict[str, Any]:
    """A plausible form for any endpoint: the usual field names with values that would pass most
    validations, aimed both inside and outside the persona's scope."""
    import datetime as dt

    ents = list(world["enterprises"].values())
    today = dt.date.today().isoformat()
    month = (world.get("months") or ["2025-03"])[-1]
    return {
        "reason": "走查：合法理由",
        "note": "走查：跟进情况",
        "text": "走查：说明",
        "resolution": "走查：已解决",
        "content": "走查：内容",
        "comment": "走查：意见",
        "title": "走查事项",
        "name": "走查名称",
        "kind": "call",
        "method": "call",
        "status": "done",
        "date": today,
        "due": today,
        "month": month,
        "year": month[:4],
        "active": "1",
        "owner": str(user.pk),
        "new_owner": str(user.pk),
        "user": str(user.pk),
        "credit_code": [e.credit_code for e in ents],
        "enterprise": [e.credit_code for e in ents],
        "industry": [str(i.pk) for i in world["industries"].values()],
        "area": [str(a.pk) for a in world["areas"].values()],
        "value": "1",
        "amount": "1",
        "pct": "50",
        "confirm": "1",
        "accept": "1",
    }


def _own(obj: Any, user: Any) -> bool:
    if obj._meta.label_lower == "accounts.user":
        return obj.pk == user.pk
    return any(getattr(obj, f"{name}_id", None) == user.pk for name in OWNER_FIELDS)


def judge_change(change: Any, user: Any) -> str | None:
    """Why this written row is outside what the user may change, or None when it is allowed."""
    from peiyu.accounts import scope

    if change.model is None or scope.is_admin(user):
        return None
    if change.op == "D":
        return "删除了数据（非管理员）"
    obj = change.model._default_manager.filter(pk=change.pk).first()
    if obj is None:
        return None
    try:
        scope.anchors_of(change.model)
    except TypeError:
        if change.model._meta.auto_created:
            return "修改了关联（非管理员）"
        return None if _own(obj, user) else "修改了未声明数据范围（SCOPE）的数据（非管理员）"
    return None if scope.can(user, obj, scope.CHANGE) else "超出办理范围"


def walk_posts(
    client: Any,
    world: dict[str, Any],
    persona: str,
    *,
    routes: Iterable[Route] | None = None,
    skip: Callable[[Route], str | None] | None = None,
    relogin: Callable[[], None] | None = None,
    values: dict[str, list[str]] | None = None,
    limit: int = 3,
) -> WalkReport:
    """POST to every route (up to ``limit`` filled paths each) as the persona with a plausible
    form, and report server errors, leaks, and every written row outside its CHANGE scope."""
    from peiyu.testing.changes import ChangeLog

    user = world[persona]
    report = WalkReport()
    source = ValueSource(world, dict(values or {}))
    forbidden = forbidden_strings(world, persona)
    payload = post_payload(world, user)
    log = ChangeLog()
    log.install()
    log.take()
    for route in routes if routes is not None else iter_routes():
        if skip and skip(route):
            continue
        report.routes += 1
        for path in fill(route, source, limit=limit):
            report.requests += 1
            try:
                response = client.post(path, payload)
            except Exception as exc:
                report.findings.append(Finding("error", f"POST {path}", f"{type(exc).__name__}: {exc}"[:300]))
                continue
            report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                report.findings.append(Finding("error", f"POST {path}", f"HTTP {response.status_code}"))
            text = response_text(response).replace(path, "")
            for needle, what in forbidden.items():
                if needle and needle in text:
                    report.findings.append(Finding("leak", f"POST {path}", f"{what}「{needle}」"))
            for change in log.take():
                report.writes += 1
                why = judge_change(change, user)
                if why:
                    report.findings.append(Finding("change", f"POST {path}", f"{why}：{change}"))
            if relogin and "_auth_user_id" not in client.session:
                relogin()
    return report
