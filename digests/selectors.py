"""Reads of the digests: a digest's content, the subscriptions due, the Sync page's panel.

Every figure of a digest comes from the dashboard's own code (:mod:`meetings.selectors`, which
reads the roll-ups of :mod:`meetings.rollups`): the same scope (the subscriber's, as the
dashboards scope them), the same window type (whole days in the subscriber's time zone), the
same key figures and top list. So a digest and the dashboard opened on the same range agree
(tests/digests/test_digest_figures.py pins it).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import F, QuerySet
from django.urls import reverse

from meetings import selectors as meeting_selectors
from meetings.selectors import DateWindow, HistoryFilter
from organizers.models import Group, OrganizerStatus
from organizers.selectors import (
    INACTIVE_DAYS,
    inactive_since,
    organizers_with_last_meeting,
)
from portal import scoping
from portal.permissions import MANAGERS, user_has_role
from portal.scoping import group_descendant_ids

from .models import DigestSubscription, SendStatus, SentDigest
from .periods import Period, is_due, period_before

TOP_IN_DIGEST = 5
INACTIVE_LISTED = 15
ACTIVITY_SHOWN = 10

KPI_LABELS = (
    ("meetings", "Meetings held"),
    ("attendee_minutes", "Attendee-minutes"),
    ("unique_attendees", "Unique attendees"),
    ("avg_attendees", "Average attendance (attendees per meeting)"),
)


@dataclass(frozen=True)
class KpiRow:
    key: str
    label: str
    current: float
    previous: float

    @property
    def change(self) -> str:
        """The change against the previous period, as people read it: "+12%", "−3", "new"."""
        if self.previous == 0:
            return "—" if self.current == 0 else "new"
        pct = round(100 * (self.current - self.previous) / self.previous)
        return f"{'+' if pct > 0 else '−' if pct < 0 else '±'}{abs(pct)}%"


@dataclass(frozen=True)
class DigestContent:
    user: object
    period: Period
    previous: Period
    tz: zoneinfo.ZoneInfo
    group: Group | None
    scope_label: str
    kpis: list[KpiRow]
    top_organizers: list[dict]
    per_day: list[tuple[date, int]]
    previous_per_day: list[tuple[date, int]]
    inactive_counts: list[tuple[int, int]]
    inactive_listed: list
    dashboard_url: str


def _filters(period: Period, tz, group: Group | None) -> HistoryFilter:
    return HistoryFilter(window=DateWindow(start=period.start, end=period.end, tz=tz), group=group)


def _figures(user, filters: HistoryFilter) -> tuple[dict, list[dict], list[tuple[date, int]]]:
    """The dashboard's key figures, top list and per-day series for ``filters``, from the
    dashboard's own :func:`meetings.selectors.dashboard_summary`."""
    summary = meeting_selectors.dashboard_summary(user=user, filters=filters)
    return summary.kpis, summary.figures.top_by_meetings, summary.per_period


def inactive_organizers(user, *, group: Group | None, at: datetime) -> QuerySet:
    """Active, confirmed organizers in ``user``'s scope (and ``group``'s tree) with no meeting
    held in the :data:`INACTIVE_DAYS` [0] days before ``at``: licences to reclaim. The Organizers
    list's "No meeting in N days" filter, the same rule."""
    qs = organizers_with_last_meeting(user).filter(
        deleted_at__isnull=True, organizer_key__isnull=False, status=OrganizerStatus.ACTIVE
    )
    if group is not None:
        qs = qs.filter(group_id__in=group_descendant_ids({group.pk}))
    return inactive_since(qs, INACTIVE_DAYS[0], now=at)


def dashboard_url(period: Period, group: Group | None) -> str:
    """The dashboard on the digest's range, as an absolute URL (``PORTAL_BASE_URL``)."""
    query = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if group is not None:
        query["group"] = str(group.pk)
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return f"{base}{reverse('meetings:dashboard')}?{urlencode(query)}"


def digest_content(*, user, period: Period, tz: zoneinfo.ZoneInfo, group: Group | None):
    """Everything a digest shows, for ``user``'s scope (narrowed to ``group``'s tree)."""
    previous = period.previous()
    kpis, top, per_day = _figures(user, _filters(period, tz, group))
    previous_kpis, _top, previous_per_day = _figures(user, _filters(previous, tz, group))
    period_end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz)
    inactive = inactive_organizers(user, group=group, at=period_end)
    counts = []
    for days in INACTIVE_DAYS:
        counts.append((days, inactive_since(inactive, days, now=period_end).count()))
    listed = list(
        inactive.order_by(F("last_meeting").asc(nulls_first=True), "last_name", "email")[
            :INACTIVE_LISTED
        ]
    )
    if group is not None:
        scope_label = f"group {group.name} and its sub-groups"
    elif scoping.visible_group_ids(user) is None:
        scope_label = "the whole account"
    else:
        scope_label = "your groups"
    return DigestContent(
        user=user,
        period=period,
        previous=previous,
        tz=tz,
        group=group,
        scope_label=scope_label,
        kpis=[KpiRow(key, label, kpis[key], previous_kpis[key]) for key, label in KPI_LABELS],
        top_organizers=top[:TOP_IN_DIGEST],
        per_day=per_day,
        previous_per_day=previous_per_day,
        inactive_counts=counts,
        inactive_listed=listed,
        dashboard_url=dashboard_url(period, group),
    )


def subscription_zone(subscription: DigestSubscription) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(subscription.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def subscription_of(user) -> DigestSubscription | None:
    return DigestSubscription.objects.filter(user=user).select_related("group").first()


def group_in_scope(user, group: Group | None) -> bool:
    """Whether ``user`` may still receive a digest of ``group`` (None: their whole scope)."""
    ids = scoping.visible_group_ids(user)
    if group is None:
        return ids is None or bool(ids)
    return ids is None or group.pk in ids


def due_subscriptions(*, now: datetime) -> list[tuple[DigestSubscription, Period]]:
    """The active subscriptions of Managers and Admins whose digest is due at ``now``, each with
    the period it covers (the last whole week or month in the subscriber's zone)."""
    due = []
    qs = (
        DigestSubscription.objects.filter(active=True)
        .exclude(user__email="")  # nowhere to send it
        .select_related("user", "group")
    )
    for subscription in qs.order_by("pk"):
        if not user_has_role(subscription.user, MANAGERS):
            continue  # fails closed: a role or access taken away stops the digest
        local_now = now.astimezone(subscription_zone(subscription))
        if is_due(subscription.frequency, local_now):
            due.append((subscription, period_before(subscription.frequency, local_now.date())))
    return due


@dataclass(frozen=True)
class DigestActivity:
    recent: list[SentDigest]
    failures: list[SentDigest]
    subscribers: int


def digest_activity() -> DigestActivity:
    """The Sync page's "E-mail digests" panel: the last sends and the failures not yet sent."""
    return DigestActivity(
        recent=list(SentDigest.objects.select_related("user")[:ACTIVITY_SHOWN]),
        failures=list(
            SentDigest.objects.filter(status=SendStatus.FAILED).select_related("user")[
                :ACTIVITY_SHOWN
            ]
        ),
        subscribers=DigestSubscription.objects.filter(active=True).count(),
    )
