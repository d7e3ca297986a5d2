"""The per-token rate limit: ``settings.API_RATE_LIMIT`` requests per token, counted in the
default cache (Redis, shared by every web process); beyond it DRF answers 429 with
``Retry-After`` (seconds until a request would be allowed again)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class PerTokenThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_rate(self) -> str:
        # Read at each request (DRF's default reads its settings once, at import).
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view) -> str | None:
        token = getattr(request, "auth", None)
        if token is None:
            return None  # unauthenticated requests are refused before any work is done
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
