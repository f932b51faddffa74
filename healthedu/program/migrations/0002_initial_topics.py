from django.db import migrations

from healthedu.program.topics import INITIAL_TOPICS


def load(apps, schema_editor):
    Topic = apps.get_model("program", "Topic")
    for index, (code, name, category) in enumerate(INITIAL_TOPICS):
        Topic.objects.update_or_create(code=code, defaults={"name": name, "category": category, "ordering": index})


def unload(apps, schema_editor):
    Topic = apps.get_model("program", "Topic")
    Topic.objects.filter(code__in=[code for code, _n, _c in INITIAL_TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("program", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
