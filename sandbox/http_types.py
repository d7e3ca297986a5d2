"""Plain request/response values passed between the HTTP handler and the route handlers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs


@dataclass
class Request:
    """One incoming request, already read off the socket."""

    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes
    client_host: str
    params: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        return self.headers.get(name) or ""

    def json_body(self) -> object:
        """The body parsed as JSON; ``ApiError`` 400 when it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, ValueError) as exc:
            raise ApiError(400, "InvalidRequest", "The request body is not valid JSON") from exc

    def form(self) -> dict[str, str]:
        """The body parsed as ``application/x-www-form-urlencoded`` (first value per name)."""
        text = self.body.decode("utf-8", "replace")
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


@dataclass
class Response:
    """What to send back."""

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """An API failure answered as ``{"int_err_code": code, "msg": msg}`` with ``status``."""

    def __init__(
        self, status: int, code: str, msg: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {msg}")
        self.status = status
        self.code = code
        self.msg = msg
        self.headers = headers or {}

    def response(self) -> Response:
        response = json_response(self.status, {"int_err_code": self.code, "msg": self.msg})
        response.headers.update(self.headers)
        return response


def json_response(status: int, value: object, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return Response(status, body, "application/json; charset=utf-8", dict(headers or {}))


def empty_response(status: int = 204) -> Response:
    return Response(status)


def html_response(status: int, html: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status, html.encode("utf-8"), "text/html; charset=utf-8", dict(headers or {}))


def redirect_response(location: str) -> Response:
    return Response(302, b"", None, {"Location": location})
