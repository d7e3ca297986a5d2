"""What every benchmark script shares: its own PostgreSQL database, Django set up against it,
an Admin's session cookie, the Redis cache key space, results as JSON and as a short table.

Each script creates a database ``portal_bench_<pid>`` (through a maintenance connection to
``BENCH_PG_URL``, autocommit), migrates it, and drops it at the end: no other database is
touched. The Redis cache is used under the key prefix ``bench-<pid>`` and only those keys are
ever deleted.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(os.environ.get("BENCH_RESULTS_DIR", ROOT / "bench" / "results"))
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/test"


def bootstrap() -> None:
    """Make ``python bench/x.py`` import the project (not ``bench/`` as top-level modules)."""
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


# --- PostgreSQL -------------------------------------------------------------------------------


def maintenance_url() -> str:
    """The server to create the bench database on: ``BENCH_PG_URL``, else ``DATABASE_URL`` when
    it is PostgreSQL, else the local test server."""
    url = os.environ.get("BENCH_PG_URL")
    if not url:
        candidate = os.environ.get("DATABASE_URL", "")
        url = candidate if candidate.startswith(("postgres://", "postgresql://")) else ""
    return url or DEFAULT_PG_URL


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def _pg_connect(url: str):
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


def pg_available(url: str | None = None) -> bool:
    parts = urlsplit(url or maintenance_url())
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 2):
            return True
    except OSError:
        return False


@contextmanager
def bench_database(suffix: str = "", *, keep: bool = False) -> Iterator[str]:
    """Create ``portal_bench_<pid><suffix>``, yield its URL, drop it afterwards."""
    from psycopg import sql

    name = f"portal_bench_{os.getpid()}{suffix}"
    admin_url = maintenance_url()
    with _pg_connect(admin_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        _checkpoint(conn)
    try:
        yield _with_db(admin_url, name)
    finally:
        if keep:
            print(f"(kept database {name})", file=sys.stderr)
        else:
            from django.db import connections

            connections.close_all()
            with _pg_connect(admin_url) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


def _checkpoint(conn) -> None:
    """Have PostgreSQL write out what the previous benchmark left it to write (the 10M-row
    growth data set, say) before this one times anything. It is hygiene, not the cure of one
    case: the sync benchmark still ran slower right after the growth one with it (16.2 s
    against 12.5–14.2 s alone, 2026-12-04; the cause was not found), and its paired rounds
    (bench/sync_speed.py) time the sync and its baseline side by side so that such a drift
    weighs on both."""
    from psycopg import errors

    try:
        conn.execute("CHECKPOINT")
    except errors.InsufficientPrivilege:
        log("(no CHECKPOINT: the benchmark's database role may not; timings may include it)")


def cache_prefix() -> str:
    return f"bench-{os.getpid()}"


def bench_environment(db_url: str) -> dict[str, str]:
    """Environment for Django (here and in the gunicorn workers) on the bench database."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": db_url,
        "CACHE_KEY_PREFIX": cache_prefix(),
        "PORTAL_PRODUCTION": "false",
        "DEBUG": "false",
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
    }


def django_setup(db_url: str, *, migrate: bool = True) -> None:
    """Point Django at ``db_url`` (settings ``bench.settings``) and migrate."""
    os.environ.update(bench_environment(db_url))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def clear_cache() -> int:
    """Delete this run's keys (prefix ``bench-<pid>``) from the cache; how many were deleted."""
    from django.conf import settings
    from django.core.cache import cache

    location = settings.CACHES["default"].get("LOCATION")
    backend = settings.CACHES["default"]["BACKEND"]
    if "redis" not in backend.lower():
        cache.clear()  # a local cache of this process only
        return 0
    import redis

    url = location[0] if isinstance(location, list | tuple) else location
    client = redis.Redis.from_url(url)
    deleted = 0
    batch = []
    for key in client.scan_iter(match=f"{cache_prefix()}:*", count=1000):
        batch.append(key)
        if len(batch) >= 500:
            deleted += client.delete(*batch)
            batch = []
    if batch:
        deleted += client.delete(*batch)
    return deleted


# --- Signing in ---------------------------------------------------------------------------------


def admin_session(email: str = "bench.admin@acme.example") -> tuple[object, str]:
    """An Admin user and the key of a signed-in session of theirs (the ``sessionid`` cookie)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.middleware import LAST_SEEN_KEY, SIGNED_IN_AT_KEY
    from accounts.models import Role, User

    user, _ = User.objects.get_or_create(
        username=email,
        defaults={"email": email, "role": Role.ADMIN, "first_name": "Bench", "last_name": "Admin"},
    )
    now = int(time.time())
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SIGNED_IN_AT_KEY] = now
    store[LAST_SEEN_KEY] = now
    store.create()
    return user, store.session_key


# --- Output -------------------------------------------------------------------------------------


def machine_info() -> dict:
    info = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }
    with suppress(OSError):
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    try:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["postgresql"] = cursor.fetchone()[0]
    except Exception:  # noqa: BLE001 - informative only
        pass
    return info


def write_results(name: str, data: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    payload = {"benchmark": name, "machine": machine_info(), **data}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path


def publish(name: str, data: dict, text: str) -> None:
    """Write ``data`` as ``<name>.json`` and print the report ``text`` with where it went."""
    path = write_results(name, data)
    print(text)
    print(f"(results: {path})")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain text table (also valid Markdown), columns sized to their contents."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    out = [line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in cells[1:]]
    return "\n".join(out)


def fmt_ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.1f}%" if value < 0.1 else f"{100 * value:.0f}%"


def verdict(value: float | None, target: float) -> str:
    if value is None:
        return "n/a"
    return "ok" if value >= target else "MISSED"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
