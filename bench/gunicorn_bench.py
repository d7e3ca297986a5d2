"""gunicorn settings for the benchmark: the portal's own ``gunicorn.conf.py`` (workers, threads,
timeouts as in production), bound to loopback, without the access log (one line per request
would measure the log), and without worker recycling (a restart mid-measurement is a cold
start we measure on purpose, not at random)."""

import os
import runpy
from pathlib import Path

_production = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
globals().update(
    {
        k: v
        for k, v in _production.items()
        if not k.startswith("_") and k not in {"os", "multiprocessing"}
    }
)

bind = f"127.0.0.1:{os.environ['BENCH_PORT']}"
accesslog = None
errorlog = os.environ.get("BENCH_ERROR_LOG", "-")
loglevel = "warning"
max_requests = 0
max_requests_jitter = 0
