"""The API budget on the Sync status page: the calls counted per area and operation this hour
against the token's limit, the 429s, an empty state before anything was counted, a note when
the counts cannot be read (the page still serves), and Admins only."""

from __future__ import annotations

import re
import time

import pytest

from sync.usage import counted_as

pytestmark = pytest.mark.django_db

UNREACHABLE = "redis://127.0.0.1:1/0"


def _budget_section(page: str) -> str:
    return page.split('data-testid="api-budget"')[1].split("</section>")[0]


def _row(section: str, area: str, operation: str) -> list[int]:
    """The numbers of one row of the calls table: this hour, last hour, 24 h, 429s."""
    row = section.split(f'data-area="{area}" data-operation="{operation}"')[1].split("</tr>")[0]
    return [int(number) for number in re.findall(r'<td class="num">(\d+)</td>', row)]


@pytest.mark.redis
def test_page_shows_calls_by_area_and_operation_and_429s_against_the_limit(
    usage_counts, service_admin, sandbox, client_for, settings
):
    from accounts.connections import client_for_user

    settings.GOTO_API_CALLS_PER_SECOND = 10
    client = client_for_user(service_admin, sleep=time.sleep)
    client.get_groups()
    with counted_as("live"):
        client.get_organizers()
    sandbox.faults(rate_limit=True, rate_limit_per_second=1)
    for _ in range(3):
        client.get_groups()  # the sandbox answers 429 to some; the client waits and retries
    stats = sandbox.stats()
    answered_429 = stats["statuses"].get("429", 0)
    assert answered_429 > 0

    section = _budget_section(client_for(service_admin).get("/sync/").content.decode())

    assert "36,000 calls an hour" in section  # 10 a second
    groups = stats["routes"]["GET /G2M/rest/groups"]
    this_hour, _, day, throttled = _row(section, "interactive", "get_groups")
    assert this_hour in (groups, 0) and day == groups  # 0: the hour turned during the test
    assert throttled == answered_429
    assert _row(section, "live", "get_organizers")[2] == 1
    assert f"in the last 24 hours: <strong>{answered_429}</strong>" in section
    assert "No API calls counted" not in section


@pytest.mark.redis
def test_page_says_nothing_was_counted_yet(usage_counts, admin_user, client_for):
    section = _budget_section(client_for(admin_user).get("/sync/").content.decode())

    assert "No API calls counted in the last 24 hours." in section
    assert 'data-testid="api-usage"' not in section


def test_page_says_when_the_counts_cannot_be_read_and_still_serves(
    usage_counts, admin_user, client_for, settings
):
    settings.GOTO_API_BUDGET_REDIS_URL = UNREACHABLE

    page = client_for(admin_user).get("/sync/")

    assert page.status_code == 200
    section = _budget_section(page.content.decode())
    assert "The calls made cannot be shown: Redis" in section
    assert "calls an hour" in section  # the limit and the estimate come from settings and runs
    assert "No API calls counted" not in section  # unknown is not zero
    assert "Recent runs" in page.content.decode()


@pytest.mark.parametrize("role", ["manager_user", "organizer_user"])
def test_only_admins_see_the_api_budget(role, request, client_for):
    page = client_for(request.getfixturevalue(role)).get("/sync/")

    assert page.status_code == 403
    assert "GoTo API budget" not in page.content.decode()
