"""Build the roll-ups (and the people they count) for the history already cached.

It calls the same code as ``manage.py rollups_rebuild`` (the live models, not historical
ones): the cells must be summed exactly as the sync keeps them, and one rule lives in one
place. On a large cache this takes a while (README Performance: the rebuild's rate); an
interrupted migration is continued by ``manage.py rollups_rebuild`` from its cursor.
"""

from django.db import migrations


def build(apps, schema_editor):
    from meetings.rollups import rollups_rebuild

    rollups_rebuild(restart=True)


class Migration(migrations.Migration):
    atomic = False  # one transaction per step of days, as the command does

    dependencies = [("meetings", "0005_rollups")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
