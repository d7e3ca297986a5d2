"""Every URL of the accounts area, and the status each role gets on GET (Admins only)."""

from __future__ import annotations


def _user_kwargs():
    from tests.factories import UserFactory

    return {"pk": UserFactory().pk}


ADMIN_ONLY = {"anonymous": 302, "organizer": 403, "manager": 403, "admin": 200}

URL_ROLES = {
    "accounts:roles": {**ADMIN_ONLY},
    # GET shows one user's form; saving is a POST.
    "accounts:role_update": {"kwargs": _user_kwargs, **ADMIN_ONLY},
    "accounts:audit_log": {**ADMIN_ONLY},
    "accounts:service_connection": {**ADMIN_ONLY},
}
