"""The one place roles are enforced: a mixin for class views, a decorator for function views.

Every portal view declares the roles that may use it. Anonymous users are sent to the login
page (by ``LoginRequiredMiddleware`` and here); a signed-in user without the role gets 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.models import Role

ADMIN = (Role.ADMIN,)
MANAGERS = (Role.ADMIN, Role.MANAGER)
EVERYONE = (Role.ADMIN, Role.MANAGER, Role.ORGANIZER)


def user_has_role(user, roles: Iterable[str]) -> bool:
    """True when a signed-in (or, for a digest or an API token, a stored) user who is active
    and has portal access holds one of ``roles``."""
    return bool(
        user.is_authenticated
        and getattr(user, "is_active", False)
        and getattr(user, "portal_access", False)
        and user.role in roles
    )


class RoleRequiredMixin(AccessMixin):
    """Allow the view only to users whose role is in ``allowed_roles``."""

    allowed_roles: tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not user_has_role(request.user, self.allowed_roles):
            raise PermissionDenied("Your role does not allow this page.")
        return super().dispatch(request, *args, **kwargs)


def role_required(*roles: str) -> Callable:
    """Decorator form of :class:`RoleRequiredMixin` for function views."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_role(request.user, roles):
                raise PermissionDenied("Your role does not allow this page.")
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator
