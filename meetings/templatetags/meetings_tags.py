"""Small template helpers of the meetings pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def minutes(value) -> str:
    """``95`` → ``1 h 35 min``."""
    try:
        total = int(value or 0)
    except (TypeError, ValueError):
        return ""
    hours, mins = divmod(total, 60)
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"
