"""The history filters' organizer select: the page carries the empty choice and the chosen
organizer only, and the whole list, scoped to the viewer, comes from its own address right
after the page has loaded (an account of 5,000 organizers wrote them all into every
dashboard and report; issue 14)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import OrganizerFactory

OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')


def organizer_select(html: str) -> str:
    return re.search(r'<select[^>]*name="organizer".*?</select>', html, re.S).group(0)


def options(select: str) -> list[tuple[str, bool, str]]:
    return [(value, bool(chosen), label) for value, chosen, label in OPTION.findall(select)]


@pytest.mark.parametrize("page", ["meetings:dashboard", "meetings:attendees_report"])
def test_the_page_carries_the_chosen_organizer_and_where_to_fetch_the_rest(
    client, admin_user, history, page
):
    client.force_login(admin_user)
    html = client.get(reverse(page), {"organizer": history.bob.pk}).content.decode()
    select = organizer_select(html)
    chosen = (str(history.bob.pk), True, str(history.bob))
    assert options(select) == [("", False, "All organizers"), chosen]
    assert history.alice.first_name not in select
    assert f'hx-get="{reverse("meetings:organizer_options")}"' in select
    assert 'hx-trigger="load"' in select and 'hx-swap="outerHTML"' in select
    # Its own target, not the filter form's (the dashboard body), and no address of its own.
    assert 'hx-target="this"' in select and 'hx-push-url="false"' in select


def test_a_bad_organizer_in_the_address_fetches_the_list_with_none_chosen(
    client, admin_user, history
):
    client.force_login(admin_user)
    html = client.get(reverse("meetings:dashboard"), {"organizer": "x<"}).content.decode()
    select = organizer_select(html)
    assert options(select) == [("", False, "All organizers")]
    assert f'hx-get="{reverse("meetings:organizer_options")}"' in select


def test_the_whole_list_is_the_same_select_with_every_organizer_an_admin_may_see(
    client, admin_user, history
):
    evil = OrganizerFactory(first_name='<script>alert("x")</script>', last_name="O'Neil")
    client.force_login(admin_user)
    response = client.get(reverse("meetings:organizer_options"), {"organizer": history.olga.pk})
    assert response.status_code == 200
    select = response.content.decode()
    assert select.startswith('<select id="id_organizer" name="organizer">')
    assert "hx-get" not in select  # the full list does not fetch itself again
    found = options(select)
    assert found[0] == ("", False, "All organizers")
    assert [value for value, chosen, _label in found if chosen] == [str(history.olga.pk)]
    ids = {value for value, _chosen, _label in found[1:]}
    assert ids == {str(o.pk) for o in (history.alice, history.bob, history.olga, evil)}
    assert "<script>" not in select
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#x27;Neil" in select


def test_a_manager_gets_the_organizers_of_their_group_tree_only(client, scoped_manager, history):
    client.force_login(scoped_manager)  # Sales EMEA: Bob
    select = client.get(reverse("meetings:organizer_options")).content.decode()
    assert [value for value, _c, _l in options(select)] == ["", str(history.bob.pk)]
    # Choosing an organizer outside the scope chooses nobody and reveals nobody.
    other = client.get(reverse("meetings:organizer_options"), {"organizer": history.olga.pk})
    assert [o for o in options(other.content.decode()) if o[1]] == []
    assert "Olga" not in other.content.decode()


def test_a_selection_that_is_no_id_is_refused(client, admin_user, history):
    client.force_login(admin_user)
    response = client.get(reverse("meetings:organizer_options"), {"organizer": "1 OR 1=1"})
    assert response.status_code == 400
    assert response.content.decode() == "Choose an organizer from the list."


def test_the_kept_list_shows_a_renamed_organizer_at_once(client, admin_user, history):
    from django.utils import timezone

    from organizers.models import Organizer

    client.force_login(admin_user)
    url = reverse("meetings:organizer_options")
    assert "Alice" in client.get(url).content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    # Every write of an organizer stamps synced_at (the sync, invite, suspend …).
    Organizer.objects.filter(pk=history.alice.pk).update(
        first_name="Alicia", synced_at=timezone.now()
    )
    fresh = client.get(url)
    assert fresh["X-Page-Cache"] == "miss"
    assert "Alicia" in fresh.content.decode()
