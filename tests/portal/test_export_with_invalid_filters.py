"""``?export=csv`` with filters that are not valid exports nothing, and every list answers it
the same way: a 400 whose short plain text names the bad filter(s), never the HTML page in
place of the file.

(A Manager's export with a group they may not use answered 200 with the dashboard's or the
attendee report's HTML page; the organizers list answered 400 in plain text.)"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db

REFUSED = "The filters are not valid, so nothing was exported: "
WEEK = {"start": "2026-03-02", "end": "2026-03-08"}


@pytest.fixture
def groups(manager_user):
    """The Manager may use "Own" only; "Other" exists but is not theirs."""
    own, other = GroupFactory(name="Own"), GroupFactory(name="Other")
    manager_user.managed_groups.add(own)
    return {"own": own, "other": other}


def _refused(response, *fields: str) -> str:
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Content-Disposition" not in response
    text = response.content.decode()
    assert text.startswith(REFUSED)
    for field in fields:
        assert f"{field}: " in text
    return text


@pytest.mark.parametrize(
    ("url_name", "extra"),
    [
        ("meetings:dashboard", {"what": "meetings"}),
        ("meetings:dashboard", {"what": "attendees"}),
        ("meetings:attendees_report", {}),
    ],
)
def test_manager_export_with_a_group_they_may_not_use_is_refused(
    client_for, manager_user, groups, url_name, extra
):
    params = {**WEEK, **extra, "group": groups["other"].pk, "export": "csv"}
    response = client_for(manager_user).get(reverse(url_name), params)
    text = _refused(response, "group")
    assert "Select a valid choice" in text


@pytest.mark.parametrize("url_name", ["meetings:dashboard", "meetings:attendees_report"])
def test_manager_export_with_their_own_group_is_a_csv(client_for, manager_user, groups, url_name):
    params = {**WEEK, "group": groups["own"].pk, "export": "csv"}
    response = client_for(manager_user).get(reverse(url_name), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize(
    ("url_name", "params", "fields"),
    [
        ("meetings:dashboard", {"start": "2026-03-08", "end": "2026-03-02"}, ["end"]),
        ("meetings:dashboard", {"start": "9999-12-30", "end": "9999-12-31"}, ["start", "end"]),
        ("meetings:dashboard", {**WEEK, "what": "everything"}, ["what"]),
        ("meetings:attendees_report", {"start": "9999-12-30", "end": "9999-12-31"}, ["end"]),
        ("meetings:attendees_report", {**WEEK, "organizer": "999999"}, ["organizer"]),
        ("accounts:audit_log", {"date_to": "9999-12-31"}, ["date_to"]),
        ("accounts:audit_log", {"date_from": "2026-03-08", "date_to": "2026-03-02"}, ["filters"]),
        ("organizers:list", {"group": "999999"}, ["group"]),
        ("organizers:list", {"status": "asleep"}, ["status"]),
    ],
)
def test_export_with_invalid_filters_is_one_plain_error_everywhere(
    client_for, admin_user, url_name, params, fields
):
    response = client_for(admin_user).get(reverse(url_name), {**params, "export": "csv"})
    _refused(response, *fields)
