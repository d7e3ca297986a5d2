"""gunicorn settings for the portal's web processes: ``gunicorn portal.wsgi`` reads this file.

Everything comes from the environment (see docs/production.md):

PORT                 listen on 0.0.0.0:$PORT (default 8000)
WEB_CONCURRENCY      worker processes (default: 2 per CPU + 1, at most 8)
GUNICORN_THREADS     threads per worker (default 4; pages wait on PostgreSQL, not on the CPU)
GUNICORN_TIMEOUT     seconds before a stuck worker is killed and replaced (default 30)
FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-* headers are trusted (default 127.0.0.1; your
                     load balancer's addresses, or "*" when only the load balancer can connect)
LOG_JSON             JSON access and error logs, like the portal's own (default: production)
"""

from __future__ import annotations

import multiprocessing
import os


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Longer than the load balancer's idle timeout (60 s on most), so it never reuses a closed one.
keepalive = 75
# Recycle workers now and then, so a slow leak never grows for weeks.
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files in memory, not on a possibly slow container disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No control socket: its default path ($HOME/.gunicorn/gunicorn.ctl) is one per user, so a
# second gunicorn on the machine would take it over (gunicorn >= 25; older ones ignore this).
control_socket_disable = True
# Bound what a client may send in headers (Django bounds the body).
limit_request_line = 8190
limit_request_fields = 100

# --- Logs: to stdout/stderr, with the request id the portal echoes in X-Request-ID ------------
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s "%(a)s"'
if _env_bool("LOG_JSON", _env_bool("PORTAL_PRODUCTION", False)):
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "portal.logging.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            },
            "access_json": {
                "()": "portal.logging.GunicornAccessJsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            },
        },
        "handlers": {
            "error": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access_json",
                "stream": "ext://sys.stdout",
            },
        },
        # Until Django loads settings.LOGGING in each worker, other lines go here too.
        "root": {"handlers": ["error"], "level": "INFO"},
        "loggers": {
            "gunicorn.error": {
                "handlers": ["error"],
                "level": loglevel.upper(),
                "propagate": False,
            },
            "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }
