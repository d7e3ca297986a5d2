"""Writing API rows into the cache: the generic upsert and the small conversions every area uses.

Rows are upserted by the API's keys (``bulk_create(update_conflicts=True, ...)``), so a re-run
creates nothing; a row counts as *updated* only when one of its values changed (``synced_at``,
"last confirmed by GoTo", is refreshed on every row seen but is not a change).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import models

from portal.bulk import any_of, insert_new_rows, upsert_rows

if TYPE_CHECKING:
    from gotomeeting import models as api

_CHUNK = 500


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _upsert(
    model: type[models.Model],
    rows: Iterable[dict[str, Any]],
    *,
    key: str,
    fields: Sequence[str],
    now: datetime,
    keep_if_none: Sequence[str] = (),
    create_only: dict[str, Callable[[dict], Any]] | None = None,
) -> tuple[int, int]:
    """Insert or update ``rows`` (dicts of field values) by the unique field ``key``.

    Returns (created, updated): updated counts only rows whose ``fields`` changed. A value in
    ``keep_if_none`` that is None in the row keeps what the cache has (a link not yet
    resolvable). ``create_only`` fills fields of new rows only.
    """
    by_key = {row[key]: row for row in rows}  # the last answer wins; no key twice in a batch
    if not by_key:
        return 0, 0
    existing: dict[Any, dict] = {}
    for keys in _chunks(list(by_key)):
        for old in model.objects.filter(any_of(model, key, keys)).values(key, *fields):
            existing[old[key]] = old
    new_rows: list[dict] = []  # may carry create_only fields, so written apart
    changed: list[dict] = []
    unchanged: list[Any] = []
    for value, row in by_key.items():
        old = existing.get(value)
        if old is None:
            for name, make in (create_only or {}).items():
                row[name] = make(row)
            new_rows.append({**row, "synced_at": now})
            continue
        for name in keep_if_none:
            if row.get(name) is None and old.get(name) is not None:
                row[name] = old[name]
        if any(old[name] != row[name] for name in fields):
            changed.append({**row, "synced_at": now})
        else:
            unchanged.append(value)
    insert_new_rows(model, new_rows, unique=[key], update=[*fields, "synced_at"])
    upsert_rows(model, changed, unique=[key], update=[*fields, "synced_at"])
    for keys in _chunks(unchanged):
        model.objects.filter(any_of(model, key, keys)).update(synced_at=now)
    return len(new_rows), len(changed)


def _text(value: str | None, length: int) -> str:
    return (value or "")[:length]


def _enum_value(value: Any, default: str = "") -> str:
    return getattr(value, "value", None) or default


def _end_time(item: api.HistoricalMeeting) -> datetime:
    """When a history row's meeting ended (its start plus its duration if GoTo left it out)."""
    if item.end_time is not None:
        return item.end_time
    return item.start_time + timedelta(minutes=item.duration or 0)
