"""Account-wide cells (AccountDay, AccountMonth) beside the group cells: the tables, in one
transaction (0008 fills them)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_build_rollups"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField(unique=True)),
                ("people", models.BinaryField()),
            ],
        ),
        migrations.CreateModel(
            name="AccountDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("meetings", models.PositiveIntegerField(default=0)),
                ("duration", models.BigIntegerField(default=0)),
                ("attendees", models.BigIntegerField(default=0)),
                ("attendee_minutes", models.BigIntegerField(default=0)),
                ("bucket_0", models.PositiveIntegerField(default=0)),
                ("bucket_1", models.PositiveIntegerField(default=0)),
                ("bucket_2", models.PositiveIntegerField(default=0)),
                ("bucket_3", models.PositiveIntegerField(default=0)),
                ("bucket_4", models.PositiveIntegerField(default=0)),
                ("bucket_5", models.PositiveIntegerField(default=0)),
                ("bucket_6", models.PositiveIntegerField(default=0)),
                ("bucket_7", models.PositiveIntegerField(default=0)),
                ("slots", models.BinaryField()),
                ("people", models.BinaryField()),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("day",), name="accountday_day")],
            },
        ),
    ]
