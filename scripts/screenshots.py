"""Refresh the README screenshots from a running demo (`make demo` in another terminal).

    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]

Drives Debian's Chromium through Playwright (no browser download). Chinese glyphs need a CJK font
on the machine taking the pictures (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {
    "home": "/",
    "taxes": "/taxes/",
    "decomposition": "/taxes/decomposition/",
    "targets": "/targets/",
    "alerts": "/alerts/warnings/",
    "registry": "/registry/",
}


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    out = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        page.goto(base + "/accounts/login/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", "Peiyu@2026")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for name, path in PAGES.items():
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(800)
            page.screenshot(path=str(out / f"{name}.png"))
            print(out / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
