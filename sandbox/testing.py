"""Start a sandbox as a subprocess for tests: ``with running_sandbox() as sandbox: ...``.

Only ``urllib.request`` is used here, so the helpers need nothing beyond the standard
library. ``SandboxHandle.request`` is a plain HTTP helper that never raises on 4xx/5xx
and never follows redirects (tests want to see a 302 from the sign-in page).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sandbox.cli import LISTENING
from sandbox.timeutil import iso

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class HttpResult:
    """A response read in full."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect())


def http_request(
    method: str,
    url: str,
    *,
    json_body: Any = None,
    form: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30,
) -> HttpResult:
    """One HTTP request; 4xx/5xx answers are returned, not raised; redirects not followed."""
    data = None
    all_headers = {"Accept": "application/json", **(headers or {})}
    if json_body is not None:
        data = json.dumps(json_body).encode("utf-8")
        all_headers.setdefault("Content-Type", "application/json")
    elif form is not None:
        data = urlencode(form).encode("ascii")
        all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an HTTP URL: {url}")
    # The scheme is checked just above, so S310's file:/custom-scheme concern does not apply.
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return HttpResult(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return HttpResult(error.code, error.headers, error.read())


@dataclass
class SandboxHandle:
    """A running sandbox and helpers over its control API."""

    port: int
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base_url(self) -> str:
        return f"{self.base_url}/G2M/rest"

    def portal_settings(self) -> dict[str, Any]:
        """The portal's Django settings that point it at this sandbox (tests, benchmarks)."""
        return {
            "GOTO_API_BASE_URL": self.api_base_url,
            "GOTO_AUTH_BASE_URL": self.base_url,
            "GOTO_AUTHORIZE_URL": f"{self.base_url}/oauth/authorize",
            "GOTO_TOKEN_URL": f"{self.base_url}/oauth/token",
            "GOTO_DIRECT_LOGIN_URL": f"{self.base_url}/oauth/access_token",
            "GOTO_CLIENT_ID": "portal-demo",
            "GOTO_CLIENT_SECRET": "portal-demo-secret",
            "GOTO_USES_SANDBOX": True,
        }

    # -- plain HTTP ----------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30,
    ) -> HttpResult:
        """``path`` relative to the server root (``/G2M/rest/groups``, ``/oauth/token``…);
        ``params`` are added as the query string; ``token`` is sent as ``Bearer``."""
        all_headers = dict(headers or {})
        if token is not None:
            all_headers.setdefault("Authorization", f"Bearer {token}")
        url = self.base_url + path
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        return http_request(
            method, url, json_body=json_body, form=form, headers=all_headers, timeout=timeout
        )

    def api(self, method: str, path: str, *, token: str | None, **kwargs: Any) -> HttpResult:
        """A call under ``/G2M/rest`` (``path`` like ``/groups``)."""
        return self.request(method, "/G2M/rest" + path, token=token, **kwargs)

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        result = self.request(method, f"/_sandbox/{path}", json_body=body)
        if result.status != 200:
            raise RuntimeError(f"sandbox control {method} {path}: {result.status} {result.text}")
        return result.json()

    # -- control API ---------------------------------------------------------------------------
    def faults(self, **changes: Any) -> dict:
        """Change fault settings (none given: just read them); returns all of them."""
        if not changes:
            return self._control("GET", "faults")
        return self._control("POST", "faults", changes)

    def reset(self) -> None:
        """Regenerate the data from the seed."""
        self._control("POST", "reset", {})

    def confirm_organizer(self, email: str) -> int:
        """A pending organizer accepts the invitation; their new organizer key."""
        return int(self._control("POST", "organizers/confirm", {"email": email})["organizerKey"])

    def token_for(self, email: str, expires_in: int = 3600) -> dict:
        """A token answer for ``email`` (as ``/oauth/token`` would give)."""
        return self._control("POST", "tokens", {"email": email, "expires_in": expires_in})

    def state(self) -> dict:
        return self._control("GET", "state")

    def stats(self) -> dict:
        return self._control("GET", "stats")

    def reset_stats(self) -> None:
        self._control("POST", "stats/reset", {})

    def hold_meeting(self, meeting_id: int, attendees: int) -> dict:
        """The meeting was just held with ``attendees`` attendees; the new instance."""
        return self._control("POST", f"meetings/{meeting_id}/hold", {"attendees": attendees})

    def start_meeting(self, meeting_id: int) -> dict:
        """The host starts the meeting now; the meeting (status ACTIVE)."""
        return self._control("POST", f"meetings/{meeting_id}/start", {})

    def start_instant_meeting(self, organizer_key: int, minutes: int = 30) -> dict:
        """The organizer starts a meeting nobody scheduled ("Meet now"); the meeting."""
        return self._control("POST", f"organizers/{organizer_key}/instant", {"minutes": minutes})


def history_window(days_ago_start: float, days_ago_end: float = 0) -> dict[str, str]:
    """``{"startDate": …, "endDate": …}`` for the range from ``days_ago_start`` days ago to
    ``days_ago_end`` days ago (ISO 8601 UTC with ``Z``)."""
    now = time.time()
    return {
        "startDate": iso(now - days_ago_start * 86_400),
        "endDate": iso(now - days_ago_end * 86_400),
    }


def _flag_args(flags: Mapping[str, Any]) -> list[str]:
    args: list[str] = []
    for name, value in flags.items():
        option = "--" + name.replace("_", "-")
        if value is True:
            args.append(option)
        elif value is False or value is None:
            continue
        else:
            args += [option, str(value)]
    return args


def _wait_until_up(handle: SandboxHandle, deadline: float) -> None:
    while True:
        try:
            if handle.request("GET", "/_sandbox/health", timeout=2).status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the sandbox did not answer in time")
        time.sleep(0.05)


@contextmanager
def running_sandbox(
    *,
    seed: int = 1,
    size: str = "small",
    state_path: str | os.PathLike[str] | None = None,
    rate_limit: bool = False,
    startup_timeout: float = 60,
    **flags: Any,
) -> Iterator[SandboxHandle]:
    """Run ``python -m sandbox`` on a free port for the duration of the block.

    ``flags`` become command-line options (``error_rate=0.2`` → ``--error-rate 0.2``,
    ``expire_tokens=True`` → ``--expire-tokens``, ``reset=True``, ``anchor="…"``,
    ``token_ttl=60``, ``latency_ms=100``). Without ``state_path`` nothing is written to disk.
    """
    args = [sys.executable, "-m", "sandbox", "--port", "0", "--seed", str(seed), "--size", size]
    if state_path is not None:
        args += ["--state", os.fspath(state_path)]
    if not rate_limit:
        args.append("--no-rate-limit")
    args += _flag_args(flags)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(
            args, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        try:
            handle = SandboxHandle(_read_port(process, errors), process)
            threading.Thread(target=_drain, args=(process,), daemon=True).start()
            _wait_until_up(handle, time.monotonic() + startup_timeout)
            yield handle
        finally:
            _stop(process)


def _read_port(process: subprocess.Popen, errors: Any) -> int:
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(LISTENING):
            return int(line.rsplit(":", 1)[1].strip().rstrip("/"))
    process.wait(timeout=10)
    errors.seek(0)
    raise RuntimeError(f"the sandbox exited ({process.returncode}):\n{errors.read()[-4000:]}")


def _drain(process: subprocess.Popen) -> None:
    assert process.stdout is not None
    for _ in process.stdout:
        pass


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
