"""The ``peiyu`` command: Django management commands underneath, with plain-word help.

peiyu init                      create or migrate the database, load reference data
peiyu import-tax FILE --json    commands are written with hyphens; Django's names use underscores
"""

from __future__ import annotations

import os
import sys

# Commands of our own, in the order `peiyu --help` lists them (name -> one line of plain words).
COMMANDS: dict[str, str] = {
    "init": "创建或升级数据库，载入参考数据（国民经济行业分类、街道镇、重点产业默认口径）",
    "serve": "以生产方式启动网站（gunicorn + whitenoise），默认 127.0.0.1:8000",
    "demo": "生成演示区：企业名录、五年月度税收、目标、预警（可指定 --enterprises --years --seed）",
    "import-enterprises": "导入市场监管企业名录（xlsx/xls/csv）",
    "reclassify": "按当前重点产业口径重新认定全部企业",
    "import-tax": "导入税务部门月度企业税收文件，形成产业税收库新版本",
    "tax-versions": "列出、比较、回滚某月税收库版本",
    "stats": "统计：stats industries（产业税收）、stats targets（目标进度）",
    "import-targets": "导入年度目标责任表",
    "warnings": "计算并列出某月的重点企业预警",
    "inbox": "列出某用户的待办事项（督办，跨模块，超期在前）",
    "workdays": "工作日计算：workdays add 日期 N（国务院节假日与调休安排）",
    "calendar": "工作日历：导入年度节假日安排（calendar import 文件）、查看、载入",
    "worker": "运行后台任务进程（导入、重新认定、预警计算、定时任务）；peiyu serve 默认已启动一个",
    "import-users": "批量导入用户名册，输出初始密码",
    "token": "为用户生成 API 令牌（最后一行只输出令牌）",
    "audit": "查看审计日志",
    "createadmin": "创建或重置管理员账户",
}


def _django_name(name: str) -> str:
    return name.replace("-", "_")


def print_help() -> None:
    print("peiyu — 培育：重点产业培育平台\n")
    print("用法: peiyu 命令 [参数]    （peiyu 命令 --help 查看该命令的参数）\n")
    from django.core.management import get_commands

    available = get_commands()
    width = max(len(n) for n in COMMANDS)
    for name, text in COMMANDS.items():
        if _django_name(name) in available:
            print(f"  {name.ljust(width)}  {text}")
    print("\n其余 Django 管理命令（migrate、shell、check 等）同样可用：peiyu django-help")


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
