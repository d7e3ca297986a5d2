"""The portal served by gunicorn on loopback, against the bench database, for load tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.common import RESULTS_DIR, ROOT, bench_environment


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PortalServer:
    """``gunicorn portal.wsgi`` with ``bench/gunicorn_bench.py``; start, restart, stop."""

    def __init__(
        self,
        db_url: str,
        *,
        workers: int | None = None,
        threads: int | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.db_url = db_url
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.extra_env = dict(extra_env or {})
        self.process: subprocess.Popen | None = None
        self.log_path = RESULTS_DIR / f"gunicorn-{os.getpid()}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(bench_environment(self.db_url))
        env["BENCH_PORT"] = str(self.port)
        env["BENCH_ERROR_LOG"] = str(self.log_path)
        if self.workers:
            env["WEB_CONCURRENCY"] = str(self.workers)
        if self.threads:
            env["GUNICORN_THREADS"] = str(self.threads)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60) -> None:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
        command += [
            "portal.wsgi:application",
            "--config",
            str(ROOT / "bench" / "gunicorn_bench.py"),
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self._env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited ({self.process.returncode}); see {self.log_path}"
                )
            try:
                # Any HTTP answer means a worker is up (the login page needs no session).
                urllib.request.urlopen(self.base_url + "/accounts/login/", timeout=5).close()  # noqa: S310
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("gunicorn did not answer in time") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> PortalServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
