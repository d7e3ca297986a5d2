"""Settings of the portal under benchmark: the portal's own, plus a trivial view beside its URLs.

Only the URL configuration differs (``bench.urls`` = ``portal.urls`` + ``bench/trivial/``), so
the pages run exactly as in production, through the same middleware and the same database.
"""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
