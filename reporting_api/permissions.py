"""Role checks of the API views: the same rule as the portal's pages
(:func:`portal.permissions.user_has_role`), declared per view as ``allowed_roles``."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from portal.permissions import user_has_role


class HasApiRole(BasePermission):
    """Allow a request authenticated by a token whose owner holds one of the view's
    ``allowed_roles``; a view that declares none is closed to everyone (fails closed)."""

    message = "Your role does not allow this resource."

    def has_permission(self, request, view) -> bool:
        if request.user is None or request.auth is None:
            return False
        return user_has_role(request.user, getattr(view, "allowed_roles", ()))
