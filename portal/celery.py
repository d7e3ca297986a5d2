"""The Celery app: broker and result backend on Redis, tasks found in every app."""

import os

from celery import Celery
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

from .request_context import current_request_id, reset_request_id, set_request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="portal.ping")
def ping(value: str = "pong") -> str:
    """Round trip used by the health check and the broker test."""
    return value


# --- Request id: from the request that enqueues a task into the worker that runs it ----------
# The web request's id travels in a message header; the worker restores it around the task, so
# the task's log lines and audit entries carry the id of the click that caused them.

REQUEST_ID_HEADER = "request_id"
_restore_tokens: dict[str, object] = {}


@before_task_publish.connect
def _add_request_id_header(headers: dict | None = None, **kwargs) -> None:
    request_id = current_request_id()
    if request_id and headers is not None and not headers.get(REQUEST_ID_HEADER):
        headers[REQUEST_ID_HEADER] = request_id


@task_prerun.connect
def _restore_request_id(task_id: str | None = None, task=None, **kwargs) -> None:
    request = getattr(task, "request", None)
    request_id = getattr(request, REQUEST_ID_HEADER, None) or (
        (getattr(request, "headers", None) or {}).get(REQUEST_ID_HEADER)
    )
    if request_id and task_id:
        _restore_tokens[task_id] = set_request_id(str(request_id))


@task_postrun.connect
def _forget_request_id(task_id: str | None = None, **kwargs) -> None:
    token = _restore_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        reset_request_id(token)


@setup_logging.connect
def _keep_django_logging(**kwargs) -> None:
    """Leave logging to Django's settings.LOGGING (request id, redaction, JSON).

    A receiver of this signal stops Celery from replacing the root handlers with its own;
    django.setup() (run by Celery's Django fix-up in every worker) has configured them.
    The level comes from LOG_LEVEL, not from the worker's --loglevel.
    """
