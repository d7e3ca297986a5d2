"""A method the sandbox does not implement, on any path, is answered as GoTo answers it: 405
with the API's JSON error body, and ``Allow`` naming the path's methods when the path exists —
not Python's default 501 HTML page."""

from __future__ import annotations

import pytest

ERROR_BODY_FIELDS = {"int_err_code", "msg"}


def _assert_method_not_allowed(result) -> None:
    assert result.status == 405, result.text
    assert result.headers["Content-Type"].startswith("application/json")
    body = result.json()
    assert set(body) == ERROR_BODY_FIELDS
    assert body["int_err_code"] == "MethodNotAllowed"


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS", "PROPFIND", "BREW"])
@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/G2M/rest/groups", "GET"),
        ("/G2M/rest/meetings/1", "DELETE, GET, PUT"),
        ("/oauth/token", "POST"),
        ("/", "GET"),
        ("/_sandbox/faults", "GET, POST"),
    ],
)
def test_unsupported_methods_on_known_paths_are_405_with_allow(
    shared_sandbox, tokens, method, path, allow
):
    result = shared_sandbox.request(method, path, token=tokens["admin"])
    _assert_method_not_allowed(result)
    assert result.headers["Allow"] == allow


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS", "BREW"])
@pytest.mark.parametrize("path", ["/G2M/rest/webinars", "/nowhere", "/oauth/nothing"])
def test_unsupported_methods_on_unknown_paths_are_405_too(shared_sandbox, method, path):
    result = shared_sandbox.request(method, path)
    _assert_method_not_allowed(result)


def test_head_is_not_implemented_and_says_so_without_a_body(shared_sandbox, tokens):
    result = shared_sandbox.request("HEAD", "/G2M/rest/groups", token=tokens["admin"])
    assert result.status == 405
    assert result.headers["Allow"] == "GET"
    assert result.body == b""
