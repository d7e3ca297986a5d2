"""The API's rows are written by plain functions for speed (reporting_api.serializers
.FastRowsMixin); they must write exactly what DRF's own field-by-field serialization writes
from the declared fields, which are also the OpenAPI document's schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from meetings.models import Attendee, MeetingInstance
from reporting_api.serializers import AttendeeSerializer, MeetingInstanceSerializer
from tests.factories import AttendeeFactory, MeetingInstanceFactory

pytestmark = pytest.mark.django_db


def test_meeting_instance_rows_match_drfs(db):
    MeetingInstanceFactory(start_time=datetime(2026, 3, 2, 9, 15, 30, 123456, tzinfo=UTC))
    MeetingInstanceFactory(organizer=None, group=None, organizer_key=None, subject="Orphan")
    serializer = MeetingInstanceSerializer()
    rows = MeetingInstance.objects.select_related("organizer", "group")
    for instance in rows:
        assert serializer.row(instance) == serializer.drf_representation(instance)
    assert {serializer.row(i)["organizer_email"] for i in rows} >= {None}


def test_attendee_rows_match_drfs(db):
    AttendeeFactory()
    stay = AttendeeFactory(leave_time=None, email="")
    stay.join_time = stay.join_time + timedelta(microseconds=7)
    stay.save()
    serializer = AttendeeSerializer()
    for attendee in Attendee.objects.select_related("instance"):
        assert serializer.row(attendee) == serializer.drf_representation(attendee)
        assert serializer.row(attendee)["join_time"].endswith("Z")
