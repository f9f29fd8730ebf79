"""Load benchmark (issue 19 §6): ``make bench-load`` — the default demo served by ``peiyu serve`` on a
loopback port, then two locust runs (``bench/load/locustfile.py``):

1. **open load**: ``PEIYU_BENCH_LOAD_USERS`` (200) personas, each a request every ~5 s (≈ 40 req/s
   offered), for ``PEIYU_BENCH_LOAD_SECONDS`` (120; the issue's criterion is 600) — p50/p95/p99,
   errors, throughput, and the server's memory (RSS of gunicorn's processes) at the start, every
   30 s and at the end;
2. **saturation**: 50 closed-loop connections (no think time) for ``PEIYU_BENCH_SAT_SECONDS`` (60) —
   requests per second and the share of requests each gunicorn worker served.

Everything is bounded in users and time and stops by itself; only 127.0.0.1 is addressed. The
demo is generated once into a fresh temporary data folder (``PEIYU_BENCH_LOAD_ENTERPRISES``, default
the demo's 20,000). The load average is recorded: the machine is shared.

    make bench-load                      # or: .venv/bin/python -m bench.bench_load
"""

from __future__ import annotations

import csv
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request  # noqa: S310 (loopback URL built here)
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
USERS = int(os.environ.get("PEIYU_BENCH_LOAD_USERS", "200"))
SECONDS = int(os.environ.get("PEIYU_BENCH_LOAD_SECONDS", "120"))
SAT_USERS = int(os.environ.get("PEIYU_BENCH_SAT_USERS", "50"))
SAT_SECONDS = int(os.environ.get("PEIYU_BENCH_SAT_SECONDS", "60"))
ENTERPRISES = os.environ.get("PEIYU_BENCH_LOAD_ENTERPRISES", "")
WORKERS = os.environ.get("PEIYU_BENCH_LOAD_WORKERS", "")
THREADS = os.environ.get("PEIYU_BENCH_LOAD_THREADS", "")
# an existing demo data folder to copy instead of generating one (saves the demo's minutes)
FROM_DIR = os.environ.get("PEIYU_BENCH_LOAD_FROM", "")
LOGIN = os.environ.get("PEIYU_BENCH_LOAD_LOGIN", "") not in ("", "0")


SESSIONS_SCRIPT = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.test import Client
from peiyu.accounts.models import User
settings.ALLOWED_HOSTS = ["*"]
names = ["admin", "leader", "software", "taopu", "kewei", "service"]
users = {u.username: u for u in User.objects.filter(username__in=names)}
out = []
for i in range(int(sys.argv[1])):
    name = names[i % len(names)]
    c = Client()
    c.force_login(users[name])
    out.append([name, c.cookies[settings.SESSION_COOKIE_NAME].value])
