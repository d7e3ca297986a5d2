"""URLs of /health/ and /health/detail/ (portal/health.py) for tests/test_permission_matrix.py.

/health/ needs no login and answers every role the same status code (the parts only to Admins,
see tests/ops/test_health_endpoint.py). No Celery worker consumes the test
broker's "interactive" and "sync" queues during the test run, so the worker part is down and
the answer is 503 (with a worker running on the default broker and queues it would be 200).
"""

URL_ROLES = {
    "health:status": {"anonymous": 503, "organizer": 503, "manager": 503, "admin": 503},
    # The Admin's detail page is a page, not a probe: 200 whatever the health.
    "health:detail": {"anonymous": 302, "organizer": 403, "manager": 403, "admin": 200},
}
