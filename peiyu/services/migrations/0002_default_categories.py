from django.db import migrations

DEFAULT_CATEGORIES = (
    ("space", "空间/场地"),
    ("market", "市场"),
    ("finance", "资金/融资"),
    ("talent", "人才"),
    ("permit", "证照审批"),
    ("policy", "政策咨询"),
    ("other", "其他"),
)


def seed(apps, schema_editor):
    Category = apps.get_model("services", "Category")
    for n, (code, name) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={"name": name, "order": n})


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
