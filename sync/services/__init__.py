"""The sync: idempotent upserts of the local cache from the GoToMeeting API.

Each service here takes the API client as an argument, runs under a lock per (area, key) so
two runs never overlap, records itself in a :class:`~sync.models.SyncRun` (counts, API calls,
outcome, error, progress) and writes in small transactions: a failure keeps what earlier
windows (or meeting instances) wrote and leaves everything else as it was.

Rows are upserted by the API's keys (``bulk_create(update_conflicts=True, ...)``), so a re-run
creates nothing; a row counts as *updated* only when one of its values changed (``synced_at``,
"last confirmed by GoTo", is refreshed on every row seen but is not a change). History is
never deleted: an organizer gone from GoTo gets ``deleted_at``, an upcoming meeting gone from
GoTo gets ``removed_at``.

One module per job, so each can be read (and changed) alone:

=================  ==========================================================================
``runs``           run bookkeeping: the lock and SyncRun of a run (``_Recorder``), errors
``rows``           the generic upsert and the conversions of API values
``groups``         group-scoped calls or one call per organizer (groups over 50)
``organizers``     :func:`organizers_sync`
``history``        :func:`history_sync`, :func:`group_history_sync`, the history cursor
``attendees``      :func:`attendees_sync`, and the per-window attendees the history shares
``scheduled``      :func:`scheduled_sync`, and the upcoming meetings the live pass shares
``live``           :func:`live_sync`
``triggering``     :func:`sync_trigger`: "Refresh now" from the portal
=================  ==========================================================================

This package re-exports the public names, so ``from sync import services`` and
``from sync.services import history_sync`` keep working. Tasks (``sync/tasks.py``) import the
modules themselves; other apps never import the services (they read ``sync.selectors``).
"""

from __future__ import annotations

from gotomeeting.errors import ApiError  # the error a failed service raises, as before

from .attendees import attendees_sync
from .groups import GROUP_SCOPED_MAX_ORGANIZERS
from .history import group_history_sync, history_cursor, history_sync, history_windows
from .live import LIVE_LOCK_SECONDS, live_sync
from .organizers import organizers_sync
from .runs import ABANDONED, Progress, SyncUnavailable
from .scheduled import JOIN_URL, scheduled_sync
from .triggering import BROKER_CHECK_SECONDS, TriggerResult, interactive_queue, sync_trigger

__all__ = [
    "ABANDONED",
    "ApiError",
    "BROKER_CHECK_SECONDS",
    "GROUP_SCOPED_MAX_ORGANIZERS",
    "JOIN_URL",
    "LIVE_LOCK_SECONDS",
    "Progress",
    "SyncUnavailable",
    "TriggerResult",
    "attendees_sync",
    "group_history_sync",
    "history_cursor",
    "history_sync",
    "history_windows",
    "interactive_queue",
    "live_sync",
    "organizers_sync",
    "scheduled_sync",
    "sync_trigger",
]
