"""HTTPS everywhere, except plain HTTP to this machine (the local sandbox)."""

from __future__ import annotations

import ipaddress
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

_INSECURE_TRANSPORT_VARIABLE = "OAUTHLIB_INSECURE_TRANSPORT"
_variable_lock = threading.Lock()
_insecure_users = 0
_variable_before: str | None = None


def is_loopback_host(host: str | None) -> bool:
    """Say whether ``host`` is this machine: localhost, 127.0.0.0/8 or ::1."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_secure_url(url: str, what: str = "URL") -> str:
    """Return ``url`` if it is HTTPS, or plain HTTP to a loopback host; else ValueError."""
    parts = urlsplit(url or "")
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and is_loopback_host(parts.hostname):
        return url
    if parts.scheme == "http":
        raise ValueError(
            f"{what} {url!r} uses plain HTTP to a host other than this machine: "
            "use https:// (plain http is only allowed for 127.0.0.1, localhost or ::1)"
        )
    raise ValueError(f"{what} {url!r} is not an http(s) URL")


@contextmanager
def insecure_transport_allowed_for(url: str) -> Iterator[None]:
    """Let oauthlib send to ``url`` over plain HTTP during the block, if it is loopback.

    oauthlib refuses plain HTTP unless OAUTHLIB_INSECURE_TRANSPORT is set in the process
    environment. The variable is set only while requests to loopback URLs are under way
    (counted, so overlapping requests in threads keep it set) and restored afterwards; every
    URL is checked first, so a non-loopback plain-HTTP URL never gets this far.
    """
    require_secure_url(url)
    if urlsplit(url).scheme == "https":
        yield
        return
    _start_insecure_use()
    try:
        yield
    finally:
        _end_insecure_use()


def _start_insecure_use() -> None:
    global _insecure_users, _variable_before
    with _variable_lock:
        if _insecure_users == 0:
            _variable_before = os.environ.get(_INSECURE_TRANSPORT_VARIABLE)
            os.environ[_INSECURE_TRANSPORT_VARIABLE] = "1"
        _insecure_users += 1


def _end_insecure_use() -> None:
    global _insecure_users
    with _variable_lock:
        _insecure_users -= 1
        if _insecure_users == 0:
            if _variable_before is None:
                os.environ.pop(_INSECURE_TRANSPORT_VARIABLE, None)
            else:
                os.environ[_INSECURE_TRANSPORT_VARIABLE] = _variable_before
