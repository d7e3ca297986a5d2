"""``manage.py rollups_rebuild``: sum the dashboard's roll-ups again from the cached rows.

For when they cannot be trusted (restored database, a bug fixed in how they are summed). Safe
to run at any time and as often as wanted: each step replaces its days' cells. Stopped half
way, it continues from its cursor the next time; ``--restart`` starts from the first day.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from meetings.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Rebuild the history dashboard's roll-ups from the cached meeting instances."

    def add_arguments(self, parser):
        parser.add_argument("--restart", action="store_true", help="start from the first day")
        parser.add_argument(
            "--days-per-step", type=int, default=7, help="UTC days per transaction (default 7)"
        )

    def handle(self, *args, restart: bool, days_per_step: int, **options):
        began = time.monotonic()
        total = rollups_rebuild(
            restart=restart,
            days_per_step=max(1, days_per_step),
            progress=lambda message: self.stdout.write(message),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{total} meeting instances summed in {time.monotonic() - began:.1f} s"
            )
        )
