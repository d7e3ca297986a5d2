"""Logs are JSON in production (LOG_JSON=true, the production default), one object per line
with the request id, and readable lines in development."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.ops.processes import ROOT, portal_env

SCRIPT = textwrap.dedent(
    """
    import django, logging
    django.setup()
    from django.test import Client
    # Refused for want of a CSRF token: Django logs a warning while the request runs.
    Client(enforce_csrf_checks=True).post("/accounts/login/", HTTP_X_REQUEST_ID="json-trace-0001")
    logging.getLogger("portal.ops_test").warning(
        "token is %s", {"access_token": "SECRET-ACCESS", "refresh_token": "SECRET-REFRESH"}
    )
    from portal.request_context import set_request_id
    set_request_id("json-trace-0002")
    logging.getLogger("portal.ops_test").info("inside", extra={"operation": "get_groups"})
    """
)


def _run(tmp_path, **env) -> str:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=portal_env(
            tmp_path,
            DJANGO_SETTINGS_MODULE="portal.settings",
            CACHE_URL="locmemcache://",
            LOG_LEVEL="DEBUG",
            **env,
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_json_logs_are_one_object_per_line_with_the_request_id(tmp_path):
    lines = [json.loads(line) for line in _run(tmp_path, LOG_JSON="true").splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert all(line["time"].endswith("Z") for line in lines)
    refused = next(line for line in lines if line["logger"] == "django.security.csrf")
    assert refused["request_id"] == "json-trace-0001"
    warning = next(line for line in lines if line["logger"] == "portal.ops_test")
    assert warning["level"] == "WARNING" and warning["request_id"] == "-"
    assert "SECRET-ACCESS" not in warning["message"] and "[REDACTED]" in warning["message"]
    inside = next(line for line in lines if line["message"] == "inside")
    assert inside["request_id"] == "json-trace-0002"
    assert inside["operation"] == "get_groups"


def test_development_logs_are_readable_lines(tmp_path):
    output = _run(tmp_path, LOG_JSON="false")
    line = next(line for line in output.splitlines() if "inside" in line)
    assert " INFO portal.ops_test [json-trace-0002] inside" in line
    assert "SECRET-REFRESH" not in output
