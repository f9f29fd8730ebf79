"""The ``peiyu`` command: Django management commands underneath, with plain-word help.

Every installed Peiyu app contributes its commands from its own ``management/commands/``; the help
lists them by app (nothing here names them).

peiyu init                      create or migrate the database, load reference data
peiyu import-tax FILE --json    commands are written with hyphens; Django's names use underscores
"""

from __future__ import annotations

import os
import sys


def _django_name(name: str) -> str:
    return name.replace("-", "_")


def _peiyu_name(name: str) -> str:
    return name.replace("_", "-")


def command_lines() -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(app verbose name, [(command, one line of help), …]), …]`` for the commands the installed
    Peiyu apps contribute (their ``management/commands/``), in INSTALLED_APPS order. The line is the
    first line of the command's ``help``; a command with ``peiyu_hidden = True`` is not listed."""
    from django.core.management import get_commands, load_command_class

    from peiyu.core import contrib

    by_app: dict[str, list[tuple[str, str]]] = {}
    for name, app_name in sorted(get_commands().items()):
        by_app.setdefault(app_name, []).append((name, app_name))
    out = []
    for cfg in contrib.peiyu_apps():
        lines = []
        for name, app_name in by_app.get(cfg.name, []):
            cmd = load_command_class(app_name, name)
            if getattr(cmd, "peiyu_hidden", False):
                continue
            text = (cmd.help or "").strip().splitlines()
            lines.append((_peiyu_name(name), text[0] if text else ""))
        if lines:
            out.append((str(cfg.verbose_name), lines))
    return out


def print_help() -> None:
    print("peiyu — 培育：重点产业培育平台\n")
    print("用法: peiyu 命令 [参数]    （peiyu 命令 --help 查看该命令的参数）\n")
    groups = command_lines()
    width = max((len(n) for _g, lines in groups for n, _t in lines), default=10)
    for group, lines in groups:
        print(f"{group}:")
        for name, text in lines:
            print(f"  {name.ljust(width)}  {text}")
        print()
    print("其余 Django 管理命令（migrate、shell、check 等）同样可用：peiyu django-help")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peiyu.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    if not argv or argv[0] in {"-h", "--help", "help"}:
        print_help()
        return
    if argv[0] == "django-help":
        execute_from_command_line(["peiyu", "help"])
        return
    argv[0] = _django_name(argv[0])
    execute_from_command_line(["peiyu", *argv])


if __name__ == "__main__":
    main()
