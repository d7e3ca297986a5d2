"""Settings for the test suite: the portal's own, with the test run kept apart.

- The broker's keys get a prefix of this run, so a developer's running demo worker never takes
  the tests' tasks, and no test sees a worker it did not start.
- Without Redis (a new user's machine), the cache and broker are in-process; tests that need
  the real ones are marked ``redis`` and reported as not run (an error under CI=true).
"""

import os
import uuid

from portal.settings import *  # noqa: F403
from portal.settings import CELERY_BROKER_TRANSPORT_OPTIONS
from tests.services import redis_available

os.environ.setdefault("PORTAL_TEST_RUN", uuid.uuid4().hex[:10])
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "global_keyprefix": f"test-{os.environ['PORTAL_TEST_RUN']}:",
    **CELERY_BROKER_TRANSPORT_OPTIONS,
}

if not redis_available():
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"

# The API budget: this run's own keys; and the sandbox the tests start has no rate limit, so
# the portal's budget does not slow them down either (tests of the budget set their own).
GOTO_API_BUDGET_KEY_PREFIX = f"test-{os.environ['PORTAL_TEST_RUN']}:goto-budget"
GOTO_API_CALLS_PER_SECOND = 10_000
