"""The after-import schedule of the monthly condition check (定时任务: 税收导入后检查政策兑现承诺条件),
editable and switchable on the 定时任务 page like the others."""

from django.db import migrations


def add(apps, schema_editor):
    Schedule = apps.get_model("work", "Schedule")
    Schedule.objects.get_or_create(
        key="policies.after_import",
        defaults={
            "label": "税收导入后检查政策兑现承诺条件",
            "job_kind": "policies.conditions",
            "cadence": "after_import",
            "enabled": True,
        },
    )


def remove(apps, schema_editor):
    apps.get_model("work", "Schedule").objects.filter(key="policies.after_import").delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial"), ("work", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
