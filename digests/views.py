"""The profile page (everyone), its digest form and preview (Managers and Admins), and the
signed unsubscribe link of every digest (no sign-in: the signature is the proof).

The unsubscribe link answers GET with a confirmation page and unsubscribes on POST only:
mail scanners and link previewers follow GET links, and must not unsubscribe anyone. Its POST
is exempt from CSRF because it authenticates by the signed token, not by a cookie, and RFC
8058 one-click unsubscribe (``List-Unsubscribe-Post``) comes from the mail provider, which has
no CSRF token.
"""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from meetings.forms import request_timezone
from portal.permissions import EVERYONE, MANAGERS, role_required, user_has_role

from . import selectors, services
from .forms import DigestForm
from .models import Frequency
from .periods import period_before
from .tokens import subscription_from_token


def _profile_context(request: HttpRequest, form: DigestForm | None) -> dict:
    user = request.user
    subscription = selectors.subscription_of(user)
    can_subscribe = user_has_role(user, MANAGERS)
    if can_subscribe and form is None:
        form = DigestForm.for_subscription(
            subscription if subscription and subscription.active else None,
            user=user,
            default_timezone=str(request_timezone(request)),
        )
    return {
        "can_subscribe": can_subscribe,
        "subscription": subscription if subscription and subscription.active else None,
        "form": form,
    }


@role_required(*EVERYONE)
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "digests/profile.html", _profile_context(request, None))
    if not user_has_role(request.user, MANAGERS):
        raise PermissionDenied("Digests are for Managers and Admins.")
    if request.POST.get("action") == "unsubscribe":
        subscription = selectors.subscription_of(request.user)
        if subscription is not None and services.digest_unsubscribe(
            subscription=subscription, via="profile page"
        ):
            messages.success(request, "You are unsubscribed: no more digests will be sent.")
        else:
            messages.info(request, "You had no digest subscription.")
        return redirect("accounts:profile")
    form = DigestForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "digests/profile.html", _profile_context(request, form), status=400)
    subscription = services.digest_subscribe(
        user=request.user,
        frequency=form.cleaned_data["frequency"],
        timezone_name=form.cleaned_data["timezone"],
        group=form.cleaned_data["group"],
    )
    messages.success(request, f"Subscribed to the {subscription.frequency} digest.")
    return redirect("accounts:profile")


@role_required(*MANAGERS)
@require_GET
@csp_update({"style-src": [UNSAFE_INLINE]})  # the e-mail's inlined styles, nothing else
def preview(request: HttpRequest) -> HttpResponse:
    """The digest of the last whole period as the e-mail shows it (chart as a data: URI), for
    the form's choices when given, else the saved subscription's."""
    subscription = selectors.subscription_of(request.user)
    if request.GET.get("frequency"):
        data = request.GET
    elif subscription is not None:
        data = {
            "frequency": subscription.frequency,
            "timezone": subscription.timezone,
            "group": subscription.group_id or "",
        }
    else:
        data = {"frequency": Frequency.WEEKLY, "timezone": str(request_timezone(request))}
    form = DigestForm(data, user=request.user)
    if not form.is_valid():
        return render(request, "digests/profile.html", _profile_context(request, form), status=400)
    tz = form.zone()
    frequency = form.cleaned_data["frequency"]
    period = period_before(frequency, timezone.localdate(timezone=tz))
    rendered = services.digest_render_for(
        user=request.user, period=period, tz=tz, group=form.cleaned_data["group"], for_email=False
    )
    return HttpResponse(rendered.html)


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription = subscription_from_token(token)
    if subscription is None:
        return render(request, "digests/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.digest_unsubscribe(subscription=subscription, via="e-mail link")
        return render(request, "digests/unsubscribe.html", {"done": True, "s": subscription})
    return render(request, "digests/unsubscribe.html", {"s": subscription})
