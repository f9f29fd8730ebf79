"""Locust scenario for ``make bench-load`` (issue 19 §6): the demo's personas using Peiyu as they do.

Each simulated user logs in as one of the demo accounts (admin, leader, software, taopu, kewei,
service; password ``Peiyu@2026``) and then, about every 5 s (``wait_time`` 3–7 s), opens one of:
the home page, the tax dashboard, an industry drill-down (one its dashboard links to), the enterprise list (a page), the warning
inbox, the key-enterprise list, an enterprise profile, or an API call (``/api/v1/stats/industries``,
``/api/v1/tax/enterprises``, ``/api/v1/warnings``) with its session cookie. Weights follow how the
personas use it: dashboards and lists most, profiles and API less. Only the loopback server given
with ``--host`` is ever addressed.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, constant, task

ACCOUNTS = ["admin", "leader", "software", "taopu", "kewei", "service"]
PASSWORD = "Peiyu@2026"
_next = itertools.count()
CODE = re.compile(r"/registry/e/([0-9A-Z]{15,20})/")
INDUSTRY = re.compile(r"/taxes/industry/(\d+)/")
SESSION_COOKIE = "sessionid"
_sessions_file = os.environ.get("PEIYU_LOAD_SESSIONS", "")
SESSIONS: list[list[str]] = (
    json.loads(Path(_sessions_file).read_text(encoding="utf-8")) if _sessions_file else []
)


class Persona(HttpUser):
    # open load: a request every ~5 s per user; PEIYU_LOAD_CLOSED=1: closed loop (saturation)
    wait_time = constant(0) if os.environ.get("PEIYU_LOAD_CLOSED") else between(3, 7)

    def on_start(self) -> None:
        n = next(_next)
        if SESSIONS:  # logged in beforehand by bench_load (no login storm inside the measurement)
            self.username, key = SESSIONS[n % len(SESSIONS)]
            self.client.cookies.set(SESSION_COOKIE, key)
        else:
            self._login(ACCOUNTS[n % len(ACCOUNTS)])
        self.codes: list[str] = []
        page = self.client.get("/registry/", name="registry list")
        self.codes = CODE.findall(page.text)[:50]
        # the industries this persona's dashboard links to (a department sees only its own)
        dashboard = self.client.get("/taxes/", name="tax dashboard")
        self.industries = sorted(set(INDUSTRY.findall(dashboard.text))) or ["1"]

    def _login(self, username: str) -> None:
        self.username = username
        self.client.get("/accounts/login/", name="login")
        token = self.client.cookies.get("csrftoken", "")
        self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/accounts/login/"},
            name="login",
        )

    @task(4)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(5)
    def dashboard(self) -> None:
        self.client.get("/taxes/", name="tax dashboard")

    @task(2)
    def industry(self) -> None:
        self.client.get(f"/taxes/industry/{random.choice(self.industries)}/", name="industry page")

    @task(3)
    def enterprises(self) -> None:
        self.client.get(f"/taxes/enterprises/?page={random.randint(1, 3)}", name="enterprise list")

    @task(3)
    def inbox(self) -> None:
        self.client.get("/alerts/", name="warning inbox")

    @task(1)
    def key_enterprises(self) -> None:
        self.client.get("/alerts/key/", name="key enterprises")

    @task(3)
    def profile(self) -> None:
        if self.codes:
            self.client.get(f"/registry/e/{random.choice(self.codes)}/", name="enterprise profile")

    @task(2)
    def api_stats(self) -> None:
        self.client.get("/api/v1/stats/industries", name="api stats/industries")

    @task(1)
    def api_enterprises(self) -> None:
        self.client.get("/api/v1/tax/enterprises?limit=20", name="api tax/enterprises")

    @task(1)
    def api_warnings(self) -> None:
        self.client.get("/api/v1/warnings", name="api warnings")
