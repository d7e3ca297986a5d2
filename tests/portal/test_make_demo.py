"""`make demo` starts the sandbox, portal, worker and beat, and serves the login page.

Runs scripts/demo.py (what `make demo` runs after installing) as a subprocess on free ports
with a throw-away state folder, then stops it as Ctrl-C would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_demo(tmp_path: Path, extra_env: dict[str, str]) -> tuple[str, str, int]:
    port, sandbox_port = _free_port(), _free_port()
    # As a user runs it: the portal's own settings, nothing of the test run's.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        PORT=str(port),
        SANDBOX_PORT=str(sandbox_port),
        PORTAL_VAR_DIR=str(tmp_path),
        SANDBOX_SIZE="small",
        **extra_env,
    )
    proc = subprocess.Popen(
        [sys.executable, "scripts/demo.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            output.append(line)
            if "Stop:" in line:
                break
        text = "".join(output)
        assert f"http://127.0.0.1:{port}/" in text, text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10) as r:
            page = r.read().decode()
        assert r.status == 200
        return text, page, sandbox_port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                pytest.fail("make demo did not stop on Ctrl-C")


@pytest.mark.redis
def test_make_demo_serves_the_portal_and_prints_the_demo_logins(tmp_path):
    text, page, sandbox_port = _run_demo(tmp_path, {})
    assert "admin@acme.example" in text and "manager@acme.example" in text
    # The first sync shows its progress lines, not a log line for every API call.
    assert "history: success" in text and "GoTo API" not in text
    # The demo Manager is scoped to its one group once the first sync cached the groups (a
    # Manager with no group sees nothing, so the README's "Manager of one group" needs this).
    after_sync = text[text.index("history: success") :]
    assert 'manager@acme.example: Manager scoped to group "' in after_sync, text
    assert "Sign in with GoTo" in page
    assert (tmp_path / f"sandbox-{sandbox_port}.json").exists()
    assert (tmp_path / "db.sqlite3").exists() or list(tmp_path.glob("db-*.sqlite3"))


def test_make_demo_without_redis_falls_back_to_an_embedded_broker(tmp_path):
    text, page, _ = _run_demo(
        tmp_path, {"REDIS_URL": "redis://127.0.0.1:1/0", "DEMO_FIRST_SYNC": "0"}
    )
    assert "Redis is not reachable" in text
    assert "Sign in with GoTo" in page
