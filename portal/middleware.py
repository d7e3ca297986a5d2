"""A request id for every request: taken from ``X-Request-ID`` when well-formed, else new.

It is set for the whole request (log lines, audit entries, the Celery tasks the request
enqueues) and echoed in the response's ``X-Request-ID`` header. Put it first in MIDDLEWARE so
everything after it logs with the id.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from .request_context import new_request_id, set_request_id

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy or load balancer sends (UUIDs, hex, Heroku/nginx ids), and nothing that could
# forge a log line or overflow AuditEntry.request_id (64 characters).
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")


def request_id_from(value: str | None) -> str:
    """The incoming id when it is well-formed, else a new one."""
    if value and WELL_FORMED.fullmatch(value):
        return value
    return new_request_id()


class RequestIdMiddleware:
    """Set the request id for the request's duration and echo it in the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        # Kept until the response is closed (see _forget_request_id), so Django's own log of
        # a 4xx/5xx answer and the rows a streamed CSV export logs carry the id too.
        set_request_id(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="portal.middleware.forget_request_id")
def _forget_request_id(**kwargs) -> None:
    """The response is closed: the thread's next log lines belong to no request."""
    set_request_id(None)
