"""Built the roll-ups for the history already cached; now a step that does nothing.

The build moved to 0007, after the account-wide cells' tables exist: it calls the live
rebuild (``manage.py rollups_rebuild``), which keeps every level, and run here it met tables
not yet created.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("meetings", "0005_rollups")]

    operations: list = []
