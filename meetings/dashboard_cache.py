"""The history dashboard's body (figures, charts, heat map, table), rendered once and shared.

At a year of a large account the aggregates take about a second (bench/). The whole page is
kept per user by :mod:`portal.page_cache`; the body, which holds no CSRF token and nothing
of the user but their scope, is kept apart for every user of the same scope, so after a sync
only the first of an account's managers waits for it. The cached HTML is keyed by
:func:`meetings.selectors.dashboard_cache_key` (the scope, the filters, the page, the
instances' version) and the query string its links are built from, so a newly synced meeting
or attendee list shows at once; :data:`BODY_CACHE_SECONDS` bounds what the version does not
see (an organizer renamed by the organizers sync, "synced 4 min ago"). Without a cache (Redis
down) the body is rendered on every request.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from . import selectors
from .selectors import Cursor, HistoryDashboard, HistoryFilter
from .tables import DashboardMeetingsTable

logger = logging.getLogger(__name__)

BODY_CACHE_SECONDS = 60
BODY_TEMPLATE = "meetings/_dashboard_body.html"


@dataclass(frozen=True)
class DashboardBody:
    html: SafeString
    board: HistoryDashboard | None  # None when the HTML came from the cache


def _key(request: HttpRequest, *, filters: HistoryFilter, cursor: Cursor | None, version) -> str:
    query = "&".join(
        f"{name}={value}" for name, values in sorted(request.GET.lists()) for value in values
    )
    data_key = selectors.dashboard_cache_key(
        user=request.user, filters=filters, cursor=cursor, version=version
    )
    return f"{data_key}:{hashlib.sha256(query.encode()).hexdigest()[:32]}"


def dashboard_body(
    request: HttpRequest, *, filters: HistoryFilter, cursor: Cursor | None, version: dict
) -> DashboardBody:
    """The rendered body for ``request.user`` and these filters: from the cache when the data
    has not changed since it was rendered (``version``: :func:`selectors.instances_version`),
    else computed, rendered and kept."""
    key = _key(request, filters=filters, cursor=cursor, version=version)
    try:
        html = cache.get(key)
    except Exception:  # the cache (Redis) is down: render the page instead
        logger.warning("Dashboard cache unreachable", exc_info=True)
        html = None
    if html is not None:
        # The cache holds a plain str: the SafeString our own render_to_string gave, from the
        # template engine (which escaped every value), is marked safe again as it was.
        return DashboardBody(html=SafeString(html), board=None)
    board = selectors.history_dashboard(
        user=request.user,
        filters=filters,
        cursor=cursor,
        oldest=version["oldest"],
        table_fields=DashboardMeetingsTable.reads,
    )
    table = DashboardMeetingsTable()
    html = render_to_string(
        BODY_TEMPLATE,
        {
            "board": board,
            "filters": filters,
            "meetings_table": table,
            "meetings_rows": table.rows_html(board.page.rows),
        },
        request=request,
    )
    try:
        cache.set(key, html, BODY_CACHE_SECONDS)
    except Exception:
        logger.warning("Dashboard cache unreachable", exc_info=True)
    return DashboardBody(html=html, board=board)
