"""Account-wide cells (AccountDay, AccountMonth) beside the group cells, and every level
rebuilt from the rows once they exist.

The rebuild is the same code as ``manage.py rollups_rebuild`` (the live models: the cells
must be summed exactly as the sync keeps them). It moved here from 0006, which ran it before
these tables existed; a cache that applied 0006 already is rebuilt once more here. An
interrupted migration is continued by ``manage.py rollups_rebuild`` from its cursor.
"""

from django.db import migrations, models


def build(apps, schema_editor):
    from meetings.rollups import rollups_rebuild

    rollups_rebuild(restart=True)


class Migration(migrations.Migration):
    atomic = False  # one transaction per step of days, as the command does

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
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
