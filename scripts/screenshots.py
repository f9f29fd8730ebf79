"""Refresh the README screenshots from a running demo (`make demo` in another terminal).

    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000] [page names: only those]

The reports app adds the latest monthly report (its page and its first pages as printed: Word →
PDF through LibreOffice → PNG with poppler's pdftoppm), the leader's home, the cockpit at
1920×1080 and a page on a 390 px phone.

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
    "reports": "/reports/",
}


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    only = set(sys.argv[2:])  # e.g. "reports": just those pages (and the reports app's pictures)
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
            if only and name not in only:
                continue
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(800)
            page.screenshot(path=str(out / f"{name}.png"))
            print(out / f"{name}.png")
        _reports(page, base, out)
        _leader(browser, base, out)
        browser.close()


def _reports(page, base: str, out: Path) -> None:
    """The latest district report: its page, and its first pages as printed (Word → PDF through
    LibreOffice on the server → PNG with poppler's pdftoppm, when installed)."""
    import shutil
    import subprocess
    import tempfile

    link = page.locator("#report-table a").first
    if not link.count():
        return
    link.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(out / "report-page.png"))
    print(out / "report-page.png")
    pdf = page.request.get(base + page.url.replace(base, "").rstrip("/") + "/pdf/")
    if pdf.status != 200 or pdf.body()[:5] != b"%PDF-" or shutil.which("pdftoppm") is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "r.pdf"
        src.write_bytes(pdf.body())
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "4", str(src), str(Path(tmp) / "p")], check=True
        )
        for i, png in enumerate(sorted(Path(tmp).glob("p-*.png")), 1):
            shutil.copy(png, out / f"report-print-{i}.png")
            print(out / f"report-print-{i}.png")


def _leader(browser, base: str, out: Path) -> None:
    """The leader's home (what needs a decision this week) and the cockpit on a 1920×1080 screen."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", "leader")
    page.fill("#id_password", "Peiyu@2026")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(out / "leader-home.png"))
    page.goto(base + "/reports/cockpit/")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    page.screenshot(path=str(out / "cockpit.png"))
    print(out / "cockpit.png")
    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    phone.goto(base + "/accounts/login/")
    phone.fill("#id_username", "leader")
    phone.fill("#id_password", "Peiyu@2026")
    phone.click("button[type=submit]")
    phone.goto(base + "/taxes/")
    phone.wait_for_load_state("networkidle")
    phone.wait_for_timeout(500)
    phone.screenshot(path=str(out / "mobile-taxes.png"))
    print(out / "mobile-taxes.png")


if __name__ == "__main__":
    main()
