"""Settings of the portal under benchmark: the portal's own, plus a trivial view beside its URLs.

Only the URL configuration differs (``bench.urls`` = ``portal.urls`` + ``bench/trivial/``), so
the pages run exactly as in production, through the same middleware and the same database.
"""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# The reporting API's per-token rate limit, out of reach: the load runs measure the API's own
# cost (the limit's counter is still counted in the cache on every request).
API_RATE_LIMIT = "100000000/min"
