"""Every request has an id: the caller's ``X-Request-ID`` when well-formed, else a new one,
echoed in the response and carried by every log line written while the request runs."""

from __future__ import annotations

import re

import pytest

from portal.request_context import current_request_id

PAGE = "/accounts/login/"
NEW_ID = re.compile(r"[0-9a-f]{32}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    ["4bf92f3577b34da6a3ce929d0e0e4736", "lb-7f3a9c21-0001", "1-67891233-abcdef012345"],
)
def test_a_well_formed_incoming_request_id_is_kept_and_echoed(client, incoming):
    response = client.get(PAGE, HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] == incoming


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    ["short", "has a space in it", "x" * 65, "abc123456\nInjected: line", "-starts-with-dash"],
)
def test_a_malformed_incoming_request_id_is_replaced(client, incoming):
    response = client.get(PAGE, HTTP_X_REQUEST_ID=incoming)
    assert NEW_ID.fullmatch(response["X-Request-ID"])


@pytest.mark.django_db
def test_without_a_header_each_request_gets_a_new_id(client):
    first = client.get(PAGE)["X-Request-ID"]
    second = client.get(PAGE)["X-Request-ID"]
    assert NEW_ID.fullmatch(first) and NEW_ID.fullmatch(second) and first != second
    assert current_request_id() is None  # nothing leaks past the response


@pytest.mark.django_db
def test_log_lines_written_during_a_request_carry_its_id(client, console_output, settings):
    settings.GOTO_TOKEN_URL = "http://127.0.0.1:9/oauth/token"
    settings.HEALTH_CHECK_WORKER_QUEUES = ["ops-queue-nobody-consumes"]  # so a 503 is logged
    client.get("/health/", {"format": "json"}, HTTP_X_REQUEST_ID="trace-0123456789")
    lines = console_output.getvalue().splitlines()
    health_lines = [line for line in lines if "portal.health" in line]
    assert health_lines
    assert all("[trace-0123456789]" in line for line in health_lines)
    # Django's own line about the 503, written after the view returned, too.
    assert any("django.request" in line and "[trace-0123456789]" in line for line in lines)


def test_log_lines_outside_a_request_say_so(console_output):
    import logging

    logging.getLogger("portal.ops_test").warning("no request here")
    assert "[-] no request here" in console_output.getvalue()
