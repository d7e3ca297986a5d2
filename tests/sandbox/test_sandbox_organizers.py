"""Organizers and groups (operations 9–15, 19): invitations, confirmation, suspension,
deletion, and the group tree."""

from __future__ import annotations

from sandbox.demo_account import ACCOUNT_KEY, BIG_GROUP, DEMO_USERS, TOP_GROUP, group_spec
from sandbox.testing import SandboxHandle

ADMIN, MANAGER, ORGANIZER = DEMO_USERS
ENGINEERING = group_spec("Engineering").key
BIG = group_spec(BIG_GROUP).key


def invite(
    sandbox: SandboxHandle,
    token: str,
    email: str,
    *,
    group: int | None = None,
    product: str = "G2M",
) -> None:
    path = f"/groups/{group}/organizers" if group else "/organizers"
    body = {
        "organizerEmail": email,
        "firstName": "New",
        "lastName": "Person",
        "productType": product,
    }
    result = sandbox.api("POST", path, token=token, json_body=body)
    assert result.status == 201, result.text
    assert result.json() == [{"email": email}]


def by_email(sandbox: SandboxHandle, token: str, email: str) -> dict:
    result = sandbox.api("GET", "/organizers", token=token, params={"email": email})
    assert result.status == 200, result.text
    [organizer] = result.json()
    return organizer


def test_groups_form_a_tree_under_a_top_level_group(shared_sandbox, tokens):
    result = shared_sandbox.api("GET", "/groups", token=tokens["admin"])
    assert result.status == 200
    groups = {g["groupName"]: g for g in result.json()}
    top = groups[TOP_GROUP]
    assert top["parentKey"] == top["groupkey"]
    assert groups["Engineering"]["parentKey"] == top["groupkey"]
    assert groups[BIG_GROUP]["parentKey"] == groups["Sales"]["groupkey"]
    assert groups[BIG_GROUP]["numOrganizers"] > 50
    assert all(g["status"] == "active" for g in groups.values())
    assert set(top) == {"groupkey", "groupName", "parentKey", "status", "numOrganizers"}


def test_group_organizers_lists_every_member_even_of_a_big_group(shared_sandbox, tokens):
    result = shared_sandbox.api("GET", f"/groups/{BIG}/organizers", token=tokens["admin"])
    assert result.status == 200
    members = result.json()
    assert len(members) > 50
    assert {m["groupId"] for m in members} == {BIG}
    assert any("organizerKey" not in m for m in members), "a pending member has no key"
    assert any(m["status"] == "suspended" for m in members)


def test_get_organizer_answers_an_array_of_one(shared_sandbox, tokens):
    result = shared_sandbox.api("GET", f"/organizers/{MANAGER.key}", token=tokens["admin"])
    assert result.status == 200
    assert result.json() == [
        {
            "organizerKey": MANAGER.key,
            "email": MANAGER.email,
            "firstName": MANAGER.first_name,
            "lastName": MANAGER.last_name,
            "groupId": ENGINEERING,
            "groupName": "Engineering",
            "status": "active",
            "products": ["G2M"],
            "maxNumAttendeesAllowed": 250,
        }
    ]


def test_an_organizer_may_read_their_own_key_but_not_anothers(shared_sandbox, tokens):
    own = shared_sandbox.api("GET", f"/organizers/{ORGANIZER.key}", token=tokens["organizer"])
    assert own.status == 200
    other = shared_sandbox.api("GET", f"/organizers/{MANAGER.key}", token=tokens["organizer"])
    assert other.status == 403
    assert other.json()["int_err_code"] == "AccessDenied"


def test_all_organizers_include_pending_and_suspended_ones(shared_sandbox, tokens):
    everyone = shared_sandbox.api("GET", "/organizers", token=tokens["admin"]).json()
    state = shared_sandbox.state()
    assert len(everyone) == len(state["organizers"])
    assert any("organizerKey" not in o for o in everyone)
    assert {o["status"] for o in everyone} == {"active", "suspended"}
    products = {p for o in everyone for p in o["products"]}
    assert products == {"G2M", "G2W", "G2T", "OPENVOICE"}


def test_new_organizer_is_pending_without_key_until_confirmed(fresh_sandbox):
    admin = fresh_sandbox.token_for(ADMIN.email)["access_token"]
    email = "new.hire@acme.example"
    invite(fresh_sandbox, admin, email, product="G2W")
    pending = by_email(fresh_sandbox, admin, email)
    assert "organizerKey" not in pending
    assert pending["status"] == "active"
    assert pending["products"] == ["G2M", "G2W"]
    assert pending["groupName"] == TOP_GROUP
    signin = fresh_sandbox.request(
        "POST",
        "/oauth/token",
        form={
            "grant_type": "password",
            "username": email,
            "password": "demo",
            "client_id": "portal-demo",
            "client_secret": "portal-demo-secret",
        },
    )
    assert signin.status == 400, "a pending organizer cannot sign in"

    key = fresh_sandbox.confirm_organizer(email)
    confirmed = by_email(fresh_sandbox, admin, email)
    assert confirmed["organizerKey"] == key
    fetched = fresh_sandbox.api("GET", f"/organizers/{key}", token=admin).json()
    assert fetched[0]["email"] == email
    own = fresh_sandbox.token_for(email)
    assert own["organizer_key"] == str(key)


def test_creating_an_organizer_whose_email_exists_is_a_conflict(shared_sandbox, tokens):
    body = {
        "organizerEmail": MANAGER.email.upper(),
        "firstName": "M",
        "lastName": "M",
        "productType": "G2M",
    }
    result = shared_sandbox.api("POST", "/organizers", token=tokens["admin"], json_body=body)
    assert result.status == 409
    assert result.json()["int_err_code"] == "Conflict"


