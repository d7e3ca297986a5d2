"""Build every level of the roll-ups (and the people they count) for the history already
cached, now that the account-wide cells' tables exist (0007).

It calls the same code as ``manage.py rollups_rebuild`` (the live models, not historical
ones): the cells must be summed exactly as the sync keeps them, and one rule lives in one
place. It moved here from 0006, which ran it before these tables existed; a cache that applied
0006 already is rebuilt once more. Alone in its migration and outside a transaction (one per
step of days, each under the lock the sync's roll-up writes take): an interrupted build leaves
0008 unapplied: ``manage.py rollups_rebuild`` continues it from its cursor, ``migrate`` runs
it again from the start.
"""

from django.db import migrations


def build(apps, schema_editor):
    from meetings.rollups import rollups_rebuild

    rollups_rebuild(restart=True)


class Migration(migrations.Migration):
    atomic = False  # one transaction per step of days, as the command does

    dependencies = [("meetings", "0007_account_rollups")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
