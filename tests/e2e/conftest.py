"""Chromium for the browser tests: Debian's package, driven by Playwright."""

from __future__ import annotations

import pytest

from tests.e2e.browser import CHROMIUM_ARGS
from tests.services import chromium_path


@pytest.fixture
def chromium(monkeypatch):
    """A headless Chromium; ``chromium.new_context(...)`` for each test's own settings."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path() or "/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
