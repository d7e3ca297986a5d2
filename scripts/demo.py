"""`make demo`: the sandbox, the portal, a Celery worker and beat, all on loopback.

Prints the URL and the demo logins, and stops everything on Ctrl-C. Ports come from PORT
(portal, default 8000) and SANDBOX_PORT (default 8765), so two demos can run side by side.
Without Redis it says so and falls back to an embedded broker (Kombu's filesystem transport)
and the database cache, so a real worker and beat still run.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

DEMO_LOGINS = (
    ("admin@acme.example", "demo", "GoTo account admin -> Admin"),
    ("manager@acme.example", "demo", "Manager of one group"),
    ("organizer@acme.example", "demo", "Organizer with meetings of their own"),
)


def log(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def redis_answers(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def wait_for(url: str, seconds: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"[demo] a process stopped while starting; see its log ({url})")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"[demo] {url} did not answer within {seconds:.0f} s")


def demo_environment(port: int, sandbox_port: int, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DEBUG", "false")
    env["PORTAL_VAR_DIR"] = str(var_dir)
    env["SANDBOX_PORT"] = str(sandbox_port)
    db_name = "db.sqlite3" if port == 8000 else f"db-{port}.sqlite3"
    env.setdefault("DATABASE_URL", f"sqlite:///{var_dir / db_name}")
    env.setdefault("CACHE_KEY_PREFIX", f"portal-{port}")
    # Background work signs in with the sandbox's demo admin (Direct Login), so the first
    # sync can run before anybody has signed in.
    env.setdefault("GOTO_SERVICE_USERNAME", "admin@acme.example")
    env.setdefault("GOTO_SERVICE_PASSWORD", "demo")
    # E-mail digests go to files (Django's file backend), never to a mail server; their links
    # point at this demo.
    env.setdefault("EMAIL_URL", "filemail://")
    env.setdefault("EMAIL_FILE_PATH", str(var_dir / "mail"))
    env.setdefault("PORTAL_BASE_URL", f"http://127.0.0.1:{port}")
    redis_url = env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    if redis_answers(redis_url):
        env.setdefault(
            "CELERY_BROKER_TRANSPORT_OPTIONS", json.dumps({"global_keyprefix": f"demo-{port}:"})
        )
    else:
        log(f"Redis is not reachable at {redis_url}: using an embedded broker and cache instead.")
        broker = var_dir / f"broker-{port}"
        (broker / "queue").mkdir(parents=True, exist_ok=True)
        (broker / "processed").mkdir(parents=True, exist_ok=True)
        (broker / "control").mkdir(parents=True, exist_ok=True)
        env["CELERY_BROKER_URL"] = "filesystem://"
        env["CELERY_BROKER_TRANSPORT_OPTIONS"] = json.dumps(
            {
                "data_folder_in": str(broker / "queue"),
                "data_folder_out": str(broker / "queue"),
                "processed_folder": str(broker / "processed"),
                "control_folder": str(broker / "control"),
                "store_processed": False,
            }
        )
        env["CELERY_RESULT_BACKEND"] = f"file://{var_dir / f'results-{port}'}"
        (var_dir / f"results-{port}").mkdir(exist_ok=True)
        env["CACHE_URL"] = "dbcache://portal_cache"
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


class Processes:
    """The child processes, each in its own process group, stopped together."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.children: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        log_file = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - lives with the child
        proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.children.append((name, proc))
        return proc

    def stop(self) -> None:
        for _name, proc in reversed(self.children):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _name, proc in self.children:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    def watch(self) -> None:
        while True:
            for name, proc in self.children:
                if proc.poll() is not None:
                    log(f"{name} stopped (exit {proc.returncode}); see {self.log_dir / name}.log")
                    return
            time.sleep(1)


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    sandbox_port = int(os.environ.get("SANDBOX_PORT", "8765"))
    var_dir = Path(os.environ.get("PORTAL_VAR_DIR", ROOT / "var")).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    log_dir = var_dir / f"logs-{port}"
    log_dir.mkdir(exist_ok=True)
    env = demo_environment(port, sandbox_port, var_dir)

    processes = Processes(log_dir)

    def on_signal(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        log("migrating the database")
        manage(env, "migrate", "--noinput", "-v0")
        if env.get("CACHE_URL", "").startswith("dbcache://"):
            manage(env, "createcachetable")
        log(f"starting the GoToMeeting sandbox on http://127.0.0.1:{sandbox_port}")
        sandbox = processes.start(
            "sandbox",
            [
                sys.executable,
                "-m",
                "sandbox",
                "--port",
                str(sandbox_port),
                "--seed",
                "1",
                "--size",
                os.environ.get("SANDBOX_SIZE", "demo"),
                "--state",
                str(var_dir / f"sandbox-{sandbox_port}.json"),
            ],
            env,
        )
        wait_for(f"http://127.0.0.1:{sandbox_port}/_sandbox/faults", 60, sandbox)
        manage(env, "demo_setup")
        first_sync_marker = var_dir / f".first-sync-{port}"
        if os.environ.get("DEMO_FIRST_SYNC", "1") != "0" and not first_sync_marker.exists():
            log("first sync from the sandbox (once; later syncs run in the background)")
            # The command's progress lines, not a log line for every API call.
            manage({**env, "LOG_LEVEL": "WARNING"}, "sync", "--area", "all")
            first_sync_marker.touch()
        # Again now that groups are cached: the demo Manager is scoped to its one group (a
        # Manager with no group sees nothing). Idempotent, so every start checks it.
        manage(env, "demo_setup")
        log(f"starting the portal on http://127.0.0.1:{port}")
        web = processes.start(
            "web",
            [
                str(BIN / "gunicorn"),
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
            ],
            env,
        )
        processes.start(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "portal",
                "worker",
                "-Q",
                "interactive,sync",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                "-n",
                f"demo-{port}@%h",
            ],
            env,
        )
        processes.start(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "portal",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(var_dir / f"celerybeat-schedule-{port}"),
            ],
            env,
        )
        wait_for(f"http://127.0.0.1:{port}/accounts/login/", 60, web)
        print(flush=True)
        print(f"  Portal:  http://127.0.0.1:{port}/", flush=True)
        print(f"  Sandbox: http://127.0.0.1:{sandbox_port}/ (the local GoToMeeting API)")
        print("  Sign in with GoTo as:")
        for email, password, what in DEMO_LOGINS:
            print(f"    {email:<26} password: {password:<6} {what}")
        print(f"  Logs:    {log_dir}/")
        print(f"  Mail:    {var_dir / 'mail'}/ (e-mail digests; or Preview on the profile page)")
        print("  Stop:    Ctrl-C", flush=True)
        processes.watch()
        return 1
    except KeyboardInterrupt:
        log("stopping")
        return 0
    finally:
        processes.stop()


if __name__ == "__main__":
    sys.exit(main())
