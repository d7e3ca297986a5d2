"""The sandbox application: owns the state and dispatches requests to the four areas
(API, OAuth, control, pages), applying faults, rate limits and auth to API calls."""

from __future__ import annotations

import ipaddress
import sys
import time
import traceback

from sandbox import (
    api_attendees,
    api_groups,
    api_meeting_lists,
    api_meetings,
    api_organizers,
    control,
    oauth,
    pages,
)
from sandbox.api_context import API_PREFIX, ApiCall, invalid_token, token_from_header
from sandbox.config import SandboxSettings
from sandbox.faults import ErrorPicker, Faults, RateLimiter
from sandbox.http_types import ApiError, Request, Response, html_response, json_response
from sandbox.persistence import StateFile
from sandbox.routing import Route, Router
from sandbox.stats import RequestStats
from sandbox.store import DATA_SECTIONS, Store
from sandbox.timeutil import floor_minute, iso
from sandbox.tokens import TokenStore

SECTIONS = (*DATA_SECTIONS, "auth")
ERROR_CODES = {
    400: "InvalidRequest",
    401: "Unauthorized",
    403: "InvalidToken",
    404: "NotFound",
    409: "Conflict",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
}
GATEWAY_PAGES = {
    502: "Bad Gateway",
    504: "Gateway Time-out",
}


def gateway_page(status: int) -> Response:
    """What a proxy in front of the API answers: HTML, not JSON."""
    title = f"{status} {GATEWAY_PAGES[status]}"
    html = (
        f"<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center>"
        "<hr><center>nginx</center></body></html>"
    )
    return html_response(status, html)