json.dump(out, open(sys.argv[2], "w"))
"""


def _bin(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    return str(exe) if exe.exists() else name


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tree_rss_mb(pid: int) -> float:
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
        return round(sum(p.memory_info().rss for p in procs if p.is_running()) / 2**20, 1)
    except psutil.Error:
        return 0.0


def _workers(pid: int) -> list[int]:
    import psutil

    try:
        # gunicorn's workers, not the background job process (``python -m peiyu worker``)
        return [p.pid for p in psutil.Process(pid).children() if p.cmdline()[-1:] != ["worker"]]
    except psutil.Error:
        return []


def _cpu(pids: list[int]) -> dict[int, float]:
    import psutil

    out = {}
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
            out[pid] = t.user + t.system
        except psutil.Error:
            pass
    return out


def _locust(host: str, users: int, seconds: int, prefix: Path, closed: bool) -> dict[str, Any]:
    env = {**os.environ, "PEIYU_LOAD_CLOSED": "1" if closed else ""}
    cmd = [
        _bin("locust"), "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless",
        "-u", str(users), "-r", str(max(1, users // 10)), "-t", f"{seconds}s", "--host", host,
        "--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING",
    ]  # fmt: skip
    subprocess.run(cmd, env=env, cwd=ROOT, check=False, capture_output=True, text=True, timeout=seconds + 120)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))

    def num(text: str) -> float:
        try:
            return float(text)
        except (TypeError, ValueError):  # locust writes N/A for names with no response
            return 0.0

    out: dict[str, Any] = {"by_name": {}, "failure_kinds": []}
    failures_csv = Path(f"{prefix}_failures.csv")
    if failures_csv.exists():  # what failed, so a failing run can be understood afterwards
        with failures_csv.open(encoding="utf-8") as fh:
            out["failure_kinds"] = [
                {"name": r["Name"], "error": r["Error"][:200], "count": int(r["Occurrences"])}
                for r in csv.DictReader(fh)
            ][:20]
    for r in rows:
        entry = {
            "requests": int(r["Request Count"]),
            "failures": int(r["Failure Count"]),
            "p50_ms": num(r["50%"]),
            "p95_ms": num(r["95%"]),
            "p99_ms": num(r["99%"]),
            "rps": round(num(r["Requests/s"]), 1),
        }
        if r["Name"] == "Aggregated":
            out.update(entry)
        else:
            out["by_name"][r["Name"]] = entry
    return out


def main() -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix="peiyu-bench-load-")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PEIYU_DATA_DIR"] = data_dir
    env["PEIYU_NO_WORKER"] = "1"
    peiyu = _bin("peiyu")
    server = None
    try:
        t = time.monotonic()
        if FROM_DIR:
            shutil.copytree(FROM_DIR, data_dir, dirs_exist_ok=True)
        else:
            subprocess.run([peiyu, "init", "--json"], env=env, check=True, capture_output=True)
            demo = [peiyu, "demo", "--json"] + (["--enterprises", ENTERPRISES] if ENTERPRISES else [])
            subprocess.run(demo, env=env, check=True, capture_output=True)
        demo_s = round(time.monotonic() - t, 1)
        # the simulated users arrive logged in: 200 password hashes in the first seconds would
        # measure the login storm (PBKDF2 is slow on purpose), not the pages people use all day
        # (PEIYU_BENCH_LOAD_LOGIN=1: each user logs in with its password instead, storm included)
        if LOGIN:
            os.environ.pop("PEIYU_LOAD_SESSIONS", None)
        else:
            sessions = Path(data_dir) / "sessions.json"
            subprocess.run(
                [sys.executable, "-c", SESSIONS_SCRIPT, str(max(USERS, SAT_USERS)), str(sessions)],
                env={**env, "DJANGO_SETTINGS_MODULE": "peiyu.settings"},
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            os.environ["PEIYU_LOAD_SESSIONS"] = str(sessions)
        port = _free_port()
        serve = [peiyu, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker"]
        serve += (["--workers", WORKERS] if WORKERS else []) + (["--threads", THREADS] if THREADS else [])
        server = subprocess.Popen(serve, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        host = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(host + "/healthz", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        out_dir = Path(data_dir) / "locust"
        out_dir.mkdir()
        load_before = [round(x, 2) for x in os.getloadavg()]
        rss_start = _tree_rss_mb(server.pid)
        samples: list[tuple[int, float]] = []  # (seconds into the run, MB) every 30 s
        stop = threading.Event()

        def sample() -> None:
            t0 = time.monotonic()
            while not stop.wait(30):
                samples.append((round(time.monotonic() - t0), _tree_rss_mb(server.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        open_run = _locust(host, USERS, SECONDS, out_dir / "open", closed=False)
        stop.set()
        sampler.join(timeout=5)
        rss_end = _tree_rss_mb(server.pid)
        workers = _workers(server.pid)
        cpu0 = _cpu(workers)
        sat = _locust(host, SAT_USERS, SAT_SECONDS, out_dir / "sat", closed=True)
        cpu1 = _cpu(workers)
        used = {pid: cpu1.get(pid, 0) - cpu0.get(pid, 0) for pid in workers}
        total = sum(used.values()) or 1.0
        sat["worker_cpu_share"] = sorted((round(v / total, 2) for v in used.values()), reverse=True)
        return {
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
            },
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "demo_seconds": demo_s,
            "users": USERS,
            "logged_in_during_the_run": LOGIN,
            "seconds": SECONDS,
            "open": open_run,
            "server_rss_mb": {"start": rss_start, "end": rss_end, "every_30s": samples},
            "saturation": {"connections": SAT_USERS, "seconds": SAT_SECONDS, **sat},
            "load_average_before": load_before,
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        }
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False, indent=1))
