"""Every URL of the organizers area, and the status each role gets on GET (Admins only)."""

from __future__ import annotations


def _organizer_kwargs():
    from tests.factories import OrganizerFactory

    return {"pk": OrganizerFactory().pk}


def _job_kwargs():
    from organizers.models import ImportJob

    return {"pk": ImportJob.objects.create(filename="people.csv").pk}


ADMIN_ONLY = {"anonymous": 302, "organizer": 403, "manager": 403, "admin": 200}

URL_ROLES = {
    "organizers:list": {**ADMIN_ONLY},
    "organizers:groups": {**ADMIN_ONLY},
    "organizers:invite": {**ADMIN_ONLY},
    "organizers:detail": {"kwargs": _organizer_kwargs, **ADMIN_ONLY},
    # The action URLs show their confirmation page on GET; the action itself is a POST.
    "organizers:recheck": {"kwargs": _organizer_kwargs, **ADMIN_ONLY},
    "organizers:suspend": {"kwargs": _organizer_kwargs, **ADMIN_ONLY},
    "organizers:reactivate": {"kwargs": _organizer_kwargs, **ADMIN_ONLY},
    "organizers:delete": {"kwargs": _organizer_kwargs, **ADMIN_ONLY},
    # Bulk actions are POST only; a GET goes back to the list.
    "organizers:bulk_action": {**ADMIN_ONLY, "admin": 302},
    "organizers:import": {**ADMIN_ONLY},
    "organizers:import_preview": {"kwargs": _job_kwargs, **ADMIN_ONLY},
    "organizers:import_progress": {"kwargs": _job_kwargs, **ADMIN_ONLY},
    "organizers:import_result": {"kwargs": _job_kwargs, **ADMIN_ONLY},
}
