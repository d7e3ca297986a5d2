"""Digests sent by the hourly task through a real SMTP server on loopback, read as they
arrived: the subscriber's scope only, the chart as an inline image, an unsubscribe link that
works without a session, each digest once however often the task runs, and a refused address
that stops nobody else and shows on the Sync page."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from django.test import Client

from accounts.models import AuditEntry
from digests.models import SendStatus, SentDigest
from digests.services import digests_send_due
from digests.tasks import send_due_digests_task
from tests.digests.conftest import DUE_AT, html_part, subscribe, text_part

pytestmark = pytest.mark.django_db


def test_a_managers_digest_shows_only_their_groups_organizers(smtp_server, account):
    subscribe(account.manager)

    summary = digests_send_due(now=DUE_AT)

    assert summary.as_dict() == {"sent": 1, "failed": 0, "skipped": 0}
    [message] = smtp_server.to("mona.manager@acme.example")
    html, text = html_part(message), text_part(message)
    assert "week of 02 Feb 2026 – 08 Feb 2026" in message["Subject"]
    for shown in ("Alice Archer", "Bob Baker", "Ivy Idle", "Sam Sleeper"):
        assert shown in html and shown in text
    for hidden in ("Olga", "Xavier", "outsider@ex.com"):
        assert hidden not in html and hidden not in text
    # Sales alone, in UTC: 5 meetings this week (Alice 4, Bob 1) against 2 the week before.
    assert re.search(r'data-kpi="meetings".*?data-value="current"[^>]*>5<', html, re.S)
    assert re.search(r'data-kpi="meetings".*?data-value="previous"[^>]*>2<', html, re.S)
    # Licences to reclaim at the period's end: Ivy (70 days) and Sam (never) in 30 and 60
    # days, Sam alone in 90.
    assert re.search(r'data-inactive="30"[^>]*>2<', html)
    assert re.search(r'data-inactive="90"[^>]*>1<', html)
    # The dashboard link is absolute, on the digest's own range.
    assert (
        "https://portal.example.com/meetings/dashboard/?start=2026-02-02&amp;end=2026-02-08" in html
    )


def test_the_chart_is_an_inline_png_the_html_shows_and_styles_are_inlined(smtp_server, account):
    subscribe(account.manager)

    digests_send_due(now=DUE_AT)

    [message] = smtp_server.messages
    assert message.get_content_type() == "multipart/related"
    [image] = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<digest-chart>"
    assert image.get_content_disposition() == "inline"
    assert image.get_content().startswith(b"\x89PNG\r\n\x1a\n")
    html = html_part(message)
    assert 'src="cid:digest-chart"' in html
    assert "<style" not in html  # css-inline moved the rules onto the elements
    assert 'style="' in html


def test_running_the_task_twice_sends_each_digest_once(smtp_server, account, settings):
    subscribe(account.manager)
    subscribe(account.admin, frequency="weekly", tz="UTC")

    first = digests_send_due(now=DUE_AT)
    again = digests_send_due(now=DUE_AT.replace(hour=8))  # the next hourly run
    send_due_digests_task.apply()  # and the task itself, today: nothing due, nothing sent

    assert first.as_dict() == {"sent": 2, "failed": 0, "skipped": 0}
    assert again.as_dict() == {"sent": 0, "failed": 0, "skipped": 2}
    assert len(smtp_server.to("mona.manager@acme.example")) == 1
    assert len(smtp_server.to("ada.admin@acme.example")) == 1
    assert SentDigest.objects.filter(status=SendStatus.SENT).count() == 2


def test_a_refused_address_does_not_stop_the_others_and_shows_on_the_sync_page(
    smtp_server, account, client
):
    from tests.factories import UserFactory

    refused = UserFactory(email="gone@acme.example", role="manager")
    refused.managed_groups.set([account.support])
    subscribe(refused)  # the first in line
    subscribe(account.manager)
    subscribe(account.admin)
    smtp_server.refused.add("gone@acme.example")

    summary = digests_send_due(now=DUE_AT)

    assert summary.as_dict() == {"sent": 2, "failed": 1, "skipped": 0}
    assert smtp_server.to("mona.manager@acme.example") and smtp_server.to("ada.admin@acme.example")
    failed = SentDigest.objects.get(user=refused)
    assert failed.status == SendStatus.FAILED
    assert "SMTPRecipientsRefused" in failed.error

    client.force_login(account.admin)
    page = client.get("/sync/").content.decode()
    panel = page[page.index('data-testid="digests-panel"') :]
    failures = panel[panel.index('data-testid="digest-failures"') :]
    assert "gone@acme.example" in failures[: failures.index("</table>")]
    assert "550" in failures[: failures.index("</table>")]


def test_a_failed_digest_is_tried_again_at_the_next_run_then_sent_once(smtp_server, account):
    subscribe(account.manager)
    smtp_server.refused.add("mona.manager@acme.example")
    digests_send_due(now=DUE_AT)
    smtp_server.refused.clear()

    digests_send_due(now=DUE_AT.replace(hour=8))
    digests_send_due(now=DUE_AT.replace(hour=9))

    assert len(smtp_server.to("mona.manager@acme.example")) == 1
    row = SentDigest.objects.get(user=account.manager)
    assert (row.status, row.attempts, row.error) == (SendStatus.SENT, 2, "")


def test_the_unsubscribe_link_works_without_a_session_and_only_on_post(smtp_server, account):
    subscription = subscribe(account.manager)
    digests_send_due(now=DUE_AT)
    [message] = smtp_server.messages
    link = re.search(
        r'href="(https://portal\.example\.com/digests/unsubscribe/[^"]+)"', html_part(message)
    )
    path = link.group(1).removeprefix("https://portal.example.com")
    assert message["List-Unsubscribe"].strip() == f"<{link.group(1)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    anonymous = Client(enforce_csrf_checks=True)

    confirm = anonymous.get(path)  # what a mail scanner does: changes nothing
    subscription.refresh_from_db()
    assert confirm.status_code == 200 and subscription.active
    assert b"Stop the weekly digest sent to" in confirm.content

    done = anonymous.post(path)
    subscription.refresh_from_db()
    assert done.status_code == 200 and not subscription.active
    assert b"is unsubscribed" in done.content
    entry = AuditEntry.objects.get(action="digest.unsubscribe")
    assert entry.actor == account.manager and entry.detail == "via e-mail link"

    smtp_server.messages.clear()
    assert digests_send_due(now=DUE_AT.replace(day=16)).as_dict()["sent"] == 0
    assert smtp_server.messages == []

    # Subscribed again: the old digest's link no longer stops the new subscription.
    again = subscribe(account.manager)
    assert anonymous.post(path).status_code == 400
    again.refresh_from_db()
    assert again.active


def test_a_damaged_or_forged_unsubscribe_link_is_refused(account):
    from digests.tokens import unsubscribe_token

    subscription = subscribe(account.manager)
    token = unsubscribe_token(subscription)
    anonymous = Client()

    for bad in (token[:-2] + "xx", "nonsense", token.replace(token.split(":")[0], "e30")):
        response = anonymous.post(f"/digests/unsubscribe/{bad}/")
        assert response.status_code == 400
    subscription.refresh_from_db()
    assert subscription.active


def test_the_demo_writes_digests_to_files_under_var(account, settings, tmp_path):
    """``make demo`` has no mail server: its EMAIL_URL is Django's file backend (scripts/demo.py)
    writing under var/mail/, where the digest lands whole."""
    import importlib.util
    from pathlib import Path

    import environ

    spec = importlib.util.spec_from_file_location(
        "demo", Path(__file__).resolve().parents[2] / "scripts" / "demo.py"
    )
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    demo_env = demo.demo_environment(8000, 8765, tmp_path)
    config = environ.Env.email_url_config(demo_env["EMAIL_URL"])
    settings.EMAIL_BACKEND = config["EMAIL_BACKEND"]
    settings.EMAIL_FILE_PATH = demo_env["EMAIL_FILE_PATH"]
    subscribe(account.manager)

    assert digests_send_due(now=DUE_AT).as_dict()["sent"] == 1

    [written] = list((tmp_path / "mail").iterdir())
    message = email.message_from_string(
        written.read_text().rpartition("\n" + "-" * 79)[0], policy=policy.default
    )
    assert message["Subject"].strip().startswith("Meetings digest: week of 02 Feb 2026")
    assert message["To"] == account.manager.email
    assert "Alice Archer" in html_part(message)
    assert any(part["Content-ID"] == "<digest-chart>" for part in message.walk())
    assert demo_env["PORTAL_BASE_URL"] == "http://127.0.0.1:8000"


def test_a_group_taken_out_of_a_managers_scope_is_not_sent(smtp_server, account):
    subscribe(account.manager, group=account.sales)
    account.manager.managed_groups.set([account.support])  # an Admin moved them

    summary = digests_send_due(now=DUE_AT)

    assert summary.as_dict() == {"sent": 0, "failed": 1, "skipped": 0}
    assert smtp_server.messages == []
    assert "scope" in SentDigest.objects.get(user=account.manager).error


def test_the_sync_page_says_when_no_digest_was_sent_yet(client, account):
    subscribe(account.manager)
    client.force_login(account.admin)

    page = client.get("/sync/").content.decode()

    panel = page[page.index('data-testid="digests-panel"') :]
    assert "1 active subscription." in panel
    assert 'data-testid="digests-empty"' in panel
    assert 'data-testid="digest-failures"' not in panel


def test_changing_the_digests_settings_keeps_the_links_already_sent(account):
    from digests.tokens import unsubscribe_token

    token = unsubscribe_token(subscribe(account.manager))
    subscribe(account.manager, frequency="monthly", tz="Asia/Tokyo")  # still subscribed
    response = Client().post(f"/digests/unsubscribe/{token}/")
    assert response.status_code == 200
    assert not account.manager.digest_subscription.__class__.objects.get(
        user=account.manager
    ).active
