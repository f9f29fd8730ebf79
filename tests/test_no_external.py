"""No page may load anything from outside the server (government intranets have no internet).

Crawls every page reachable from the home page as the administrator of a populated little district
(following links, including the htmx partials they name) and checks each HTML response's src/href/
action/hx-* attributes and inline styles, and every static CSS/JS file those pages load.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.staticfiles import finders

EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
URL_ATTRS = {
    "src",
    "href",
    "action",
    "hx-get",
    "hx-post",
    "data-src",
    "poster",
    "srcset",
    "formaction",
    "xlink:href",
}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)", re.I)
CSS_IMPORT = re.compile(r"@import\s+['\"]([^'\"]+)", re.I)
SAFE_SCHEMES = ("data:", "mailto:", "tel:", "javascript:void", "#")
MAX_PAGES = 250


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if not value:
                continue
            if name in URL_ATTRS:
                for part in value.split(",") if name == "srcset" else [value]:
                    self.urls.append((f"<{tag} {name}>", part.strip().split(" ")[0]))
            if name == "style":
                self.urls.extend((f"<{tag} style>", u) for u in CSS_URL.findall(value))


def external_refs(urls):
    return [(where, u) for where, u in urls if EXTERNAL.match(u) and not u.startswith(("//testserver",))]


def check_static(url: str) -> list[str]:
    path = urlsplit(url).path
    if not path.startswith("/static/"):
        return []
    found = finders.find(path.removeprefix("/static/"))
    assert found, f"static file missing: {path}"
    with open(found, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    bad = []
    if found.endswith(".css"):
        for ref in CSS_URL.findall(text) + CSS_IMPORT.findall(text):
            if EXTERNAL.match(ref) and "www.w3.org/2000/svg" not in ref:
                bad.append(f"{path}: {ref}")
    if found.endswith(".js"):
        # A script that itself loads something from the internet: sourceMappingURL or import() of a URL.
        for ref in re.findall(
            r"""(?:import\(|sourceMappingURL=|\.src\s*=\s*)['"]?(https?://[^'"\s)]+)""", text
        ):
            bad.append(f"{path}: {ref}")
    return bad


@pytest.mark.django_db(transaction=True)
def test_no_page_references_an_external_url(world, login):
    from peiyu.testing.taxlib import put_month

    ents = world["enterprises"]
    rows = [
        (e.credit_code, e.name, "增值税", 1_000_00 * (i + 1), 300_00 * (i + 1))
        for i, e in enumerate(ents.values())
    ]
    put_month("2024-06", rows)
    put_month("2025-06", [(c, n, t, a * 2, d * 2) for c, n, t, a, d in rows])
    client = login(world["admin"])

    seen: set[str] = set()
    statics: set[str] = set()
    queue = deque(["/", "/accounts/login/"])
    problems: list[str] = []
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        resp = client.get(url)
        if resp.status_code in (301, 302):
            loc = resp["Location"]
            if not EXTERNAL.match(loc):
                queue.append(loc)
            else:
                problems.append(f"{url} redirects outside: {loc}")
            continue
        if "text/html" not in resp.get("Content-Type", ""):
            continue
        parser = LinkParser()
        parser.feed(resp.content.decode("utf-8", errors="replace"))
        problems.extend(f"{url} {where} {u}" for where, u in external_refs(parser.urls))
        for _, ref in parser.urls:
            if ref.startswith(SAFE_SCHEMES) or EXTERNAL.match(ref):
                continue
            target = urljoin(url, ref).split("#")[0]
            path = urlsplit(target).path
            if path.startswith("/static/"):
                statics.add(path)
            elif path.startswith("/") and not any(
                s in target for s in ("logout", "export", "download", "format=xlsx", "/api/")
            ):
                queue.append(target)
    for path in sorted(statics):
        problems.extend(check_static(path))
    assert len(seen) >= 3
    assert not problems, "external references:\n" + "\n".join(problems)
