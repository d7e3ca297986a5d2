"""Fixtures of the operations tests."""

from __future__ import annotations

import io
import logging

import pytest


@pytest.fixture
def console_output():
    """What the portal's configured root handler ("console", settings.LOGGING) writes: the
    lines production ships, after its filters and formatter."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)