def injected_failure(status: int) -> Response:
    """The answer for a scripted or random failure with ``status``."""
    if status in GATEWAY_PAGES:
        return gateway_page(status)
    code = ERROR_CODES.get(status, "Error")
    messages = {
        403: "Invalid token passed",
        429: "Rate limit exceeded",
        503: "Service temporarily unavailable",
    }
    headers = {"Retry-After": "1"} if status in (429, 503) else {}
    return ApiError(
        status, code, messages.get(status, f"Injected failure {status}"), headers
    ).response()


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class SandboxApp:
    """Everything one sandbox process holds."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.token_ttl = settings.token_ttl
        self.base_url = f"http://127.0.0.1:{settings.port}"
        self.state_file = StateFile(settings.state_path)
        self.store, self.tokens = self._load_or_generate()
        now = self.now()
        self.store.settle_live(now)
        self.store.ensure_live(now)
        self.faults = Faults(
            rate_limit=settings.rate_limit,
            rate_limit_per_second=settings.rate_limit_per_second,
            error_rate=settings.error_rate,
            latency_ms=settings.latency_ms,
        )
        if settings.expire_tokens:
            self.set_faults({"expire_tokens": True})
        self.limiter = RateLimiter()
        self.errors = ErrorPicker(settings.seed)
        self.stats = RequestStats()
        self.api = Router(
            api_meetings.ROUTES
            + api_meeting_lists.ROUTES
            + api_organizers.ROUTES
            + api_groups.ROUTES
            + api_attendees.ROUTES
        )
        self.oauth = Router(oauth.ROUTES)
        self.control = Router(control.ROUTES)
        self.pages = Router(pages.ROUTES)
        self.methods = frozenset(
            route.method
            for router in (self.api, self.oauth, self.control, self.pages)
            for route in router.routes
        )
        self.persist(force=True)

    # -- state ---------------------------------------------------------------------------------
    def now(self) -> float:
        return time.time()

    def _anchor(self) -> int:
        return (
            self.settings.anchor if self.settings.anchor is not None else floor_minute(self.now())
        )

    def _load_or_generate(self) -> tuple[Store, TokenStore]:
        s = self.settings
        saved = None if s.reset else self.state_file.load()
        if Store.is_compatible(saved):
            assert saved is not None
            meta = saved["meta"]
            same = meta.get("seed") == s.seed and meta.get("size") == s.size
            if same and (s.anchor is None or meta.get("anchor") == iso(s.anchor)):
                return Store(saved), TokenStore(saved.get("auth"))
            print(
                "sandbox: state file is for another seed/size/anchor; regenerating", file=sys.stderr
            )
        return Store.generated(s.seed, s.size, self._anchor()), TokenStore()

    def persist(self, *, force: bool = False) -> None:
        """Write the state file if anything changed (call with the store lock held)."""
        dirty = set(self.store.dirty)
        if self.tokens.dirty:
            dirty.add("auth")
        if not dirty and not force:
            return
        self.tokens.prune(self.now())

        def value_of(name: str) -> object:
            return self.tokens.section() if name == "auth" else self.store.section(name)

        self.state_file.save(SECTIONS, dirty, value_of)
        self.store.dirty.clear()
        self.tokens.dirty = False

    def set_faults(self, changes: dict) -> None:
        with self.store.lock:
            if "expire_tokens" in changes:
                if changes["expire_tokens"]:
                    self.tokens.expire_existing()
                else:
                    self.tokens.unexpire()
            for name, value in changes.items():
                setattr(self.faults, name, value)
            if "rate_limit" in changes or "rate_limit_per_second" in changes:
                self.limiter.clear()

    def reset_data(self) -> None:
        with self.store.lock:
            self.store.reset(self._anchor())
            self.store.ensure_live(self.now())

    # -- dispatch ------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        """Answer one request (never raises)."""
        try:
            if request.path.startswith("/_sandbox/"):
                return self._local(request, self.control)
            if request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/"):
                return self._api(request)
            router = self.oauth if request.path.startswith("/oauth/") else self.pages
            return self._recorded(request, router)
        except Exception:  # a bug must not kill the connection silently
            traceback.print_exc()
            return ApiError(500, "InternalError", "Sandbox error (see its stderr)").response()

    def _local(self, request: Request, router: Router) -> Response:
        if not is_loopback(request.client_host):
            return json_response(403, {"error": "the control API answers loopback clients only"})
        found, params, allowed = router.match(request.method, request.path)
        if found is None:
            return self._no_route(request.method, allowed, api=False)
        request.params = params
        with self.store.lock:
            self.store.settle_live(self.now())
            response = found.handler(self, request)
            self.persist()
        return response

    def _recorded(self, request: Request, router: Router) -> Response:
        found, params, allowed = router.match(request.method, request.path)
        label = f"{request.method} {found.pattern if found else request.path}"
        if found is None:
            response = self._no_route(request.method, allowed, api=False)
        else:
            request.params = params
            with self.store.lock:
                self.store.settle_live(self.now())
                response = found.handler(self, request)
                self.persist()
        self.stats.record(label, response.status, api=False)
        return response

    def _no_route(self, method: str, allowed: list[str], *, api: bool) -> Response:
        """405 for a method the path does not take, or that the sandbox implements nowhere
        (TRACE, OPTIONS, HEAD…, on any path, as GoTo's gateway does), else 404.

        ``Allow`` names the path's methods; an unknown path has none to name, so it has none.
        """
        if allowed or method not in self.methods:
            headers = {"Allow": ", ".join(sorted(set(allowed)))} if allowed else {}
            return ApiError(
                405, "MethodNotAllowed", "Method not allowed on this resource", headers
            ).response()
        if api:
            return ApiError(404, "NotFound", "Unknown resource").response()
        return html_response(404, "<h1>Not found</h1>")

    def _api(self, request: Request) -> Response:
        found, params, allowed = self.api.match(request.method, request.path)
        label = f"{request.method} {found.pattern if found else API_PREFIX + '/<unknown>'}"
        begun = self.stats.begin()
        response = self._api_answer(request, found, params, allowed)
        self.stats.record(label, response.status, api=True, begun=begun)
        return response

    def _api_answer(
        self, request: Request, found: Route | None, params: dict, allowed: list[str]
    ) -> Response:
        faults = self.faults
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        with self.store.lock:
            scripted = faults.fail_next.pop(0) if faults.fail_next else None
        if scripted is not None:
            return injected_failure(scripted)
        random_failure = self.errors.pick(faults.error_rate)
        if random_failure is not None:
            return injected_failure(random_failure)
        token = token_from_header(request.header("Authorization"))
        if faults.rate_limit:
            key = f"token:{token}" if token else f"anonymous:{request.client_host}"
            wait = self.limiter.admit(key, faults.rate_limit_per_second, self.now())
            if wait is not None:
                return ApiError(
                    429,
                    "TooManyRequests",
                    f"Rate limit exceeded: {faults.rate_limit_per_second} requests per second",
                    {"Retry-After": str(wait)},
                ).response()
        if found is None:
            return self._no_route(request.method, allowed, api=True)
        request.params = params
        with self.store.lock:
            now = self.now()
            self.store.settle_live(now)
            try:
                caller = self._caller(token, now)
                call = ApiCall(request, self.store, caller, now, self.base_url)
                response = found.handler(call)
            except ApiError as error:
                response = error.response()
            self.persist()
        return response

    def _caller(self, token: str | None, now: float) -> dict:
        key = self.tokens.organizer_of_access(token, now) if token else None
        organizer = self.store.org_by_key.get(key) if key else None
        if organizer is None or organizer["status"] != "active":
            raise invalid_token()
        return organizer
