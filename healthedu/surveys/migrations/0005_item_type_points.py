# Items get a type (判断/单选/多选) and points; responses keep the points earned and the full
# points of each part. Filled and re-scored by 0006; the one-per-round constraint is 0007.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0004_response_list_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="bankitem",
            name="points",
            field=models.PositiveSmallIntegerField(db_default=1, default=1, verbose_name="points"),
        ),
        migrations.AddField(
            model_name="bankitem",
            name="type",
            field=models.CharField(
                choices=[
                    ("true_false", "True/false"),
                    ("single", "Single choice"),
                    ("multiple", "Multi-select"),
                ],
                db_default="single",
                default="single",
                max_length=16,
                verbose_name="item type",
            ),
        ),
        migrations.AddField(
            model_name="item",
            name="points",
            field=models.PositiveSmallIntegerField(db_default=1, default=1, verbose_name="points"),
        ),
        migrations.AddField(
            model_name="item",
            name="type",
            field=models.CharField(
                choices=[
                    ("true_false", "True/false"),
                    ("single", "Single choice"),
                    ("multiple", "Multi-select"),
                ],
                db_default="single",
                default="single",
                max_length=16,
                verbose_name="item type",
            ),
        ),
        migrations.AddField(
            model_name="response",
            name="behavior_full",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="response",
            name="behavior_points",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="response",
            name="knowledge_full",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="response",
            name="knowledge_points",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.CheckConstraint(
                condition=models.Q(("type__in", ["true_false", "single", "multiple"])),
                name="item_type_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.CheckConstraint(
                condition=models.Q(("points__gte", 1), ("points__lte", 100)),
                name="item_points_positive",
            ),
        ),
        migrations.AddConstraint(
            model_name="response",
            constraint=models.CheckConstraint(
                condition=models.Q(("knowledge_points__lte", models.F("knowledge_full"))),
                name="response_knowledge_points_le_full",
            ),
        ),
        migrations.AddConstraint(
            model_name="response",
            constraint=models.CheckConstraint(
                condition=models.Q(("behavior_points__lte", models.F("behavior_full"))),
                name="response_behavior_points_le_full",
            ),
        ),
    ]
