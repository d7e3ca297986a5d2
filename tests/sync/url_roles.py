"""Every URL of the sync area, and the status each role gets on GET (Admins only)."""

from __future__ import annotations


def _run_kwargs():
    from sync.models import SyncOutcome, SyncRun

    return {"pk": SyncRun.objects.create(area="organizers", outcome=SyncOutcome.SUCCESS).pk}


URL_ROLES = {
    "sync:status": {"anonymous": 302, "organizer": 403, "manager": 403, "admin": 200},
    # "Refresh now" is POST only: an Admin's GET gets 405, everyone else is refused first.
    "sync:refresh": {"anonymous": 302, "organizer": 403, "manager": 403, "admin": 405},
    "sync:run_fragment": {
        "kwargs": _run_kwargs,
        "anonymous": 302,
        "organizer": 403,
        "manager": 403,
        "admin": 200,
    },
}
