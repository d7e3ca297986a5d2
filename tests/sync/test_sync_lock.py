"""The lock per (area, key): one holder at a time; released or extended only by its owner;
a run a killed worker left "running" is closed by the next run that holds the lock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from sync.locks import SyncLock, default_lock_timeout, lock_is_held, lock_key
from sync.models import SyncOutcome, SyncRun
from sync.services import ABANDONED, organizers_sync


def test_second_holder_is_refused_while_the_first_holds_the_lock():
    first, second = SyncLock("history", "42"), SyncLock("history", "42")

    assert first.acquire()
    assert not second.acquire()
    assert SyncLock("history", "43").acquire(), "another key is another lock"
    assert lock_is_held("history", "42")
    first.release()
    assert second.acquire()


def test_a_lock_that_expired_and_was_taken_over_is_not_released_by_its_old_owner():
    old = SyncLock("organizers")
    assert old.acquire()
    cache.delete(lock_key("organizers"))  # the lock expired
    new = SyncLock("organizers")
    assert new.acquire()

    old.release()
    assert not old.extend()

    assert lock_is_held("organizers")
    assert cache.get(lock_key("organizers")) == new.token


@pytest.mark.django_db
def test_run_left_running_by_a_killed_worker_is_closed_by_the_next_run(
    sandbox, sync_settings, goto_client
):
    killed = SyncRun.objects.create(area="organizers")
    queued = SyncRun.objects.create(area="organizers")
    SyncRun.objects.filter(pk=killed.pk).update(
        started_at=timezone.now() - timedelta(seconds=default_lock_timeout() + 60)
    )

    organizers_sync(client=goto_client())

    killed.refresh_from_db()
    queued.refresh_from_db()
    assert (killed.outcome, killed.error) == (SyncOutcome.FAILED, ABANDONED)
    assert queued.outcome == SyncOutcome.RUNNING, "a recent one may still be waiting in the queue"
