# A resident answers a survey once per round (SPEC.md). 0006 removed the older duplicates
# (keeping each resident's latest response of the round); this makes the rule a constraint.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0006_rescore_and_one_per_round"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="response",
            name="response_unique_resident_day_round",
        ),
        migrations.AddConstraint(
            model_name="response",
            constraint=models.UniqueConstraint(
                condition=models.Q(("resident__isnull", False)),
                fields=("survey", "resident", "round"),
                name="response_unique_resident_round",
            ),
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(
                condition=models.Q(("resident__isnull", False)),
                fields=["resident", "-answered_on", "-id"],
                include=("community", "month", "survey", "round"),
                name="response_person_latest",
            ),
        ),
    ]
