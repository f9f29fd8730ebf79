"""Single-request timings of the pages the load scenario uses (issue 19 §6), one persona at a time,
through Django's test client against an existing data folder (e.g. a fresh ``peiyu demo``):

    PEIYU_DATA_DIR=<demo folder> .venv/bin/python -m bench.bench_pages admin taopu

For each page: the first request (cold caches) and the fastest of three more (warm). No server and
no network; only the data folder given is read (and its audit log written).
"""

from __future__ import annotations

import os
import re
import sys
import time


def main(users: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peiyu.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    urls = [
        "/", "/taxes/", "/taxes/industry/1/", "/taxes/enterprises/?page=2", "/alerts/", "/alerts/key/",
        "/api/v1/stats/industries", "/api/v1/tax/enterprises?limit=20", "/api/v1/warnings", "/registry/",
    ]  # fmt: skip
    from peiyu.accounts.models import User

    for name in users:
        c = Client()
        c.force_login(User.objects.get(username=name))
        codes = re.findall(r"/registry/e/([0-9A-Z]{15,20})/", c.get("/registry/").content.decode())
        for url in urls + ([f"/registry/e/{codes[0]}/"] if codes else []):
            times = []
            for _ in range(4):
                t = time.perf_counter()
                r = c.get(url)
                times.append((time.perf_counter() - t) * 1000)
            print(
                f"{name:9s} {url:40s} {r.status_code} cold {times[0]:7.1f} ms  warm {min(times[1:]):7.1f} ms"
            )
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["admin", "taopu"])
