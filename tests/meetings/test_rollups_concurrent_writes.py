"""Two sync runs writing instances of the same organizer and day at once (the history pass and
the attendees pass, say) leave one roll-up cell with both meetings, not two cells whose figures
the dashboard would add up; two runs opening a new month at once carry every organizer's
running totals into it once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction

from meetings.models import (
    GroupDay,
    MeetingInstance,
    OrganizerDay,
    OrganizerMonth,
    OrganizerRunning,
)
from meetings.rollups import rollups_kept
from tests.factories import MeetingInstanceFactory, OrganizerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_runs_recomputing_the_same_cell_at_once_leave_one_cell_with_both_meetings():
    first = MeetingInstanceFactory()
    second = MeetingInstanceFactory(
        organizer=first.organizer, start_time=first.start_time.replace(minute=0, second=0)
    )
    assert OrganizerDay.objects.get().meetings == 2
    errors: list[BaseException] = []

    def rewrite(instance: MeetingInstance, *, wait_before: float, hold: float) -> None:
        try:
            time.sleep(wait_before)
            with transaction.atomic():
                with rollups_kept(instance_ids=[instance.pk]):
                    MeetingInstance.objects.filter(pk=instance.pk).update(attendee_minutes=45)
                time.sleep(hold)  # the cells are written; the transaction is still open
        except BaseException as error:  # reported by the test's thread
            errors.append(error)
        finally:
            connection.close()

    runs = [
        threading.Thread(target=rewrite, args=(first,), kwargs={"wait_before": 0, "hold": 1.0}),
        threading.Thread(target=rewrite, args=(second,), kwargs={"wait_before": 0.3, "hold": 0}),
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=30)
    assert not errors, errors
    cell = OrganizerDay.objects.get()  # one cell, not one per run
    assert (cell.meetings, cell.attendee_minutes) == (2, 90)
    assert GroupDay.objects.get().meetings == 2
    assert OrganizerMonth.objects.get().meetings == 2
    assert OrganizerRunning.objects.get().meetings == 2


def _held_at(key: int, organizer, start: datetime) -> None:
    MeetingInstance.objects.create(
        instance_key=key,
        meeting_id=key,
        organizer=organizer,
        subject="Held",
        start_time=start,
        end_time=start + timedelta(minutes=30),
        duration_minutes=30,
        attendee_minutes=10,
    )


def test_two_runs_opening_a_new_month_at_once_carry_every_organizers_totals_once():
    x, y, z = OrganizerFactory(), OrganizerFactory(), OrganizerFactory()
    october = datetime(2026, 10, 10, 9, tzinfo=UTC)
    for key, organizer in ((1, x), (2, y), (3, z)):
        with transaction.atomic(), rollups_kept(instance_keys=[key]):
            _held_at(key, organizer, october)
    errors: list[BaseException] = []

    def first_of_november(key: int, organizer, *, wait_before: float, hold: float) -> None:
        try:
            time.sleep(wait_before)
            with transaction.atomic():
                with rollups_kept(instance_keys=[key]):
                    _held_at(key, organizer, datetime(2026, 11, 5, 9, tzinfo=UTC))
                time.sleep(hold)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    runs = [
        threading.Thread(target=first_of_november, args=(10, x),
                         kwargs={"wait_before": 0, "hold": 1.0}),
        threading.Thread(target=first_of_november, args=(11, y),
                         kwargs={"wait_before": 0.3, "hold": 0}),
    ]  # fmt: skip
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=30)
    assert not errors, errors
    oct_1, nov_1 = date(2026, 10, 1), date(2026, 11, 1)
    assert sorted(OrganizerRunning.objects.values_list("organizer_id", "month", "meetings")) == [
        (x.pk, oct_1, 1), (x.pk, nov_1, 2), (y.pk, oct_1, 1), (y.pk, nov_1, 2),
        (z.pk, oct_1, 1), (z.pk, nov_1, 1),  # z held none in November: carried over
    ]  # fmt: skip
