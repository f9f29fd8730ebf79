"""``make bench``: run every benchmark module ``bench/bench_*.py`` (each has ``main() -> dict``) and
print the results as one JSON object. Each benchmark runs in its own process with its own fresh
data folder (database, tax library), so no benchmark sees another's data. Benchmarks measure
ratios against a baseline run in the same process; docs/performance.md records the results.

    python -m bench.run                 # all
    python -m bench.run query demo      # some (names without the bench_ prefix)
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_one(name: str) -> None:
    """In a child process: set up Django on the fresh data folder, run one benchmark, print JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peiyu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("init", verbosity=0)
    result = importlib.import_module(f"bench.{name}").main()
    print("\n@@RESULT@@" + json.dumps(result, ensure_ascii=False, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description="Peiyu benchmarks")
    parser.add_argument("only", nargs="*", help="names of benchmarks to run (default: all)")
    args = parser.parse_args()
    import bench

    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    results = {}
    for name in names:
        if args.only and name.removeprefix("bench_") not in args.only and name not in args.only:
            continue
        print(f"== {name}", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix=f"peiyu-{name}-") as data_dir:
            env = {**os.environ, "PEIYU_DATA_DIR": data_dir}
            env.pop("DATABASE_URL", None)  # benchmarks run on the default SQLite in their own folder
            proc = subprocess.run(
                [sys.executable, "-c", f"from bench.run import run_one; run_one({name!r})"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
                check=False,
            )
        marker = proc.stdout.rfind("@@RESULT@@")
        if proc.returncode != 0 or marker < 0:
            print(proc.stdout, file=sys.stderr)
            results[name] = {"error": f"exit code {proc.returncode}"}
            continue
        results[name] = json.loads(proc.stdout[marker + len("@@RESULT@@") :])
    print(json.dumps(results, ensure_ascii=False, indent=2))
    if any("error" in r for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
