"""The API client against the sandbox over real HTTP: every operation, then faults.

No Django: a sandbox subprocess (size small, rate limit off) per module, the client's answers
checked against the sandbox's own state, and faults switched on to prove retries, token
refresh and typed errors.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from gotomeeting import (
    Conflict,
    Forbidden,
    GoToMeetingClient,
    InvalidRequest,
    MeetingRequest,
    MeetingType,
    NotFound,
    OAuthConfig,
    OrganizerRequest,
    OrganizerStatus,
    OutcomeUnknown,
    ProductType,
    ServerError,
    Unauthorized,
    authorization_url,
    direct_login,
    exchange_code,
    make_pkce_pair,
)
from gotomeeting.auth import token_with_expiry
from sandbox.testing import SandboxHandle, http_request, running_sandbox

ADMIN = "admin@acme.example"
MANAGER = "manager@acme.example"
ORGANIZER = "organizer@acme.example"
PASSWORD = "demo"
REDIRECT_URI = "http://127.0.0.1:8000/accounts/goto/login/callback/"
HISTORY_DAYS = 200  # more than three 60-day windows


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Replaces the project-wide Django cache fixture: these tests use no Django."""
    yield


@pytest.fixture(scope="module")
def sandbox():
    with running_sandbox(size="small") as handle:
        yield handle


@pytest.fixture(autouse=True)
def _clean_faults_and_stats(sandbox):
    sandbox.faults(
        rate_limit=False, error_rate=0.0, latency_ms=0, expire_tokens=False, fail_next=[]
    )
    sandbox.reset_stats()
    yield
    sandbox.faults(
        rate_limit=False, error_rate=0.0, latency_ms=0, expire_tokens=False, fail_next=[]
    )


@pytest.fixture(scope="module")
def oauth(sandbox):
    return OAuthConfig(
        client_id="portal-demo",
        client_secret="portal-demo-secret",
        authorize_url=f"{sandbox.base_url}/oauth/authorize",
        token_url=f"{sandbox.base_url}/oauth/token",
        direct_login_url=f"{sandbox.base_url}/oauth/access_token",
        redirect_uri=REDIRECT_URI,
    )


@pytest.fixture
def waits():
    return []


@pytest.fixture
def client_for(sandbox, oauth, waits):
    clients = []

    def build(email=ADMIN, *, token=None, **options):
        options.setdefault("sleep", waits.append)
        client = GoToMeetingClient(
            api_base_url=sandbox.api_base_url,
            oauth=oauth,
            token=token or token_with_expiry(sandbox.token_for(email)),
            **options,
        )
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def admin(client_for):
    return client_for(ADMIN)


