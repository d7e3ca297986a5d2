"""Many rows written at once (the sync's attendee lists): new rows are inserted, a row with the
same unique key updates only the named fields, and both ways of writing (COPY on PostgreSQL,
bulk_create elsewhere) leave the same rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from meetings.models import Attendee
from portal import bulk
from tests.factories import MeetingInstanceFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
UNIQUE = ["instance", "email", "join_time"]
UPDATE = ("name", "leave_time", "duration_minutes")


def stay(instance, email: str, minutes: int, name: str = "", leave: bool = True) -> dict:
    return {
        "instance_id": instance.pk,
        "email": email,
        "join_time": START,
        "name": name or email.split("@")[0],
        "leave_time": START + timedelta(minutes=minutes) if leave else None,
        "duration_minutes": minutes,
    }


def stored(instance) -> list[tuple]:
    return list(
        Attendee.objects.filter(instance=instance)
        .order_by("email")
        .values_list("email", "name", "leave_time", "duration_minutes")
    )


@pytest.fixture(params=[pytest.param("copy", marks=pytest.mark.postgres), "bulk_create"])
def way(request, monkeypatch):
    if request.param == "bulk_create":
        monkeypatch.setattr(bulk, "copy_supported", lambda: False)
    return request.param


@pytest.mark.postgres
def test_copy_is_used_on_postgresql():
    assert bulk.copy_supported()


def test_new_rows_are_inserted_and_known_ones_updated(way):
    meeting = MeetingInstanceFactory(start_time=START)
    bulk.upsert_rows(
        Attendee, [stay(meeting, "a@ex.com", 30), stay(meeting, "b@ex.com", 45)],
        unique=UNIQUE, update=UPDATE,
    )  # fmt: skip
    first_ids = dict(Attendee.objects.values_list("email", "id"))
    bulk.upsert_rows(
        Attendee,
        [stay(meeting, "b@ex.com", 50, name="Bea", leave=False), stay(meeting, "c@ex.com", 5)],
        unique=UNIQUE,
        update=UPDATE,
    )
    assert stored(meeting) == [
        ("a@ex.com", "a", START + timedelta(minutes=30), 30),
        ("b@ex.com", "Bea", None, 50),
        ("c@ex.com", "c", START + timedelta(minutes=5), 5),
    ]
    assert Attendee.objects.get(email="b@ex.com").pk == first_ids["b@ex.com"]  # updated in place


def test_only_the_named_fields_are_updated(way):
    meeting = MeetingInstanceFactory(start_time=START)
    bulk.upsert_rows(Attendee, [stay(meeting, "a@ex.com", 30)], unique=UNIQUE, update=UPDATE)
    bulk.upsert_rows(
        Attendee,
        [stay(meeting, "a@ex.com", 99, name="Changed")],
        unique=UNIQUE,
        update=["duration_minutes"],
    )
    assert stored(meeting) == [("a@ex.com", "a", START + timedelta(minutes=30), 99)]


def test_writing_twice_in_one_transaction_works(way):
    from django.db import transaction

    meeting = MeetingInstanceFactory(start_time=START)
    with transaction.atomic():
        bulk.upsert_rows(Attendee, [stay(meeting, "a@ex.com", 1)], unique=UNIQUE, update=UPDATE)
        bulk.upsert_rows(Attendee, [stay(meeting, "b@ex.com", 2)], unique=UNIQUE, update=UPDATE)
    assert [row[0] for row in stored(meeting)] == ["a@ex.com", "b@ex.com"]


def test_names_with_tabs_quotes_and_newlines_survive(way):
    meeting = MeetingInstanceFactory(start_time=START)
    odd = 'Tab\there "quoted" back\\slash\nnew line, comma'
    bulk.upsert_rows(
        Attendee, [stay(meeting, "a@ex.com", 3, name=odd)], unique=UNIQUE, update=UPDATE
    )
    assert stored(meeting)[0][1] == odd


def test_nothing_to_write_writes_nothing(way):
    bulk.upsert_rows(Attendee, [], unique=UNIQUE, update=UPDATE)
    assert Attendee.objects.count() == 0


def test_a_new_row_gets_the_defaults_of_fields_it_does_not_name(way):
    from meetings.models import MeetingInstance
    from tests.factories import OrganizerFactory

    organizer = OrganizerFactory()
    row = {
        "instance_key": 77,
        "meeting_id": 7,
        "organizer_id": organizer.pk,
        "organizer_key": organizer.organizer_key,
        "group_id": organizer.group_id,
        "subject": "Weekly",
        "start_time": START,
        "end_time": START + timedelta(minutes=30),
    }
    bulk.upsert_rows(MeetingInstance, [row], unique=["instance_key"], update=["subject"])
    MeetingInstance.objects.filter(instance_key=77).update(attendee_minutes=40)
    bulk.upsert_rows(
        MeetingInstance,
        [{**row, "subject": "Renamed"}],
        unique=["instance_key"],
        update=["subject"],
    )
    stored = MeetingInstance.objects.get(instance_key=77)
    assert (stored.subject, stored.attendee_minutes, stored.meeting_type) == ("Renamed", 40, "")
    assert stored.attendees_synced_at is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # a real transaction, not the test's savepoint
def test_relaxed_commit_lasts_only_for_its_own_transaction():
    from django.db import connection, transaction

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    before = setting()
    with transaction.atomic():
        bulk.commit_without_waiting_for_disk()
        assert setting() == "off"
    assert setting() == before != "off"


def test_rows_read_as_absent_that_another_writer_added_meanwhile_are_updated_not_doubled(way):
    meeting = MeetingInstanceFactory(start_time=START)
    bulk.upsert_rows(Attendee, [stay(meeting, "a@ex.com", 30)], unique=UNIQUE, update=UPDATE)
    bulk.insert_new_rows(
        Attendee,
        [stay(meeting, "a@ex.com", 45, name="Ann"), stay(meeting, "b@ex.com", 5)],
        unique=UNIQUE,
        update=UPDATE,
    )
    assert stored(meeting) == [
        ("a@ex.com", "Ann", START + timedelta(minutes=45), 45),
        ("b@ex.com", "b", START + timedelta(minutes=5), 5),
    ]
