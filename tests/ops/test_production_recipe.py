"""The production recipe the project ships: Procfile, gunicorn.conf.py, and docs/production.md
documenting every environment variable in one table."""

from __future__ import annotations

import re
import runpy
import shlex

import pytest

from tests.ops.processes import ROOT

DOC = ROOT / "docs" / "production.md"


def _procfile() -> dict[str, list[str]]:
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = shlex.split(command)
    return entries


def _option(argv: list[str], *names: str) -> str | None:
    for index, arg in enumerate(argv):
        if arg in names:
            return argv[index + 1]
    return None


def test_procfile_runs_web_a_worker_per_queue_one_beat_and_migrates_on_release():
    procs = _procfile()
    assert set(procs) == {"release", "web", "worker-interactive", "worker-sync", "beat"}
    assert procs["release"][-3:] == ["manage.py", "migrate", "--noinput"]
    assert procs["web"][:2] == ["gunicorn", "portal.wsgi"]
    assert _option(procs["web"], "--config", "-c") == "gunicorn.conf.py"
    assert _option(procs["worker-interactive"], "-Q", "--queues") == "interactive"
    assert _option(procs["worker-sync"], "-Q", "--queues") == "sync"
    assert procs["beat"][:4] == ["celery", "-A", "portal", "beat"]
    # Beat runs once, in its own process: never inside a worker.
    for name in ("worker-interactive", "worker-sync"):
        assert not {"-B", "--beat"} & set(procs[name]), name


def _gunicorn_settings(monkeypatch, **env) -> dict:
    for name in ("PORT", "WEB_CONCURRENCY", "LOG_JSON", "PORTAL_PRODUCTION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_reads_port_and_concurrency_from_the_environment(monkeypatch):
    conf = _gunicorn_settings(
        monkeypatch, PORT="5123", WEB_CONCURRENCY="3", FORWARDED_ALLOW_IPS="10.0.0.2"
    )
    assert conf["bind"] == "0.0.0.0:5123"
    assert conf["workers"] == 3
    assert conf["forwarded_allow_ips"] == "10.0.0.2"
    assert "%({x-request-id}o)s" in conf["access_log_format"]
    assert "logconfig_dict" not in conf


def test_gunicorn_logs_json_in_production(monkeypatch):
    import logging

    conf = _gunicorn_settings(monkeypatch, PORTAL_PRODUCTION="true")
    config = conf["logconfig_dict"]
    formatter_path = config["formatters"]["access_json"]["()"]
    module, name = formatter_path.rsplit(".", 1)
    formatter = getattr(__import__(module, fromlist=[name]), name)()
    record = logging.LogRecord(
        "gunicorn.access",
        logging.INFO,
        __file__,
        1,
        "%(m)s %(U)s %(s)s",
        (
            {
                "m": "GET",
                "U": "/health/",
                "s": "200",
                "D": 1500,
                "{x-request-id}o": "abc12345",
                "{authorization}i": "Bearer SECRET",
            },
        ),
        None,
    )
    line = formatter.format(record)
    assert '"request_id": "abc12345"' in line and '"duration_ms": 1.5' in line
    assert "SECRET" not in line


def _documented_variables() -> set[str]:
    rows = re.findall(r"^\| ([^|]+) \|", DOC.read_text(), flags=re.MULTILINE)
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}


def _variables_read() -> set[str]:
    found = set()
    settings_py = (ROOT / "portal" / "settings.py").read_text()
    found |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", settings_py))
    for path in (ROOT / "portal" / "settings.py", ROOT / "gunicorn.conf.py"):
        found |= set(re.findall(r"environ\.get\(\s*[\"']([A-Z][A-Z0-9_]+)", path.read_text()))
    found |= set(
        re.findall(r"_env_bool\(\s*\"([A-Z][A-Z0-9_]+)\"", (ROOT / "gunicorn.conf.py").read_text())
    )
    found |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", (ROOT / "Procfile").read_text()))
    return found


def test_every_environment_variable_is_documented_in_one_table():
    read = _variables_read()
    assert {"DATABASE_URL", "SECRET_KEY", "PORT", "WEB_CONCURRENCY", "SYNC_CONCURRENCY"} <= read
    missing = sorted(read - _documented_variables())
    assert not missing, f"not in docs/production.md's table: {missing}"


@pytest.mark.parametrize(
    "must_say",
    [
        "maxmemory-policy noeviction",
        "maxmemory-policy allkeys-lru",
        "SECURE_PROXY_SSL_HEADER",
        "CSRF_TRUSTED_ORIGINS",
        "collectstatic",
        "exactly one",
        "/health/",
    ],
)
def test_the_production_doc_covers(must_say):
    assert must_say in DOC.read_text()