def history_range():
    end = datetime.now(UTC).replace(microsecond=0)
    return end - timedelta(days=HISTORY_DAYS), end


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def moment(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def organizer_key_of(state, email):
    return next(o["organizerKey"] for o in state["organizers"] if o["email"] == email)


def group_key_of(state, name):
    return next(g["groupkey"] for g in state["groups"] if g["groupName"] == name)


def instances_in_range(state, organizer_keys, start, end):
    return {
        i["meetingInstanceKey"]
        for i in state["instances"]
        if i["organizerKey"] in organizer_keys and iso(start) <= i["startTime"] <= iso(end)
    }


def attendances_of(state, instance_keys):
    return {
        (a["meetingInstanceKey"], a["attendeeEmail"], moment(a["joinTime"]))
        for a in state["attendees"]
        if a["meetingInstanceKey"] in instance_keys
    }


def meeting_request(subject, *, days_ahead=3, hours=1):
    start = (datetime.now(UTC) + timedelta(days=days_ahead)).replace(second=0, microsecond=0)
    return MeetingRequest(
        subject=subject,
        starttime=start,
        endtime=start + timedelta(hours=hours),
        password_required=False,
        conference_call_info="VoIP",
        meeting_type=MeetingType.SCHEDULED,
    )


def api_calls(sandbox, label):
    return sandbox.stats()["routes"].get(label, 0)


# Reading: every list and lookup matches the sandbox's state


def test_groups_match_the_sandbox(admin, sandbox):
    groups = admin.get_groups()
    state = sandbox.state()
    expected = {
        (g["groupkey"], g["groupName"], None if g["parentKey"] == g["groupkey"] else g["parentKey"])
        for g in state["groups"]
    }
    assert {(g.group_key, g.name, g.parent_key) for g in groups} == expected
    assert sum(1 for g in groups if g.parent_key is None) == 1


def test_organizers_match_the_sandbox_and_lookups_agree(admin, sandbox):
    organizers = admin.get_organizers()
    state = sandbox.state()
    assert {(o.organizer_key, o.email) for o in organizers} == {
        (o["organizerKey"], o["email"]) for o in state["organizers"]
    }
    manager_key = organizer_key_of(state, MANAGER)
    by_key = admin.get_organizer(manager_key)
    by_email = admin.get_organizer_by_email(MANAGER)
    assert by_key == by_email
    assert by_key.status is OrganizerStatus.ACTIVE
    assert ProductType.G2M in by_key.products

    engineering = group_key_of(state, "Engineering")
    in_group = admin.get_organizers_by_group(engineering)
    assert {o.email for o in in_group} == {
        o["email"] for o in state["organizers"] if o["groupKey"] == engineering
    }
    assert all(o.group_key == engineering for o in in_group)


def test_upcoming_meetings_match_the_sandbox_for_me_an_organizer_and_a_group(admin, sandbox):
    mine = admin.get_upcoming_meetings()
    state = sandbox.state()
    now = iso(datetime.now(UTC) - timedelta(minutes=1))
    admin_key = organizer_key_of(state, ADMIN)

    def not_ended(keys):
        return {
            m["meetingId"]
            for m in state["meetings"]
            if m["organizerKey"] in keys and m["endTime"] > now
        }

    assert mine
    assert {m.meeting_id for m in mine} == not_ended({admin_key})

    manager_key = organizer_key_of(state, MANAGER)
    theirs = admin.get_organizer_upcoming_meetings(manager_key)
    assert {m.meeting_id for m in theirs} == not_ended({manager_key})
    assert all(m.organizer_key == manager_key and m.email == MANAGER for m in theirs)

    engineering = group_key_of(state, "Engineering")
    hosts = {o["organizerKey"] for o in state["organizers"] if o["groupKey"] == engineering}
    by_group = admin.get_group_upcoming_meetings(engineering)
    assert by_group
    assert {m.meeting_id for m in by_group} == not_ended(hosts)
    assert {m.group_name for m in by_group} <= {"Engineering"}


def test_a_200_day_history_is_read_in_four_windows_and_matches_the_sandbox(admin, sandbox):
    start, end = history_range()
    meetings = admin.get_historical_meetings(start, end)
    state = sandbox.state()
    admin_key = organizer_key_of(state, ADMIN)

    assert meetings
    assert {m.meeting_instance_key for m in meetings} == instances_in_range(
        state, {admin_key}, start, end
    )
    assert len(meetings) == len({m.meeting_instance_key for m in meetings})
    assert api_calls(sandbox, "GET /G2M/rest/historicalMeetings") == 4
    assert admin.calls_made == 4
    by_key = {i["meetingInstanceKey"]: i for i in state["instances"]}
    for meeting in meetings:
        stored = by_key[meeting.meeting_instance_key]
        assert meeting.start_time == moment(stored["startTime"])
        assert (meeting.duration, meeting.num_attendees) == (
            stored["duration"],
            stored["numAttendees"],
        )
        assert meeting.organizer_key == admin_key


def test_organizer_and_group_history_match_the_sandbox(admin, sandbox):
    start, end = history_range()
    state = sandbox.state()
    manager_key = organizer_key_of(state, MANAGER)
    engineering = group_key_of(state, "Engineering")
    hosts = {
        o["organizerKey"]
        for o in state["organizers"]
        if o["groupKey"] == engineering and o["organizerKey"] is not None
    }

    theirs = admin.get_organizer_historical_meetings(manager_key, start, end)
    by_group = admin.get_group_historical_meetings(engineering, start, end)

    assert theirs
    assert {m.meeting_instance_key for m in theirs} == instances_in_range(
        state, {manager_key}, start, end
    )
    assert {m.meeting_instance_key for m in by_group} == instances_in_range(
        state, hosts, start, end
    )
    assert by_group, "the demo data should give Engineering some history"


def test_attendees_by_meeting_organizer_and_group_match_the_sandbox(admin, sandbox):
    start, end = history_range()
    state = sandbox.state()
    manager_key = organizer_key_of(state, MANAGER)
    engineering = group_key_of(state, "Engineering")
    instance = next(
        i for i in state["instances"] if i["organizerKey"] == manager_key and i["numAttendees"] > 0
    )

    one_meeting = admin.get_attendees_by_meeting(instance["meetingInstanceKey"])
    assert {(a.meeting_instance_key, a.attendee_email, a.join_time) for a in one_meeting} == (
        attendances_of(state, {instance["meetingInstanceKey"]})
    )

    by_organizer = admin.get_attendees_by_organizer(manager_key, start, end)
    expected = attendances_of(state, instances_in_range(state, {manager_key}, start, end))
    assert expected
    assert {(a.meeting_instance_key, a.attendee_email, a.join_time) for a in by_organizer} == (
        expected
    )

    hosts = {o["organizerKey"] for o in state["organizers"] if o["groupKey"] == engineering}
    by_group = admin.get_attendees_by_group(engineering, start, end)
    expected = attendances_of(state, instances_in_range(state, hosts, start, end))
    assert {(a.meeting_instance_key, a.attendee_email, a.join_time) for a in by_group} == expected


# Writing: the sandbox's state changes as the calls say


def test_a_meeting_is_created_read_started_updated_and_deleted(admin, sandbox):
    created = admin.create_meeting(meeting_request("Contract test meeting"))
    stored = next(m for m in sandbox.state()["meetings"] if m["meetingId"] == created.meeting_id)
    assert stored["subject"] == "Contract test meeting"
    assert created.join_url

    meeting = admin.get_meeting(created.meeting_id)
    assert (meeting.subject, meeting.meeting_type) == (
        "Contract test meeting",
        MeetingType.SCHEDULED,
    )
    assert admin.get_start_url(created.meeting_id).startswith("http")

    moved = meeting_request("Contract test meeting, moved", days_ahead=4, hours=2)
    admin.update_meeting(created.meeting_id, moved)
    stored = next(m for m in sandbox.state()["meetings"] if m["meetingId"] == created.meeting_id)
    assert stored["subject"] == "Contract test meeting, moved"
    assert stored["startTime"] == iso(moved.starttime)
    assert admin.get_meeting(created.meeting_id).duration == 120

    admin.delete_meeting(created.meeting_id)
    assert created.meeting_id not in {m["meetingId"] for m in sandbox.state()["meetings"]}
    with pytest.raises(NotFound):
        admin.get_meeting(created.meeting_id)


def test_an_organizer_is_invited_confirmed_suspended_and_deleted(admin, sandbox):
    request = OrganizerRequest("new.hire@acme.example", "New", "Hire", ProductType.G2W)
    created = admin.create_organizer(request)
    assert created.is_pending
    pending = admin.get_organizer_by_email("new.hire@acme.example")
    assert pending.is_pending
    assert set(pending.products) == {ProductType.G2M, ProductType.G2W}

    with pytest.raises(Conflict):
        admin.create_organizer(request)

    key = sandbox.confirm_organizer("new.hire@acme.example")
    assert admin.get_organizer(key).email == "new.hire@acme.example"

    admin.update_organizer_status(key, OrganizerStatus.SUSPENDED)
    stored = next(o for o in sandbox.state()["organizers"] if o["organizerKey"] == key)
    assert stored["status"] == "suspended"
    admin.update_organizer_status(key, OrganizerStatus.ACTIVE)
    assert admin.get_organizer(key).status is OrganizerStatus.ACTIVE

    admin.delete_organizer(key)
    assert "new.hire@acme.example" not in {o["email"] for o in sandbox.state()["organizers"]}


def test_a_pending_organizer_invited_into_a_group_is_deleted_by_email(admin, sandbox):
    sales = group_key_of(sandbox.state(), "Sales")
    created = admin.create_organizer(
        OrganizerRequest("pending.person@acme.example", "Pending", "Person"), group_key=sales
    )
    assert created.organizer_key is None
    stored = next(
        o for o in sandbox.state()["organizers"] if o["email"] == "pending.person@acme.example"
    )
    assert (stored["organizerKey"], stored["groupKey"]) == (None, sales)

    admin.delete_organizer_by_email("pending.person@acme.example")
    with pytest.raises(NotFound):
        admin.get_organizer_by_email("pending.person@acme.example")


# Typed errors from the real rules


def test_a_non_admin_gets_forbidden_for_admin_only_calls(client_for):
    organizer = client_for(ORGANIZER)
    with pytest.raises(Forbidden) as caught:
        organizer.get_groups()
    assert caught.value.code == "AccessDenied"
    assert organizer.get_upcoming_meetings() is not None


def test_a_group_of_more_than_50_organizers_is_an_invalid_request(admin, sandbox):
    field_sales = group_key_of(sandbox.state(), "Field Sales")
    start, end = history_range()
    with pytest.raises(InvalidRequest):
        admin.get_group_historical_meetings(field_sales, end - timedelta(days=10), end)


def test_unknown_keys_are_not_found(admin):
    with pytest.raises(NotFound):
        admin.get_meeting(1)
    with pytest.raises(NotFound):
        admin.get_organizer_by_email("nobody@acme.example")


# Faults: retries, refresh and their limits


def test_scripted_gateway_failures_are_retried_for_a_read(admin, sandbox, waits):
    sandbox.faults(fail_next=[502, 503, 504])
    assert admin.get_groups()
    assert admin.calls_made == 4
    assert len(waits) == 3
    assert waits[1] == 1.0  # the 503 said Retry-After: 1
    assert sandbox.stats()["statuses"] == {"200": 1, "502": 1, "503": 1, "504": 1}


def test_a_create_is_not_sent_twice_after_a_gateway_failure(admin, sandbox):
    before = len(sandbox.state()["meetings"])
    sandbox.faults(fail_next=[502])
    with pytest.raises(OutcomeUnknown) as caught:
        admin.create_meeting(meeting_request("Never twice"))
    assert caught.value.status == 502  # a gateway may fail after the server acted
    assert api_calls(sandbox, "POST /G2M/rest/meetings") == 1
    assert len(sandbox.state()["meetings"]) == before


def test_a_create_is_sent_again_after_429(admin, sandbox, waits):
    sandbox.faults(fail_next=[429])
    created = admin.create_meeting(meeting_request("After a 429"))
    assert api_calls(sandbox, "POST /G2M/rest/meetings") == 2
    assert waits == [1.0]
    assert [m["subject"] for m in sandbox.state()["meetings"]].count("After a 429") == 1
    admin.delete_meeting(created.meeting_id)


def test_random_5xx_answers_are_ridden_out(client_for, sandbox):
    client = client_for(ADMIN, max_retries=10)
    sandbox.faults(error_rate=0.4)
    for _ in range(8):
        assert client.get_groups()
    statuses = sandbox.stats()["statuses"]
    assert statuses["200"] == 8
    assert client.calls_made == sum(statuses.values())


def test_a_server_that_keeps_failing_gives_server_error_after_the_retries(client_for, sandbox):
    client = client_for(ADMIN, max_retries=3)
    sandbox.faults(error_rate=1.0)
    with pytest.raises(ServerError):
        client.get_groups()
    assert client.calls_made == 4
    assert sandbox.stats()["api_total"] == 4


def test_the_rate_limit_is_waited_out_with_retry_after(client_for, sandbox):
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        time.sleep(seconds)

    client = client_for(ADMIN, sleep=sleep)
    sandbox.faults(rate_limit=True, rate_limit_per_second=2)
    for _ in range(5):
        assert client.get_groups()
    assert sandbox.stats()["statuses"].get("429", 0) >= 1
    assert slept and all(wait >= 1.0 for wait in slept)


def test_expired_tokens_are_refreshed_once_and_the_call_retried(client_for, sandbox):
    saved = []
    client = client_for(ADMIN, token_updater=saved.append)
    old_access = client.token["access_token"]
    sandbox.faults(expire_tokens=True)

    assert client.get_groups()

    assert len(saved) == 1
    assert saved[0]["access_token"] != old_access
    routes = sandbox.stats()["routes"]
    assert routes["POST /oauth/token"] == 1
    assert routes["GET /G2M/rest/groups"] == 2


def test_a_token_about_to_expire_is_refreshed_before_the_call(client_for, sandbox):
    saved = []
    token = token_with_expiry(sandbox.token_for(ADMIN, expires_in=30))
    client = client_for(token=token, token_updater=saved.append)
    assert client.get_groups()
    assert len(saved) == 1
    assert sandbox.stats()["statuses"] == {"200": 2}  # one refresh, one API call


def test_a_refused_refresh_is_unauthorized(client_for, sandbox):
    client = client_for(token={"access_token": "bogus", "refresh_token": "bogus"})
    with pytest.raises(Unauthorized) as caught:
        client.get_groups()
    assert caught.value.code == "invalid_grant"


# Logging in


def test_the_authorization_code_flow_with_pkce(oauth, sandbox):
    verifier, challenge = make_pkce_pair()
    url = authorization_url(oauth, state="s-123", code_challenge=challenge)
    assert http_request("GET", url).status == 200
    form = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    answer = http_request(
        "POST", oauth.authorize_url, form={**form, "email": ADMIN, "password": PASSWORD}
    )
    assert answer.status in (302, 303)
    back = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert back["state"] == ["s-123"]

    token = exchange_code(oauth, code=back["code"][0], code_verifier=verifier)

    assert token["email"] == ADMIN
    assert token["expires_at"] > time.time() + 3000
    client = GoToMeetingClient(api_base_url=sandbox.api_base_url, oauth=oauth, token=token)
    assert client.get_groups()


def test_a_wrong_code_verifier_is_unauthorized(oauth):
    _, challenge = make_pkce_pair()
    url = authorization_url(oauth, state="s", code_challenge=challenge)
    form = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    answer = http_request(
        "POST", oauth.authorize_url, form={**form, "email": ADMIN, "password": PASSWORD}
    )
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    with pytest.raises(Unauthorized, match="invalid_grant"):
        exchange_code(oauth, code=code, code_verifier="not-the-verifier")


def test_direct_login_on_the_token_endpoint(oauth, sandbox):
    token = direct_login(oauth, username=ADMIN, password=PASSWORD)
    assert token["email"] == ADMIN
    assert sandbox.stats()["routes"] == {"POST /oauth/token": 1}


def test_direct_login_falls_back_to_the_legacy_endpoint(sandbox: SandboxHandle):
    without_password_grant = OAuthConfig(
        client_id="portal-demo",
        client_secret="portal-demo-secret",
        authorize_url=f"{sandbox.base_url}/oauth/authorize",
        token_url=f"{sandbox.base_url}/oauth/no-such-endpoint",
        direct_login_url=f"{sandbox.base_url}/oauth/access_token",
    )
    token = direct_login(without_password_grant, username=MANAGER, password=PASSWORD)
    assert token["email"] == MANAGER
    assert token["expires_in"] == 3600  # sent as the string "3600"
    assert sandbox.stats()["routes"]["POST /oauth/access_token"] == 1


def test_direct_login_with_a_wrong_password_is_unauthorized(oauth):
    with pytest.raises(Unauthorized, match="invalid_grant"):
        direct_login(oauth, username=ADMIN, password="wrong")
