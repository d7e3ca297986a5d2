"""Whole pages kept in the cache while the data they show has not changed.

A busy read page (the history dashboard, the organizers list, a meeting's attendees) is
rendered once per user, address and *data version*, then served from the cache (Redis) until
one of them changes or :data:`PAGE_CACHE_SECONDS` pass (the bound on what no version sees, such
as "synced 4 min ago"). The view declares its version, a cheap read of what the page shows
(``organizers.selectors.organizers_list_version``, ``meetings.selectors.instances_version``,
``instance_version``): a sync or an admin action that changes a row changes the version, so
the next request renders afresh.

What is never served from the cache:
- anything but a GET (an htmx GET is cached apart from a plain one), and a request with a
  message waiting to be shown (the page after an action must show it, and must not lose it);
- a response that is not a 200 HTML page, or one the view set a cookie on.

The CSRF token differs per response (Django masks it anew each time, against BREACH): the page
is rendered with a placeholder (see :func:`portal.context_processors.portal`) and every
response, fresh or cached, gets its own token. Without a cache (Redis down) pages are rendered
on every request, as before.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Hashable
from functools import wraps

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

logger = logging.getLogger(__name__)

PAGE_CACHE_SECONDS = 60
CSRF_PLACEHOLDER = "portal-csrf-placeholder-5b1f0c"
PLACEHOLDER_FLAG = "portal_csrf_placeholder"
HIT_HEADER = "X-Page-Cache"

VersionFunction = Callable[..., Hashable]


def cached_page(version: VersionFunction, *, seconds: int = PAGE_CACHE_SECONDS) -> Callable:
    """Decorate a view (after its role check) so its GET pages are served from the cache.

    ``version(request, *args, **kwargs)`` returns what the page depends on besides the user and
    the address: a data version, the user's time zone, the scope of a Manager.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            setattr(request, PLACEHOLDER_FLAG, True)
            key = page_key(request, version(request, *args, **kwargs))
            html = _cache_get(key)
            if html is not None:
                response = HttpResponse(_with_token(html, request))
                response[HIT_HEADER] = "hit"
                return response
            try:
                response = view(request, *args, **kwargs)
            except Exception:
                # Django renders the error page (404, 403) with this request: a real token.
                setattr(request, PLACEHOLDER_FLAG, False)
                raise
            if response.streaming or not _is_html(response):
                return response
            content = response.content.decode(response.charset)
            if response.status_code == 200 and not response.cookies:
                _cache_set(key, content, seconds)
                response[HIT_HEADER] = "miss"
            if CSRF_PLACEHOLDER in content:
                response.content = _with_token(content, request)
            return response

        return wrapped

    return decorator


def page_key(request: HttpRequest, version: Hashable) -> str:
    """The cache key of ``request``'s page: the user (their name and role show on every page),
    the path and query string, whether htmx asked for it, and the page's own version."""
    user = request.user
    query = "&".join(
        f"{name}={value}" for name, values in sorted(request.GET.lists()) for value in values
    )
    htmx = (request.headers.get("HX-Request", ""), request.headers.get("HX-Target", ""))
    parts = (user.pk, user.role, user.email, request.path, query, htmx, repr(version))
    return "page:" + hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method != "GET" or not request.user.is_authenticated:
        return False
    return len(get_messages(request)) == 0


def _is_html(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def _with_token(html: str, request: HttpRequest) -> str:
    return html.replace(CSRF_PLACEHOLDER, get_token(request))


def _cache_get(key: str) -> str | None:
    try:
        return cache.get(key)
    except Exception:  # the cache (Redis) is down: render the page instead
        logger.warning("Page cache unreachable", exc_info=True)
        return None


def _cache_set(key: str, html: str, seconds: int) -> None:
    try:
        cache.set(key, html, seconds)
    except Exception:
        logger.warning("Page cache unreachable", exc_info=True)
