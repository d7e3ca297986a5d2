"""``python manage.py sync``: run the sync in the foreground, without Celery.

For the first set-up (a long back-fill you want to watch) and for cron users. Runs the same
services as the Celery tasks, with the same locks and SyncRun records, using the service
connection (``accounts.connections.service_client()``).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from sync.areas import AREAS, area_entry
from sync.models import SyncOutcome


class Command(BaseCommand):
    help = "Refresh the local cache from GoTo in the foreground (one line per window or step)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--area",
            choices=[*(entry.key for entry in AREAS), "all"],
            default="all",
            help="What to sync (default: all, in the order "
            + ", ".join(entry.key for entry in AREAS)
            + ").",
        )
        parser.add_argument(
            "--since",
            type=_date,
            default=None,
            metavar="YYYY-MM-DD",
            help="History: start from this day (UTC) instead of where the last sync ended.",
        )

    def handle(self, *args, area: str, since: datetime | None, **options):
        from accounts.connections import service_client

        try:
            client = service_client()
        except Exception as exc:
            raise CommandError(f"No GoTo service connection: {exc}") from exc
        areas = [entry.key for entry in AREAS] if area == "all" else [area]
        failed = []
        with client:
            for name in areas:
                self.stdout.write(f"== {name}")
                try:
                    run = self._run(name, client, since)
                except Exception as exc:  # recorded in its SyncRun; go on with the next area
                    failed.append(name)
                    self.stderr.write(f"{name}: failed: {exc}")
                    continue
                if run.outcome == SyncOutcome.SKIPPED:
                    self.stdout.write(f"{name}: already running elsewhere, skipped")
                    continue
                self.stdout.write(
                    f"{name}: {run.outcome}: {run.rows_created} created, "
                    f"{run.rows_updated} updated, {run.api_calls} API calls"
                )
        if failed:
            raise CommandError(f"Sync failed for: {', '.join(failed)} (see the Sync status page)")

    def _run(self, area: str, client, since: datetime | None):
        return area_entry(area).run_in_foreground(
            client=client, triggered_by="manage.py sync", progress=self._line, since=since
        )

    def _line(self, message: str) -> None:
        self.stdout.write(f"  {message}")
        self.stdout.flush()


def _date(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {value!r}") from exc
