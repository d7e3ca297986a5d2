"""Load on one URL of the loopback server: Debian's ``wrk`` when it is there (installed on
first use when we may), else a Python generator (threads + ``http.client`` keep-alive).

Both are closed loops with a fixed number of connections, bounded in time (and the Python one
in request count too), and report requests/s and p50/p95 latency of successful answers.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
_wrk_path: str | None | bool = False  # False = not looked for yet


@dataclass(frozen=True)
class LoadResult:
    tool: str
    url: str
    connections: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    failures: int  # non-2xx answers, timeouts, connection errors

    def as_dict(self) -> dict:
        return asdict(self)


def wrk_path(*, install: bool = True) -> str | None:
    """``wrk`` on PATH; when missing and we are root, ``apt-get install -y wrk`` once."""
    global _wrk_path
    if _wrk_path is not False:
        return _wrk_path or None
    found = shutil.which("wrk")
    may_install = (
        install
        and os.environ.get("BENCH_NO_INSTALL") != "1"
        and hasattr(os, "geteuid")
        and os.geteuid() == 0
        and shutil.which("apt-get") is not None
    )
    if found is None and may_install:
        found = _apt_install_wrk()
    _wrk_path = found
    return found


def _apt_install_wrk() -> str | None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    for steps in ([install], [["apt-get", "update", "-qq"], install]):
        try:
            for step in steps:
                subprocess.run(
                    step,
                    env=env,
                    check=True,
                    timeout=300,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
        except (subprocess.SubprocessError, OSError):
            continue
        if shutil.which("wrk"):
            return shutil.which("wrk")
    return None


def run_load(
    url: str,
    *,
    cookie: str = "",
    seconds: float = 10,
    connections: int = 8,
    max_requests: int | None = None,
    tool: str = "auto",
    headers: dict[str, str] | None = None,
) -> LoadResult:
    """Load ``url`` for ``seconds`` with ``connections`` keep-alive connections, sending the
    ``cookie`` and any other ``headers`` (e.g. an API token's ``Authorization``)."""
    headers = _headers(cookie, headers)
    if urlsplit(url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError("the load generator only targets loopback")
    wrk = wrk_path() if tool in {"auto", "wrk"} else None
    if tool == "wrk" and wrk is None:
        raise RuntimeError("wrk is not available")
    if wrk is not None and max_requests is None:
        return _run_wrk(wrk, url, headers=headers, seconds=seconds, connections=connections)
    return _run_python(
        url, headers=headers, seconds=seconds, connections=connections, max_requests=max_requests
    )


def _headers(cookie: str, headers: dict[str, str] | None) -> dict[str, str]:
    return {**({"Cookie": cookie} if cookie else {}), **(headers or {})}


def _run_wrk(
    wrk: str, url: str, *, headers: dict[str, str], seconds: float, connections: int
) -> LoadResult:
    threads = max(1, min(2, connections))
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(WRK_SCRIPT),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no report:\n{out.stdout}\n{out.stderr}")
    data = json.loads(line.removeprefix("WRKJSON "))
    duration = data["duration_us"] / 1e6
    failures = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return LoadResult(
        tool="wrk",
        url=url,
        connections=connections,
        requests=data["requests"],
        seconds=round(duration, 2),
        rps=round((data["requests"] - data["status"]) / duration, 1),
        p50_ms=round(data["p50_us"] / 1000, 2),
        p95_ms=round(data["p95_us"] / 1000, 2),
        failures=failures,
    )


def _run_python(
    url: str,
    *,
    headers: dict[str, str],
    seconds: float,
    connections: int,
    max_requests: int | None,
) -> LoadResult:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    issued = [0]
    started = time.perf_counter()
    deadline = started + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine: list[float] = []
        bad = 0
        while time.perf_counter() < deadline:
            with lock:
                if max_requests is not None and issued[0] >= max_requests:
                    break
                issued[0] += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = 200 <= response.status < 300
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
            if ok:
                mine.append(time.perf_counter() - t0)
            else:
                bad += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return LoadResult(
        tool="python",
        url=url,
        connections=connections,
        requests=len(latencies) + failures[0],
        seconds=round(elapsed, 2),
        rps=round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(statistics.median(ordered) * 1000 if ordered else 0.0, 2),
        p95_ms=round(pct(0.95), 2),
        failures=failures[0],
    )


def timed_get(
    url: str, *, cookie: str = "", headers: dict[str, str] | None = None
) -> tuple[int, float]:
    """One request on a new connection: (status, milliseconds)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    t0 = time.perf_counter()
    try:
        conn.request("GET", path, headers=_headers(cookie, headers))
        response = conn.getresponse()
        response.read()
        return response.status, (time.perf_counter() - t0) * 1000
    finally:
        conn.close()
