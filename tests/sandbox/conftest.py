"""Fixtures for the sandbox's own tests: a sandbox subprocess over HTTP, nothing else.

These tests need no database and no Django code of the portal; they only use the
standard-library helpers of ``sandbox.testing``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.demo_account import DEMO_USERS
from sandbox.testing import SandboxHandle, running_sandbox


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[SandboxHandle]:
    """One small sandbox per test module, for tests that leave its data usable by the others."""
    with running_sandbox(size="small") as handle:
        yield handle


@pytest.fixture
def fresh_sandbox() -> Iterator[SandboxHandle]:
    """A sandbox of its own, for tests that delete data or switch faults on."""
    with running_sandbox(size="small") as handle:
        yield handle


@pytest.fixture(scope="module")
def tokens(shared_sandbox: SandboxHandle) -> dict[str, str]:
    """Access tokens of the three demo users on the module's sandbox."""
    admin, manager, organizer = (shared_sandbox.token_for(u.email) for u in DEMO_USERS)
    return {
        "admin": admin["access_token"],
        "manager": manager["access_token"],
        "organizer": organizer["access_token"],
    }
