"""factory_boy factories for the portal's models."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import Role, User
from meetings.models import Attendee, Meeting, MeetingInstance
from meetings.rollups import rollups_kept
from organizers.models import Group, Organizer


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    email = factory.Sequence(lambda n: f"user{n}@acme.example")
    username = factory.LazyAttribute(lambda o: o.email)
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    role = Role.ORGANIZER


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    group_key = factory.Sequence(lambda n: 100000 + n)
    name = factory.Sequence(lambda n: f"Group {n}")
    status = "active"
    synced_at = factory.LazyFunction(timezone.now)


class OrganizerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organizer

    organizer_key = factory.Sequence(lambda n: 200000 + n)
    email = factory.Sequence(lambda n: f"organizer{n}@acme.example")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    group = factory.SubFactory(GroupFactory)
    status = "active"
    products = "G2M"
    synced_at = factory.LazyFunction(timezone.now)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    meeting_id = factory.Sequence(lambda n: 300000 + n)
    organizer = factory.SubFactory(OrganizerFactory)
    subject = factory.Sequence(lambda n: f"Meeting {n}")
    start_time = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    end_time = factory.LazyAttribute(lambda o: o.start_time + timedelta(hours=1))
    meeting_type = "scheduled"
    conference_call_info = "VoIP"
    join_url = factory.LazyAttribute(
        lambda o: f"https://global.gotomeeting.com/join/{o.meeting_id}"
    )
    synced_at = factory.LazyFunction(timezone.now)


class MeetingInstanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingInstance

    instance_key = factory.Sequence(lambda n: 400000 + n)
    meeting_id = factory.Sequence(lambda n: 300000 + n)
    organizer = factory.SubFactory(OrganizerFactory)
    group = factory.LazyAttribute(lambda o: o.organizer.group if o.organizer else None)
    subject = factory.Sequence(lambda n: f"Held meeting {n}")
    start_time = factory.LazyFunction(lambda: timezone.now() - timedelta(days=3))
    duration_minutes = 60
    end_time = factory.LazyAttribute(lambda o: o.start_time + timedelta(minutes=o.duration_minutes))
    num_attendees = 0
    meeting_type = "scheduled"
    synced_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Keep the dashboard's roll-ups, as the sync does when it writes an instance."""
        instance = super()._create(model_class, *args, **kwargs)
        with rollups_kept(instance_ids=[instance.pk]):
            pass
        return instance


class AttendeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendee

    instance = factory.SubFactory(MeetingInstanceFactory)
    name = factory.Sequence(lambda n: f"Attendee {n}")
    email = factory.Sequence(lambda n: f"attendee{n}@example.com")
    join_time = factory.LazyAttribute(lambda o: o.instance.start_time)
    duration_minutes = 30
    leave_time = factory.LazyAttribute(
        lambda o: o.join_time + timedelta(minutes=o.duration_minutes)
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Keep the dashboard's roll-ups, as the sync does when it writes attendees."""
        with rollups_kept(instance_ids=[kwargs["instance"].pk]):
            return super()._create(model_class, *args, **kwargs)
