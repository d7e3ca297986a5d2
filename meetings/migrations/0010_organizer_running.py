"""Running totals of the organizer-month sums (:class:`meetings.models.OrganizerRunning`), so
a range's top organizers read two rows per organizer whatever its length; on PostgreSQL with
a covering index, so those reads are index-only scans. Built by 0011.

0009's covering index of the month sums goes: the top lists no longer read them by month
(the sync's writes kept it up for nothing). The model's own indexes stay, on both databases:
SQLite has no covering index, and the sync reads and replaces both tables by month and by
organizer."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "orgrun_month_cover"


MONTH_INDEX = "orgmonth_month_cover"  # 0009's


def _cover(schema_editor, name, model) -> None:
    table = schema_editor.quote_name(model._meta.db_table)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} (month, organizer_id) "
        "INCLUDE (group_id, meetings, attendee_minutes)"
    )


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _cover(schema_editor, INDEX, apps.get_model("meetings", "OrganizerRunning"))
    schema_editor.execute(f"DROP INDEX IF EXISTS {MONTH_INDEX}")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        _cover(schema_editor, MONTH_INDEX, apps.get_model("meetings", "OrganizerMonth"))


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0009_organizermonth_covering_index"),
        ("organizers", "0002_import_jobs"),
    ]

    operations = [
        migrations.CreateModel(
            name="OrganizerRunning",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("meetings", models.BigIntegerField(default=0)),
                ("attendee_minutes", models.BigIntegerField(default=0)),
                (
                    "group",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="organizers.group",
                    ),
                ),
                (
                    "organizer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="organizers.organizer",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["month", "organizer"], name="orgrun_month_organizer"),
                    models.Index(fields=["organizer", "month"], name="orgrun_organizer_month"),
                ],
            },
        ),
        migrations.RunPython(create_index, drop_index),
    ]
