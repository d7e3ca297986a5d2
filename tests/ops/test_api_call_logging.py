"""Every GoTo API call the portal makes is logged: operation, method, path, status, duration
and retries (accounts.connections passes the ``on_call`` hook to every client it builds)."""

from __future__ import annotations

import logging

import pytest

from accounts.connections import client_for_user
from gotomeeting.errors import NotFound, TransportError
from tests.ops.processes import free_port


def _api_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "portal.api"]


@pytest.fixture
def admin_client(admin_user, with_sandbox_token, sandbox_settings):
    with_sandbox_token(admin_user, "admin@acme.example")
    return client_for_user(admin_user, sleep=lambda seconds: None)


@pytest.mark.django_db
def test_a_call_is_logged_with_its_operation_status_duration_and_retries(
    admin_client, sandbox, caplog
):
    caplog.set_level(logging.INFO, logger="portal.api")
    sandbox.faults(fail_next=[503])  # one retry before the answer
    admin_client.get_groups()

    [record] = _api_records(caplog)
    assert (record.operation, record.method, record.path) == ("get_groups", "GET", "/groups")
    assert record.status == 200
    assert record.retries == 1
    assert record.duration_ms >= 0
    assert record.levelno == logging.INFO
    assert "get_groups GET /groups -> 200" in record.getMessage()
    assert "1 retries" in record.getMessage()


@pytest.mark.django_db
def test_a_refused_call_is_logged_with_the_api_status(admin_client, caplog):
    caplog.set_level(logging.INFO, logger="portal.api")
    with pytest.raises(NotFound):
        admin_client.get_organizer(1)
    [record] = _api_records(caplog)
    assert (record.operation, record.status, record.retries) == ("get_organizer", 404, 0)


@pytest.mark.django_db
def test_a_call_without_an_answer_is_a_warning(admin_client, settings, caplog, admin_user):
    settings.GOTO_API_BASE_URL = f"http://127.0.0.1:{free_port()}/G2M/rest"
    client = client_for_user(admin_user, sleep=lambda seconds: None, max_retries=1)
    caplog.set_level(logging.INFO, logger="portal.api")
    with pytest.raises(TransportError):
        client.get_groups()
    [record] = _api_records(caplog)
    assert record.status is None and record.retries == 1
    assert record.levelno == logging.WARNING
    assert "no answer" in record.getMessage()
