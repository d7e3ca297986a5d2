"""A covering index of the organizer-month sums (PostgreSQL): the dashboard's top organizers
read every organizer's months of the range, and with the sums in the index that is an
index-only scan. At 10M attendee rows (5,000 organizers, 54k month rows for a year) the top
lists' statement took half the time (bench/growth.py). Not declared on the model: SQLite has
no covering indexes, and Django warns of one declared there (models.W040)."""

from django.db import migrations

INDEX = "orgmonth_month_cover"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("meetings", "OrganizerMonth")._meta.db_table)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON {table} (month, organizer_id) "
        "INCLUDE (group_id, meetings, attendee_minutes)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("meetings", "0008_build_rollups")]

    operations = [migrations.RunPython(create, drop)]
