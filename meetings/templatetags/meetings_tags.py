"""Small template helpers of the meetings pages.

The dashboard's heat map (168 cells) and history table (50 rows) are written here with
``format_html_join`` rather than by template loops: a cold dashboard rendered ~1,600 template
nodes for them, a quarter of its time at 1M rows (bench/).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

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


@register.simple_tag
def heatmap_table(grid: list[dict]) -> SafeString:
    """The busiest-hours table of :func:`meetings.selectors.busiest_hours`' grid."""
    head = format_html_join(
        "", '<th scope="col">{}</th>', ((cell["hour"],) for cell in grid[0]["cells"])
    )
    body = format_html_join(
        "\n",
        '<tr><th scope="row">{}</th>{}</tr>',
        (
            (
                row["day"],
                format_html_join(
                    "",
                    '<td class="heat-{}" title="{} {}:00 – {} meeting{}">{}</td>',
                    (
                        (
                            cell["level"],
                            row["day"],
                            cell["hour"],
                            cell["count"],
                            "" if cell["count"] == 1 else "s",
                            cell["count"] or "",
                        )
                        for cell in row["cells"]
                    ),
                ),
            )
            for row in grid
        ),
    )
    return format_html(
        '<table class="heatmap" data-testid="heatmap"><thead><tr><th></th>{}</tr></thead>'
        "<tbody>{}</tbody></table>",
        head,
        body,
    )
