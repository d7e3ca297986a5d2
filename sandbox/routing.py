"""A tiny router: ``"/organizers/{organizerKey}/meetings"`` style patterns, per method."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Callable[..., Any]
    regex: re.Pattern[str]


def route(method: str, pattern: str, handler: Callable[..., Any]) -> Route:
    """A route for ``method`` on ``pattern`` (``{name}`` matches one path segment)."""
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
    return Route(method, pattern, handler, re.compile(f"^{regex}/?$"))


class Router:
    """Finds the route of a request, or says which methods the path allows."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], list[str]]:
        """``(route, path params, allowed methods)``; route is ``None`` when nothing fits."""
        allowed: list[str] = []
        for candidate in self.routes:
            found = candidate.regex.match(path)
            if not found:
                continue
            if candidate.method == method:
                return candidate, found.groupdict(), []
            allowed.append(candidate.method)
        return None, {}, allowed
