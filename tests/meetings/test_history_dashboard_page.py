"""The history dashboard page: filters, freshness, warnings, charts' data, table, exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sync.models import SyncRun

URL = reverse("meetings:dashboard")
WEEK = {"start": "2026-03-02", "end": "2026-03-08"}


def csv_rows(response) -> list[list[str]]:
    assert response.streaming, "CSV exports are streamed"
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def chart_data(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="chart-data" type="application/json">') + len(
        '<script id="chart-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_dashboard_shows_the_kpis(client_for, account_manager, history):
    response = client_for(account_manager).get(URL, WEEK)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kpi="meetings">4<' in html
    assert 'data-kpi="attendee_minutes">1,080<' in html
    assert 'data-kpi="unique_attendees">3<' in html
    assert 'data-kpi="avg_attendees">4.0<' in html
    assert 'data-kpi="avg_duration">56.5<' in html


def test_chart_data_is_passed_as_json_and_drawn_by_a_static_file(
    client_for, account_manager, history
):
    response = client_for(account_manager).get(URL, WEEK)
    data = chart_data(response)
    assert data["period"]["values"] == [2, 0, 1, 1, 0, 0, 0]
    assert data["distribution"]["values"] == [1, 1, 1, 0, 1, 0, 0, 0]
    assert data["top_meetings"]["labels"][0] == "Alice Archer"
    assert data["top_minutes"]["values"] == [900, 180, 0]
    html = response.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "meetings/dashboard.js" in html
    # No inline script other than the JSON data island (Content-Security-Policy).
    assert html.count("<script>") == 0
    assert 'style="' not in html


def test_heat_map_cells_carry_intensity_classes(client_for, account_manager, history):
    html = client_for(account_manager).get(URL, WEEK).content.decode()
    assert html.count('class="heat-4"') == 1
    assert html.count('class="heat-2"') == 2
    assert html.count('class="heat-0"') == 7 * 24 - 3


def test_filter_form_swaps_the_dashboard_body_with_htmx(client_for, account_manager, history):
    html = client_for(account_manager).get(URL, WEEK).content.decode()
    assert 'method="get"' in html
    assert 'hx-target="#dashboard-body"' in html
    assert 'hx-select="#dashboard-body"' in html
    assert 'id="dashboard-body"' in html


def test_group_filter_limits_the_numbers(client_for, account_manager, history):
    response = client_for(account_manager).get(URL, {**WEEK, "group": history.support.pk})
    assert 'data-kpi="meetings">1<' in response.content.decode()


def test_default_range_is_the_last_30_days(client_for, manager_user, db):
    response = client_for(manager_user).get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    today = timezone.localdate()
    assert form.cleaned_data["end"] == today
    assert form.cleaned_data["start"] == today - timedelta(days=29)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start": "2026-03-08", "end": "2026-03-02"}, "The end date must not be before"),
        ({"start": "not-a-date", "end": "2026-03-02"}, "Enter a valid date"),
        ({"start": "1990-01-01", "end": "2026-03-02"}, "at most 20 years"),
        ({**WEEK, "organizer": "999999"}, "Select a valid choice"),
        ({**WEEK, "before": "garbage"}, "page link is damaged"),
    ],
)
def test_bad_filters_show_a_message(client_for, account_manager, history, params, message):
    response = client_for(account_manager).get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "data-kpi" not in html


def test_scoped_manager_cannot_pick_another_groups_organizer(client_for, scoped_manager, history):
    response = client_for(scoped_manager).get(URL, {**WEEK, "organizer": history.alice.pk})
    assert "Select a valid choice" in response.content.decode()


def test_freshness_says_never_synced(client_for, account_manager, history):
    html = client_for(account_manager).get(URL, WEEK).content.decode()
    assert "History never synced." in html


def test_freshness_from_latest_successful_history_sync(client_for, account_manager, history):
    now = timezone.now()
    SyncRun.objects.create(
        area="history", outcome="success", finished_at=now - timedelta(minutes=4)
    )
    SyncRun.objects.create(area="history", outcome="failed", finished_at=now)
    SyncRun.objects.create(area="organizers", outcome="success", finished_at=now)
    html = client_for(account_manager).get(URL, WEEK).content.decode()
    assert "History synced 4\xa0minutes ago." in html


def test_warns_when_the_range_starts_before_the_oldest_cached_day(
    client_for, account_manager, history
):
    html = client_for(account_manager).get(URL, {"start": "2026-02-19", "end": "2026-03-08"})
    assert 'data-testid="before-oldest"' in html.content.decode()
    assert "2026-02-20" in html.content.decode()
    html = client_for(account_manager).get(URL, {"start": "2026-02-20", "end": "2026-03-08"})
    assert 'data-testid="before-oldest"' not in html.content.decode()


def test_meeting_rows_link_to_their_attendees(client_for, account_manager, history):
    html = client_for(account_manager).get(URL, WEEK).content.decode()
    assert reverse("meetings:instance_detail", args=[history.m3.pk]) in html


def test_csv_export_streams_what_the_filters_show(client_for, account_manager, history):
    response = client_for(account_manager).get(
        URL, {**WEEK, "group": history.sales.pk, "export": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:3] == ["instance key", "meeting id", "subject"]
    assert [r[2] for r in rows[1:]] == ["EMEA all hands", "Quick sync", "Pipeline review"]


def test_csv_export_of_the_attendees_of_those_meetings(client_for, account_manager, history):
    response = client_for(account_manager).get(
        URL, {**WEEK, "organizer": history.alice.pk, "export": "csv", "what": "attendees"}
    )
    rows = csv_rows(response)
    assert rows[0][3:5] == ["attendee name", "attendee email"]
    assert sorted(r[4] for r in rows[1:]) == ["X@EX.com", "x@ex.com", "y@ex.com", "y@ex.com"]


def test_csv_export_ignores_the_page_cursor(client_for, account_manager, history):
    page_two = f"{history.m3.start_time.isoformat()},{history.m3.pk}"
    response = client_for(account_manager).get(URL, {**WEEK, "export": "csv", "before": page_two})
    assert len(csv_rows(response)) == 1 + 4


def test_csv_cells_that_look_like_formulas_are_neutralised(client_for, account_manager, history):
    history.m1.subject = '=HYPERLINK("http://evil")'
    history.m1.save()
    rows = csv_rows(client_for(account_manager).get(URL, {**WEEK, "export": "csv"}))
    assert '\'=HYPERLINK("http://evil")' in [r[2] for r in rows]


def test_scoped_managers_export_holds_only_their_groups(client_for, scoped_manager, history):
    rows = csv_rows(client_for(scoped_manager).get(URL, {**WEEK, "export": "csv"}))
    assert [r[2] for r in rows[1:]] == ["EMEA all hands"]
    rows = csv_rows(
        client_for(scoped_manager).get(URL, {**WEEK, "export": "csv", "what": "attendees"})
    )
    assert sorted(r[4] for r in rows[1:]) == ["", "z@ex.com"]


def test_unknown_export_is_refused(client_for, account_manager, history):
    response = client_for(account_manager).get(URL, {**WEEK, "export": "csv", "what": "passwords"})
    assert response.status_code == 400


def test_csv_times_are_in_the_users_time_zone(client, account_manager, history):
    client.force_login(account_manager)
    client.cookies["tz"] = "Europe/Paris"
    rows = csv_rows(client.get(URL, {**WEEK, "organizer": history.bob.pk, "export": "csv"}))
    assert rows[1][3] == "2026-03-04T15:00:00+01:00"


def test_heat_map_and_meeting_rows_read_in_the_users_time_zone(
    client_for, account_manager, history
):
    """What a viewer in Paris reads in the heat map's cells and the meetings table: hours,
    starts, names, durations and counts (written in Python, escaped)."""
    from meetings.forms import TZ_COOKIE

    history.m3.subject = "EMEA <all> hands"
    history.m3.save(update_fields=["subject"])
    client = client_for(account_manager)
    client.cookies[TZ_COOKIE] = "Europe/Paris"
    html = client.get(URL, WEEK).content.decode()
    assert '<td class="heat-4" title="Mon 10:00 – 2 meetings">2</td>' in html
    assert '<td class="heat-2" title="Wed 15:00 – 1 meeting">1</td>' in html
    assert '<td class="heat-0" title="Sun 23:00 – 0 meetings"></td>' in html
    assert '<th scope="col">0</th><th scope="col">1</th>' in html
    link = reverse("meetings:instance_detail", args=[history.m3.pk])
    assert (
        f'<tr><td><a href="{link}">EMEA &lt;all&gt; hands</a></td><td>2026-03-04 15:00</td>'
        "<td>1 h 30 min</td><td>12</td><td>900</td><td>Bob Baker</td><td>Sales EMEA</td></tr>"
    ) in html
