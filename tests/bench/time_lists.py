"""Render time of the list pages, in-process (run explicitly: not a test, a measurement).

    DATABASE_URL=... python -m pytest -q -s -p no:cacheprovider tests/bench/time_lists.py

Prints the median of N renders of each page through the test client, with the page cache off
(a dummy cache), and of the organizers rows alone (500 rows). Used to compare a change of the
tables' code with the code before it; the numbers are in :mod:`portal.tables`.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AttendeeFactory,
    GroupFactory,
    MeetingInstanceFactory,
    OrganizerFactory,
)

pytestmark = pytest.mark.django_db
RUNS = 50


def _median_ms(fn, runs: int = RUNS) -> float:
    fn()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


@pytest.fixture
def no_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def test_time_list_pages(no_cache, client_for, admin_user):
    from organizers.models import Organizer
    from organizers.tables import OrganizerTable

    groups = [GroupFactory(name=f"Group {i}") for i in range(10)]
    now = timezone.now()
    for i in range(500):
        OrganizerFactory(
            email=f"o{i}@acme.example",
            first_name=f"First{i}",
            last_name=f"Last{i}",
            group=groups[i % 10],
            products="G2M,G2W",
            synced_at=now - timedelta(minutes=i % 7),
        )
    instance = MeetingInstanceFactory(organizer=Organizer.objects.first(), group=groups[0])
    for _ in range(60):
        AttendeeFactory(instance=instance)
    client = client_for(admin_user)
    organizers = list(
        __import__("organizers.selectors", fromlist=["x"]).organizers_with_last_meeting(admin_user)
    )

    results = {
        "organizers list page (50 of 500 rows)": _median_ms(
            lambda: client.get(reverse("organizers:list")).content
        ),
        "organizers rows alone, 500 rows": _median_ms(
            lambda: str(OrganizerTable(next_url="/organizers/").rows_html(organizers)), runs=20
        ),
        "dashboard page": _median_ms(lambda: client.get(reverse("meetings:dashboard")).content),
        "attendees of a meeting (50 rows)": _median_ms(
            lambda: client.get(reverse("meetings:instance_detail", args=[instance.pk])).content
        ),
        "attendee report": _median_ms(
            lambda: client.get(reverse("meetings:attendees_report")).content
        ),
        "audit log": _median_ms(lambda: client.get(reverse("accounts:audit_log")).content),
    }
    for name, (median, best) in results.items():
        print(f"TIMING {name}: median {median:.2f} ms, best {best:.2f} ms")
