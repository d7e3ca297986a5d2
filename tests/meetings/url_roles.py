"""Every URL of the meetings area, and the status each role gets on GET.

Meetings and held meetings are built for an organizer who is none of the test users, so
"only your own meetings" shows as 404 (others' meetings do not exist for you) and the
Admin, who may act on any organizer's meetings, gets 200.
"""

from __future__ import annotations


def _meeting_kwargs():
    from tests.factories import MeetingFactory

    return {"pk": MeetingFactory().pk}


def _instance_kwargs():
    from tests.factories import MeetingInstanceFactory

    return {"pk": MeetingInstanceFactory().pk}


def _organizer_kwargs():
    from tests.factories import OrganizerFactory

    return {"pk": OrganizerFactory().pk}


MANAGERS = {"anonymous": 302, "organizer": 403, "manager": 200, "admin": 200}
EVERYONE = {"anonymous": 302, "organizer": 200, "manager": 200, "admin": 200}
OWN_OR_ADMIN = {"anonymous": 302, "organizer": 404, "manager": 404, "admin": 200}

URL_ROLES = {
    "meetings:dashboard": {**MANAGERS},
    "meetings:attendees_report": {**MANAGERS},
    "meetings:organizer_options": {**MANAGERS},
    "meetings:live": {**MANAGERS},
    "meetings:live_fragment": {**MANAGERS},
    "meetings:my_meetings": {**EVERYONE},
    "meetings:create": {**EVERYONE},
    "meetings:organizer_meetings": {
        "kwargs": _organizer_kwargs,
        "anonymous": 302,
        "organizer": 403,
        "manager": 403,
        "admin": 200,
    },
    "meetings:detail": {"kwargs": _meeting_kwargs, **OWN_OR_ADMIN},
    "meetings:update": {"kwargs": _meeting_kwargs, **OWN_OR_ADMIN},
    # Delete and start show their confirmation page on GET; the action itself is a POST.
    "meetings:delete": {"kwargs": _meeting_kwargs, **OWN_OR_ADMIN},
    "meetings:start": {"kwargs": _meeting_kwargs, **OWN_OR_ADMIN},
    # Managers whose groups hold it and Admins; an Organizer only for their own held meetings,
    # so another organizer's answers 404, and so does any meeting to a Manager with no group.
    "meetings:instance_detail": {
        "kwargs": _instance_kwargs,
        "anonymous": 302,
        "organizer": 404,
        "manager_no_group": 404,
        "manager": 200,
        "admin": 200,
    },
}
