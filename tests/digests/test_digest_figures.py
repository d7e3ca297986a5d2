"""A digest's figures are the dashboard's: the same numbers for the same scope and range,
this period and the previous one, in the subscriber's time zone (where a local day is not a
UTC day, the dashboard's roll-ups and its edge rows must both be counted the same way)."""

from __future__ import annotations

import re

import pytest

from digests.services import digests_send_due
from tests.digests.conftest import DUE_AT, html_part, subscribe

pytestmark = pytest.mark.django_db

KPIS = ("meetings", "attendee_minutes", "unique_attendees", "avg_attendees")


def _number(text: str) -> float:
    return float(text.replace(",", "").strip())


def dashboard_kpis(client, user, *, start: str, end: str, tz: str, group=None) -> dict:
    client.force_login(user)
    client.cookies["tz"] = tz
    query = {"start": start, "end": end}
    if group is not None:
        query["group"] = group.pk
    html = client.get("/meetings/dashboard/", query).content.decode()
    return {key: _number(re.search(rf'data-kpi="{key}">([^<]+)<', html).group(1)) for key in KPIS}


def digest_kpis(html: str, which: str) -> dict:
    found = {}
    for key in KPIS:
        row = re.search(rf'data-kpi="{key}".*?</tr>', html, re.S).group(0)
        found[key] = _number(re.search(rf'data-value="{which}"[^>]*>([^<]+)<', row).group(1))
    return found


@pytest.mark.parametrize("tz", ["UTC", "Asia/Tokyo", "America/New_York"])
def test_a_managers_digest_figures_equal_the_dashboards(smtp_server, account, client, tz):
    subscribe(account.manager, tz=tz)

    digests_send_due(now=DUE_AT.replace(hour=23) if tz != "Asia/Tokyo" else DUE_AT)

    [message] = smtp_server.to(account.manager.email)
    html = html_part(message)
    this_week = dashboard_kpis(client, account.manager, start="2026-02-02", end="2026-02-08", tz=tz)
    week_before = dashboard_kpis(
        client, account.manager, start="2026-01-26", end="2026-02-01", tz=tz
    )
    assert digest_kpis(html, "current") == this_week
    assert digest_kpis(html, "previous") == week_before
    assert this_week["meetings"] == 5
    # Tokyo's week takes Sunday 1 Feb 23:30 UTC and leaves Sunday 8 Feb 20:00 UTC out.
    assert this_week["unique_attendees"] == (5 if tz == "Asia/Tokyo" else 6)


def test_an_admins_digest_of_one_group_equals_the_dashboard_of_that_group(
    smtp_server, account, client
):
    subscribe(account.admin, frequency="monthly", group=account.support)

    digests_send_due(now=DUE_AT.replace(month=3, day=1))  # Sunday 1 March, 07:30 UTC

    [message] = smtp_server.to(account.admin.email)
    html = html_part(message)
    assert "February 2026" in message["Subject"]
    february = dashboard_kpis(
        client, account.admin, start="2026-02-01", end="2026-02-28", tz="UTC", group=account.support
    )
    assert digest_kpis(html, "current") == february
    assert february["meetings"] == 2  # Olga's two
    assert "Olga Outside" in html and "Alice Archer" not in html
