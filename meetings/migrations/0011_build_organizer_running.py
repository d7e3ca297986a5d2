"""Build the organizers' running totals (0010) from the organizer-month sums already kept,
with the same code the sync and ``manage.py rollups_rebuild`` use (one rule, one place)."""

from django.db import migrations


def build(apps, schema_editor):
    from meetings.rollups import rollups_rebuild_running

    rollups_rebuild_running()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0010_organizer_running")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
