"""``manage.py sync`` runs the same services in the foreground, one line per window, with the
service connection; bad input and a missing connection are clear errors."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from meetings.models import MeetingInstance
from organizers.models import Group, Organizer
from sync.models import SyncArea, SyncOutcome, SyncRun

pytestmark = pytest.mark.django_db


def _sync(*args: str) -> str:
    out = StringIO()
    call_command("sync", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_command_syncs_organizers_then_history_since_a_date_window_by_window(
    sandbox, service_admin
):
    since = (timezone.now() - timedelta(days=100)).date()

    organizers = _sync("--area", "organizers")
    history = _sync("--area", "history", "--since", since.isoformat())

    assert "organizers: success" in organizers
    assert Organizer.objects.count() == len(sandbox.state()["organizers"])
    engineering = Group.objects.get(name="Engineering")
    assert "history Engineering: window 1/2 " in history
    assert "history Engineering: window 2/2 " in history
    assert "history: success" in history
    runs = SyncRun.objects.filter(area=SyncArea.HISTORY, key=str(engineering.group_key))
    assert runs.get().triggered_by == "manage.py sync"
    oldest = MeetingInstance.objects.order_by("start_time").first()
    assert oldest.start_time.date() >= since


def test_command_refuses_a_date_that_is_not_yyyy_mm_dd(sandbox, service_admin):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _sync("--area", "history", "--since", "01/02/2026")
    assert not SyncRun.objects.exists()


def test_command_without_a_service_connection_says_so(sync_settings):
    with pytest.raises(CommandError, match="No GoTo service connection"):
        _sync("--area", "organizers")
    assert not SyncRun.objects.exists()


def test_command_reports_a_failed_area_and_goes_on_with_the_next(sandbox, service_admin):
    sandbox.faults(fail_next=[500])  # get_groups fails: organizers fail; live still runs

    with pytest.raises(CommandError, match="organizers"):
        _sync("--area", "all")

    outcomes = dict(SyncRun.objects.filter(key="").values_list("area", "outcome"))
    assert outcomes[SyncArea.ORGANIZERS] == SyncOutcome.FAILED
    assert outcomes[SyncArea.LIVE] == SyncOutcome.SUCCESS
