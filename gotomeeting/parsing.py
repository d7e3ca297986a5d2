"""Reading the API's loosely typed JSON into Python values, and writing dates back."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:[.,](\d*))?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_EPOCH_MILLIS_FROM = 100_000_000_000  # numbers above this are milliseconds, not seconds


def parse_datetime(value: Any) -> datetime | None:
    """Return a UTC datetime from any date form the API sends, or None when blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _fail("date", value)
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) >= _EPOCH_MILLIS_FROM else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    if not isinstance(value, str):
        return _fail("date", value)
    text = value.strip()
    if not text:
        return None
    if len(text) >= 19 and text[10] == "T":
        # The usual form ("2026-03-02T09:15:00Z", with or without a fraction or an offset):
        # the C parser, several times faster than the pattern below, which takes the rest.
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if moment.tzinfo is None:
                return moment.replace(tzinfo=UTC)
            return moment.astimezone(UTC)
    if match := _ISO.match(text):
        return _from_iso_match(match)
    if match := _US.match(text):
        month, day, year, hour, minute, second = match.groups()
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=UTC
        )
    return _fail("date", value)


def _from_iso_match(match: re.Match[str]) -> datetime:
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    microsecond = int((fraction or "").ljust(6, "0")[:6] or 0)
    moment = datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        microsecond,
        tzinfo=_offset_zone(offset),
    )
    return moment.astimezone(UTC)


def _offset_zone(offset: str | None) -> timezone:
    if offset is None or offset.upper() == "Z":
        return UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def format_datetime(moment: datetime) -> str:
    """Write an aware datetime the way the API wants it: ``YYYY-MM-DDTHH:MM:SSZ`` in UTC."""
    return require_aware(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def require_aware(moment: datetime, name: str = "datetime") -> datetime:
    """Return ``moment`` if it carries a time zone; a naive one is a ValueError."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} {moment.isoformat()} has no time zone: pass an aware datetime")
    return moment


def parse_int(value: Any) -> int | None:
    """Return an int from a number or a numeric string (``"42"``, ``"42.0"``), None when blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _fail("number", value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return _int_from_float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return _int_from_float(float(text))
        except ValueError:
            return _fail("number", value)
    return _fail("number", value)


def _int_from_float(value: float) -> int:
    if not math.isfinite(value):
        return _fail("number", value)
    return round(value)


def parse_bool(value: Any) -> bool | None:
    """Return a bool from ``true``/``false`` in any JSON form, None when blank."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        if not text:
            return None
    return _fail("boolean", value)


def parse_text(value: Any) -> str:
    """Return a string field, with None as the empty string."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return _fail("text", value)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Return the wait a ``Retry-After`` header asks for (seconds or an HTTP date), if any."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _fail(kind: str, value: Any):
    raise ValueError(f"not a {kind}: {value!r}")


@functools.lru_cache(maxsize=65536)
def _utc_from_z(text: str) -> datetime:
    """``YYYY-MM-DDTHH:MM:SSZ`` as an aware UTC datetime. Kept: the same times recur across
    records (a meeting's start and end on each of its attendees)."""
    return datetime.fromisoformat(text[:19]).replace(tzinfo=UTC)


@functools.cache
def _lower(name: str) -> str:
    """A field name in lower case (the same few names, asked for a million times a sync)."""
    return name.lower()


class ApiFields:
    """One JSON object from the API, read by field name in any letter case."""

    def __init__(self, data: Any, kind: str):
        if type(data) is not dict and not isinstance(data, Mapping):
            raise ValueError(f"{kind}: expected a JSON object, got {type(data).__name__}")
        self.kind = kind
        self._data = data
        self._by_lower_name: dict[str, Any] | None = None  # built on the first miss

    def raw(self, *names: str) -> Any:
        """Return the first present, non-null value among ``names`` (case-insensitive).

        The API spells its names as documented nearly always: those are read directly, and
        the case-insensitive map is built only when a name is missing (100,000 attendee
        records a sync: bench/sync_speed.py)."""
        for name in names:
            value = self._data.get(name)
            if value is not None:
                return value
        if self._by_lower_name is None:
            self._by_lower_name = {str(key).lower(): value for key, value in self._data.items()}
        for name in names:
            value = self._by_lower_name.get(_lower(name))
            if value is not None:
                return value
        return None

    # The three readers below take the usual case (the documented name, the documented type)
    # in one dictionary look-up, and leave everything else to the general parsers.

    def text(self, *names: str) -> str:
        """Return a string field, ``""`` when absent."""
        value = self._data.get(names[0])
        if type(value) is str:
            return value
        return self._read(parse_text, names)

    def integer(self, *names: str) -> int | None:
        """Return an integer field (numbers sent as strings too), None when absent."""
        value = self._data.get(names[0])
        if type(value) is int:
            return value
        if type(value) is str and value.isascii() and value.isdigit():
            return int(value)  # "123456789": how several answers send their keys
        return self._read(parse_int, names)

    def required_integer(self, *names: str) -> int:
        """Return an integer field that must be there."""
        value = self.integer(*names)
        if value is None:
            raise ValueError(f"{self.kind}: the answer has no {names[0]}")
        return value

    def boolean(self, *names: str) -> bool | None:
        """Return a boolean field, None when absent."""
        return self._read(parse_bool, names)

    def date(self, *names: str) -> datetime | None:
        """Return a date field as an aware UTC datetime, None when absent or blank."""
        value = self._data.get(names[0])
        if type(value) is str and len(value) == 20 and value[10] == "T" and value[19] == "Z":
            try:
                return _utc_from_z(value)  # "2026-03-02T09:15:00Z"
            except ValueError:
                pass  # not a date after all: the general parser says what is wrong
        return self._read(parse_datetime, names)

    def integers(self, *names: str) -> tuple[int, ...]:
        """Return a list of integers (a JSON array or a comma-separated string)."""
        return tuple(
            number
            for number in (parse_int(item) for item in self._items(names))
            if number is not None
        )

    def texts(self, *names: str) -> tuple[str, ...]:
        """Return a list of strings (a JSON array or a comma-separated string)."""
        return tuple(
            text for text in (parse_text(item).strip() for item in self._items(names)) if text
        )

    def _items(self, names: tuple[str, ...]) -> Iterable[Any]:
        value = self.raw(*names)
        if value is None:
            return ()
        if isinstance(value, str):
            return value.split(",")
        if isinstance(value, list | tuple):
            return value
        return (value,)

    def _read(self, parse, names: tuple[str, ...]):
        value = self.raw(*names)
        try:
            return parse(value)
        except ValueError as error:
            raise ValueError(f"{self.kind}.{names[0]}: {error}") from None
