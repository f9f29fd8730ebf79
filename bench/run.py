"""``make bench``: run every benchmark module ``bench/bench_*.py`` (each has ``main() -> dict``) and
print the results; each module appends its own section to docs/performance.md when asked
(``--write``). Benchmarks measure ratios against a baseline run in the same process."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
import tempfile


def main() -> None:
    parser = argparse.ArgumentParser(description="Peiyu benchmarks")
    parser.add_argument("only", nargs="*", help="names of benchmarks to run (default: all)")
    args = parser.parse_args()
    os.environ.setdefault("PEIYU_DATA_DIR", tempfile.mkdtemp(prefix="peiyu-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peiyu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("init", verbosity=0)
    import bench

    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    results = {}
    for name in names:
        if args.only and name.removeprefix("bench_") not in args.only and name not in args.only:
            continue
        print(f"== {name}", file=sys.stderr)
        results[name] = importlib.import_module(f"bench.{name}").main()
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
