"""One registry of sync areas (``sync/areas.py``): every area is in it once, and the sync
command, the Sync status page and ``/health/`` list exactly its areas, in its order; what it
says a run costs is what a run spends against the sandbox."""

from __future__ import annotations

import re

import pytest

from portal.health import sync_ages
from sync import activity, services
from sync.areas import AREAS, account_shape, area_entry, by_priority
from sync.management.commands.sync import Command
from sync.models import SyncArea

pytestmark = pytest.mark.django_db

REGISTRY = [entry.key for entry in AREAS]


def test_the_registry_holds_every_sync_area_once_with_its_own_priority():
    assert sorted(REGISTRY) == sorted(area.value for area in SyncArea)
    assert len({entry.priority for entry in AREAS}) == len(AREAS)
    assert [entry.area for entry in by_priority()][0] == SyncArea.LIVE
    for area in SyncArea:
        assert area_entry(area.value).area == area
    with pytest.raises(ValueError):
        area_entry("weather")


def test_the_command_the_sync_page_and_health_list_the_registrys_areas(admin_user, client_for):
    parser = Command().create_parser("manage.py", "sync")
    choices = next(action.choices for action in parser._actions if action.dest == "area")
    page = client_for(admin_user).get("/sync/").content.decode()
    on_page = re.findall(r'<tr data-area="([a-z]+)">', page)
    on_health = [area["area"] for area in sync_ages()]

    assert [choice for choice in choices if choice != "all"] == REGISTRY
    assert on_page == REGISTRY
    assert on_health == REGISTRY


def test_a_run_spends_the_calls_the_registry_expects(sandbox, sync_settings, goto_client):
    client = goto_client()
    organizers = services.organizers_sync(client=client)
    shape = account_shape()
    assert shape.small_groups > 0 and shape.big_group_organizers > 50  # both kinds of group

    first = services.scheduled_sync(client=client)  # no live sweep yet: everyone is asked
    sweep = [services.live_sync(client=client) for _ in range(activity.sweep_slices())]
    scheduled = services.scheduled_sync(client=client)  # the sweep covered the big groups
    services.history_sync(client=client)
    again = services.history_sync(client=client)  # a routine run: one window from the cursor

    assert organizers.api_calls == area_entry("organizers").calls_per_run(shape)
    assert first.api_calls == shape.calls_per_group_pass
    assert scheduled.api_calls == area_entry("scheduled").calls_per_run(shape)
    # Each live pass: its slice of the sweep, and a few calls for the meetings running now.
    slice_calls = area_entry("live").calls_per_run(shape)
    assert all(slice_calls <= run.api_calls <= slice_calls + 10 for run in sweep)
    # A history call per small group (and an attendees call where meetings ended), and for the
    # big group only the organizers who can have held a meeting: within the registry's share.
    assert shape.small_groups <= again.api_calls <= area_entry("history").calls_per_run(shape)
