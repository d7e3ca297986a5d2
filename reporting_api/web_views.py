"""The page where a signed-in user lists, creates and revokes their personal access tokens
(``/portal/profile/tokens/``); Admins also see every user's active tokens there and may revoke
any of them. A new token's secret is shown once, in the answer to the POST that created it
(never stored, never put in the session or a redirect), with ``Cache-Control: no-store``.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.permissions import EVERYONE, role_required

from . import selectors, services
from .forms import ApiTokenCreateForm


def _page(request: HttpRequest, form: ApiTokenCreateForm, **extra) -> HttpResponse:
    user = request.user
    context = {
        "form": form,
        "tokens": selectors.tokens_of(user),
        "everyone": selectors.tokens_of_everyone() if user.is_portal_admin else None,
        "api_root": request.build_absolute_uri(reverse("api:meeting_instances")),
        "schema_url": request.build_absolute_uri(reverse("api:schema")),
        **extra,
    }
    return render(request, "reporting_api/tokens.html", context)


@role_required(*EVERYONE)
@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, ApiTokenCreateForm())
    form = ApiTokenCreateForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    sent_key = f"api-token-form:{request.user.pk}:{form.cleaned_data['once']}"
    # Claimed before the token is made (cache.add is atomic): a double click sends the form
    # twice at the same moment, and only one of the two may create a token.
    if not cache.add(sent_key, "claimed", timeout=24 * 3600):
        messages.info(
            request,
            "This form was already sent, and its token created (it is in the list below; its "
            "secret was shown once). Nothing more was created.",
        )
        return redirect("api_tokens")
    expires_at = timezone.now() + timedelta(days=form.cleaned_data["expires_in_days"])
    try:
        token, secret = services.api_token_create(
            owner=request.user,
            name=form.cleaned_data["name"],
            expires_at=expires_at,
            acting_user=request.user,
        )
    except services.TokenError as exc:
        cache.delete(sent_key)  # nothing was made: the same form may be sent again
        form.add_error(None, str(exc))
        return _page(request, form)
    return _page(request, ApiTokenCreateForm(), created=token, secret=secret)


@role_required(*EVERYONE)
@require_http_methods(["GET", "POST"])
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_for_revoking(user=request.user, pk=pk)
    if token is None:
        raise Http404("No such token.")
    if request.method == "GET":
        return render(request, "reporting_api/token_revoke.html", {"token": token})
    try:
        services.api_token_revoke(token=token, acting_user=request.user)
    except services.TokenError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, f"Token “{token.name}” revoked: it no longer opens the API.")
    return redirect("api_tokens")