def test_organizer_request_is_validated(shared_sandbox, tokens):
    for body in (
        {
            "organizerEmail": "x@acme.example",
            "firstName": "X",
            "lastName": "Y",
            "productType": "G2X",
        },
        {"organizerEmail": "not-an-email", "firstName": "X", "lastName": "Y", "productType": "G2M"},
        {"organizerEmail": "x@acme.example", "productType": "G2M"},
    ):
        result = shared_sandbox.api("POST", "/organizers", token=tokens["admin"], json_body=body)
        assert result.status == 400, body
        assert result.json()["int_err_code"] == "InvalidRequest"


def test_organizer_created_into_a_group_lands_there(fresh_sandbox):
    admin = fresh_sandbox.token_for(ADMIN.email)["access_token"]
    invite(fresh_sandbox, admin, "eng.hire@acme.example", group=ENGINEERING)
    assert by_email(fresh_sandbox, admin, "eng.hire@acme.example")["groupId"] == ENGINEERING
    unknown = fresh_sandbox.api(
        "POST",
        "/groups/123/organizers",
        token=admin,
        json_body={
            "organizerEmail": "a@acme.example",
            "firstName": "A",
            "lastName": "B",
            "productType": "G2M",
        },
    )
    assert unknown.status == 404


def test_pending_organizer_is_deleted_by_email(fresh_sandbox):
    admin = fresh_sandbox.token_for(ADMIN.email)["access_token"]
    invite(fresh_sandbox, admin, "short.lived@acme.example")
    deleted = fresh_sandbox.api(
        "DELETE", "/organizers", token=admin, params={"email": "short.lived@acme.example"}
    )
    assert deleted.status == 204
    again = fresh_sandbox.api(
        "GET", "/organizers", token=admin, params={"email": "short.lived@acme.example"}
    )
    assert again.status == 404
    assert again.json()["int_err_code"] == "NotFound"


def test_suspending_an_organizer_removes_products_and_locks_them_out(fresh_sandbox):
    admin = fresh_sandbox.token_for(ADMIN.email)["access_token"]
    own = fresh_sandbox.token_for(ORGANIZER.email)
    path = f"/organizers/{ORGANIZER.key}"
    assert fresh_sandbox.api("GET", "/upcomingMeetings", token=own["access_token"]).status == 200
    result = fresh_sandbox.api("PUT", path, token=admin, json_body={"status": "suspended"})
    assert result.status == 204
    [organizer] = fresh_sandbox.api("GET", path, token=admin).json()
    assert (organizer["status"], organizer["products"]) == ("suspended", [])
    locked = fresh_sandbox.api("GET", "/upcomingMeetings", token=own["access_token"])
    assert locked.status == 403
    assert locked.json()["int_err_code"] == "InvalidToken"
    refresh = fresh_sandbox.request(
        "POST",
        "/oauth/token",
        form={
            "grant_type": "refresh_token",
            "refresh_token": own["refresh_token"],
            "client_id": "portal-demo",
            "client_secret": "portal-demo-secret",
        },
    )
    assert refresh.status == 400
    assert refresh.json()["error"] == "invalid_grant"

    again = fresh_sandbox.api("PUT", path, token=admin, json_body={"productType": "G2T"})
    assert again.status == 204
    [organizer] = fresh_sandbox.api("GET", path, token=admin).json()
    assert (organizer["status"], organizer["products"]) == ("active", ["G2M", "G2T"])


def test_organizer_update_is_validated(shared_sandbox, tokens):
    path = f"/organizers/{MANAGER.key}"
    for body in ({}, {"status": "deleted"}, {"productType": "XYZ"}):
        result = shared_sandbox.api("PUT", path, token=tokens["admin"], json_body=body)
        assert result.status == 400, body


def test_deleting_an_organizer_by_key_removes_them_and_their_history(fresh_sandbox):
    admin = fresh_sandbox.token_for(ADMIN.email)["access_token"]
    own = fresh_sandbox.token_for(MANAGER.email)["access_token"]
    before = fresh_sandbox.state()
    assert any(i["organizerKey"] == MANAGER.key for i in before["instances"])
    result = fresh_sandbox.api("DELETE", f"/organizers/{MANAGER.key}", token=admin)
    assert result.status == 204
    assert fresh_sandbox.api("GET", f"/organizers/{MANAGER.key}", token=admin).status == 404
    after = fresh_sandbox.state()
    assert not any(i["organizerKey"] == MANAGER.key for i in after["instances"])
    assert not any(m["organizerKey"] == MANAGER.key for m in after["meetings"])
    assert fresh_sandbox.api("GET", "/upcomingMeetings", token=own).status == 403


def test_a_suspended_organizer_can_be_deleted(fresh_sandbox):
    admin = fresh_sandbox.token_for(ADMIN.email)["access_token"]
    suspended = next(o for o in fresh_sandbox.state()["organizers"] if o["status"] == "suspended")
    result = fresh_sandbox.api("DELETE", f"/organizers/{suspended['organizerKey']}", token=admin)
    assert result.status == 204
    assert (
        fresh_sandbox.api("DELETE", f"/organizers/{suspended['organizerKey']}", token=admin).status
        == 404
    )


def test_state_names_the_fixed_account(shared_sandbox):
    state = shared_sandbox.state()
    assert state["account"] == {"account_key": ACCOUNT_KEY, "account_type": "corporate"}
    keys = {o["email"]: o["organizerKey"] for o in state["organizers"]}
    assert [keys[u.email] for u in DEMO_USERS] == [u.key for u in DEMO_USERS]
