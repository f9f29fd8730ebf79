"""The 定时任务 row that writes the district's monthly report after a tax import of the latest month
(``reports.after_import``; administrators may switch it off on the 定时任务 page)."""

from django.db import migrations


def create(apps, schema_editor):
    Schedule = apps.get_model("work", "Schedule")
    Schedule.objects.get_or_create(
        key="reports.after_import",
        defaults={
            "label": "税收导入后生成月度分析报告",
            "job_kind": "reports.after_import",
            "cadence": "after_import",
            "enabled": True,
        },
    )


def remove(apps, schema_editor):
    apps.get_model("work", "Schedule").objects.filter(key="reports.after_import").delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("work", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
