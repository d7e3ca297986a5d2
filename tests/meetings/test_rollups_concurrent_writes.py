"""Two sync runs writing instances of the same organizer and day at once (the history pass and
the attendees pass, say) leave one roll-up cell with both meetings, not two cells whose figures
the dashboard would add up."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from meetings.models import GroupDay, MeetingInstance, OrganizerDay, OrganizerMonth
from meetings.rollups import rollups_kept
from tests.factories import MeetingInstanceFactory

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
