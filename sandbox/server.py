"""The HTTP layer: a ``ThreadingHTTPServer`` whose handler turns sockets into ``Request``
values for ``SandboxApp`` and writes its ``Response`` back (HTTP/1.1, keep-alive)."""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from sandbox.app import SandboxApp
from sandbox.http_types import Request


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        self.app = app
        super().__init__(address, SandboxRequestHandler)


class SandboxRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "GoToMeetingSandbox/1.0"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm holds the
    # body until the client's delayed ACK, ~40 ms per keep-alive request (found by bench/).
    disable_nagle_algorithm = True
    server: SandboxHTTPServer

    def _serve(self) -> None:
        split = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        request = Request(
            method=self.command,
            path=split.path or "/",
            query=query,
            headers=self.headers,
            body=body,
            client_host=self.client_address[0],
        )
        response = self.server.app.handle(request)
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)

    def __getattr__(self, name: str):
        """Every method, known or not (``do_TRACE``, ``do_BREW``…), goes to the app, which
        answers what it does not implement with the API's 405; without this,
        ``BaseHTTPRequestHandler`` would answer 501 with Python's HTML error page."""
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.app.settings.log_requests:
            sys.stderr.write(f"sandbox: {self.address_string()} {format % args}\n")


def make_server(app: SandboxApp) -> SandboxHTTPServer:
    """Bind the server (port 0: any free port; ``app.base_url`` is fixed up to the real one)."""
    server = SandboxHTTPServer((app.settings.host, app.settings.port), app)
    port = server.server_address[1]
    host = app.settings.host if app.settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"  # noqa: S104
    app.base_url = f"http://{host}:{port}"
    return server
