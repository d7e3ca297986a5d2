"""Real processes for the operations tests: private Redis and PostgreSQL instances that a test
may stop and start (never the machine's shared ones), gunicorn web processes and Celery workers.
"""

from __future__ import annotations

import base64
import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.services import IN_CI

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SHARED_POSTGRES = "postgres://postgres@127.0.0.1:5432"
# One key for every process a test starts, as all machines of a deployment share theirs.
TOKEN_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], Any], *, seconds: float, what: str, every: float = 0.2):
    """Poll ``predicate`` until it returns something truthy; fail the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception as error:  # still starting
            last_error, value = error, None
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {seconds:.0f} s waiting for {what} (last error: {last_error})")


def need_binary(path: str | None, what: str) -> str:
    """The binary, or skip the test (an error under CI=true)."""
    if path and os.path.exists(path):
        return path
    if IN_CI:
        pytest.fail(f"CI=true but {what} is not installed")
    pytest.skip(f"not run here: {what} is not installed")


def portal_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment of a portal process: this checkout, development settings, overrides."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    for name in ("DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        keep.pop(name, None)
    keep.pop("CELERY_BROKER_TRANSPORT_OPTIONS", None)
    keep.update(
        PYTHONPATH=str(ROOT),
        PORTAL_VAR_DIR=str(tmp_path),
        DEBUG="false",
        # Shared by every process, as on separate machines: sessions and tokens stay valid.
        SECRET_KEY="ops-test-secret-key-" + "x" * 40,
        TOKEN_ENCRYPTION_KEYS=TOKEN_KEY,
        LOG_LEVEL="INFO",
    )
    keep.update(overrides)
    return keep


class Process:
    """A child process in its own process group, its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Process:
        log = open(self.log_path, "ab")  # noqa: SIM115 - lives as long as the child
        self.proc = subprocess.Popen(
            self.args,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        if not self.running():
            return
        os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def celery_worker(
    name: str, queues: str, env: dict[str, str], log_dir: Path, *, concurrency: int = 1
) -> Process:
    return Process(
        name,
        [
            str(BIN / "celery"),
            "-A",
            "portal",
            "worker",
            "-Q",
            queues,
            "-n",
            f"{name}@%h",
            "--pool",
            "solo" if concurrency == 1 else "threads",
            "--concurrency",
            str(concurrency),
            "--include",
            "tests.ops.worker_tasks",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        env,
        log_dir,
    )


def gunicorn(name: str, port: int, env: dict[str, str], log_dir: Path) -> Process:
    env = {**env, "PORT": str(port), "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "4"}
    return Process(
        name,
        [
            str(BIN / "gunicorn"),
            "portal.wsgi",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env,
        log_dir,
    )


def manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py`` with ``args``; its standard output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def get_json(url: str, *, headers: dict[str, str] | None = None, timeout: float = 15):
    """``(status, body)`` of a GET answering JSON, 4xx/5xx included."""
    request = urllib.request.Request(url, headers={"Accept": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def get_html(url: str, *, timeout: float = 15) -> tuple[int, str]:
    """``(status, text)`` of a GET as a browser asks, 4xx/5xx included."""
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class PrivateRedis:
    """A throw-away redis-server on a free port, no persistence; stop and start at will."""

    def __init__(self, log_dir: Path) -> None:
        self.binary = need_binary(shutil.which("redis-server"), "redis-server")
        self.port = free_port()
        self.process = Process(
            f"redis-{self.port}",
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory-policy",
                "noeviction",
            ],
            {"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            log_dir,
        )

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process.start()
        wait_until(self._answers, seconds=10, what="the private redis-server")

    def stop(self) -> None:
        self.process.stop()

    def _answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")


class PrivatePostgres:
    """A PostgreSQL cluster of our own (initdb in a temp dir, a free port), run as the
    ``postgres`` user because initdb refuses root."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        initdb = need_binary(found[-1] if found else None, "PostgreSQL's initdb")
        self.bin = Path(initdb).parent
        self.port = free_port()
        # Not under pytest's tmp_path: its parents are private to root, and the server runs
        # as "postgres".
        self.dir = Path(tempfile.mkdtemp(prefix=f"portal-pg-{self.port}-"))
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.dir, "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.dir / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def _run(self, *args: str) -> None:
        cmd = ["runuser", "-u", "postgres", "--", *args] if self._as_postgres else list(args)
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.dir / "data"),
            "-l",
            str(self.dir / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "start",
        )

    def stop(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop"
        )

    def destroy(self) -> None:
        """Stop the server if it runs and delete the cluster."""
        with contextlib.suppress(AssertionError):  # already stopped
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')


class IsolatedBroker:
    """A key prefix of its own on the shared Redis broker (queues, pidbox, cache keys), so a
    test's workers never take another test's tasks; its keys are deleted afterwards."""

    def __init__(self, broker_url: str) -> None:
        from celery import Celery

        self.url = broker_url
        self.prefix = f"ops-{os.getpid()}-{uuid.uuid4().hex[:8]}:"
        self.app = Celery(
            "ops-test-publisher",
            broker=broker_url,
            broker_transport_options={"global_keyprefix": self.prefix},
        )

    def env(self) -> dict[str, str]:
        return {
            "CELERY_BROKER_URL": self.url,
            "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps({"global_keyprefix": self.prefix}),
            "CACHE_KEY_PREFIX": self.prefix,
        }

    def send(self, name: str, *args: Any, queue: str) -> None:
        self.app.send_task(name, args=list(args), queue=queue)

    def worker_names(self) -> set[str]:
        return {name for answer in self.app.control.ping(timeout=1) for name in answer}

    def wait_for_workers(self, *names: str, seconds: float = 60) -> None:
        def all_up():
            up = {name.split("@")[0] for name in self.worker_names()}
            return set(names) <= up

        wait_until(all_up, seconds=seconds, what=f"workers {names} to answer a ping")

    def cleanup(self) -> None:
        import redis

        client = redis.Redis.from_url(self.url)
        keys = list(client.scan_iter(match=f"{self.prefix}*", count=500))
        if keys:
            client.delete(*keys)
        self.app.close()
