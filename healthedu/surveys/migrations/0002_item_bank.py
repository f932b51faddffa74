from django.db import migrations

from healthedu.surveys.bank import BANK_ITEMS


def load(apps, schema_editor):
    Topic = apps.get_model("program", "Topic")
    BankItem = apps.get_model("surveys", "BankItem")
    topics = {t.code: t for t in Topic.objects.all()}
    for code, kind, text, options, correct in BANK_ITEMS:
        if code in topics:
            BankItem.objects.update_or_create(
                text=text,
                defaults={
                    "topic": topics[code],
                    "kind": kind,
                    "options": options,
                    "correct": correct,
                    # Multi-select items say so in their text, as printed on paper.
                    "multiple": "多选" in text,
                },
            )


def unload(apps, schema_editor):
    BankItem = apps.get_model("surveys", "BankItem")
    BankItem.objects.filter(text__in=[row[2] for row in BANK_ITEMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial"), ("program", "0002_initial_topics")]
    operations = [migrations.RunPython(load, unload)]
