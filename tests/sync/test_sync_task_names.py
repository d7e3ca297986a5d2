"""The sync tasks live in ``sync/tasks.py`` but keep the names they were registered under in
``meetings`` and ``organizers``: messages already queued under those names, beat's schedule
and the task routes still reach the sync's services."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import meetings.tasks
import organizers.tasks
from organizers.models import Group, Organizer
from portal.celery import app
from sync import tasks
from sync.areas import AREAS
from sync.models import SyncArea, SyncOutcome, SyncRun

# The names in messages queued before the move (the contract with the broker, not a choice).
REGISTERED_NAMES = {
    SyncArea.ORGANIZERS: "organizers.sync_organizers",
    SyncArea.HISTORY: "meetings.sync_history",
    SyncArea.ATTENDEES: "meetings.sync_attendees",
    SyncArea.SCHEDULED: "meetings.sync_scheduled",
    SyncArea.LIVE: "meetings.sync_live",
}


def test_each_old_task_name_is_the_sync_task_of_its_area():
    for entry in AREAS:
        task = app.tasks[REGISTERED_NAMES[entry.area]]
        assert entry.task_name == task.name
        assert task.run.__module__ == "sync.tasks"
        assert task.run is getattr(tasks, f"sync_{entry.key}_task").run
    # meetings/ and organizers/ keep only their own work (import, reconcile).
    for module in (meetings.tasks, organizers.tasks):
        assert not [name for name in vars(module) if name.startswith("sync_")]
    assert app.tasks["meetings.reconcile_meeting"].run.__module__ == "meetings.tasks"
    assert app.tasks["organizers.reconcile_organizer"].run.__module__ == "organizers.tasks"


def _in_a_fresh_process(code: str):
    """What ``code`` prints as JSON (its last line), run after ``django.setup()`` in a new
    Python process: nothing of this test session imported."""
    answer = subprocess.run(
        [sys.executable, "-c", f"import json, django; django.setup(); {code}"],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert answer.returncode == 0, answer.stderr[-2000:]
    return json.loads(answer.stdout.strip().splitlines()[-1])


def test_a_worker_of_the_portal_app_finds_every_sync_task_by_autodiscovery():
    """A fresh process, as ``celery -A portal worker`` starts: nothing imported by hand."""
    registered = set(
        _in_a_fresh_process(
            "from portal.celery import app; app.loader.import_default_modules(); "
            "print(json.dumps(sorted(app.tasks)))"
        )
    )
    assert set(REGISTERED_NAMES.values()) <= registered


def test_a_web_process_finds_the_task_of_every_area_for_refresh_now():
    """A fresh process that loads Django as the web server does (no task module imported by
    hand, no worker's autodiscovery): "Refresh now" looks each area's task up by name."""
    found = _in_a_fresh_process(
        "import portal.urls; from sync.areas import AREAS; "
        "print(json.dumps([a.task.name for a in AREAS]))"
    )
    assert found == [entry.task_name for entry in AREAS]


def test_beat_and_the_routes_name_the_registry_tasks_at_their_cadences(settings):
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    # Beside the sync areas, beat runs only the e-mail digests (tests/digests/).
    assert set(schedule) == {entry.task_name for entry in AREAS} | {"digests.send_due"}
    for entry in AREAS:
        assert schedule[entry.task_name]["schedule"] == entry.interval, entry.key
        assert settings.CELERY_TASK_ROUTES[entry.task_name] == {"queue": "sync"}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_messages_queued_under_the_old_names_run_the_sync(sandbox, service_admin, sync_worker):
    organizers_result = app.send_task("organizers.sync_organizers", queue=sync_worker).get(
        timeout=60
    )
    group = Group.objects.get(name="Engineering")
    # A message of the old meetings task for one group, with its arguments as they were sent.
    history_result = app.send_task(
        "meetings.sync_history", kwargs={"group_id": group.pk}, queue=sync_worker
    ).get(timeout=60)

    assert organizers_result["outcome"] == SyncOutcome.SUCCESS
    assert Organizer.objects.count() == len(sandbox.state()["organizers"])
    assert history_result["outcome"] == SyncOutcome.SUCCESS
    run = SyncRun.objects.get(pk=history_result["run"])
    assert (run.area, run.key) == (SyncArea.HISTORY, str(group.group_key))
    assert run.rows_created > 0
