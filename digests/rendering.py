"""A digest as HTML (styles inlined with ``css-inline``, so clients that drop ``<style>``
still show it), as plain text, and its chart as a PNG.

The HTML names the chart ``cid:digest-chart`` in the e-mail (the image is a related MIME part,
:mod:`digests.services`) and a ``data:`` URI in the browser preview; nothing else differs.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import css_inline
from django.template.loader import render_to_string
from django.utils import timezone

from .chart import meetings_chart_png
from .selectors import DigestContent

CHART_CID = "digest-chart"


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    html: str
    text: str
    chart_png: bytes
    unsubscribe_url: str | None  # the same link in the body and the List-Unsubscribe header


def render_digest(
    content: DigestContent, *, unsubscribe_url: str | None, for_email: bool
) -> RenderedDigest:
    png = meetings_chart_png(
        content.per_day,
        content.previous_per_day,
        title=f"Meetings per day, {content.period.label}",
    )
    chart_src = (
        f"cid:{CHART_CID}"
        if for_email
        else "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    )
    subject = f"Meetings digest: {content.period.label} ({content.scope_label})"
    context = {
        "c": content,
        "subject": subject,
        "chart_src": chart_src,
        "unsubscribe_url": unsubscribe_url,
    }
    with timezone.override(content.tz):  # dates as the subscriber reads them, not the worker
        html = css_inline.inline(render_to_string("digests/email.html", context))
        text = render_to_string("digests/email.txt", context)
    return RenderedDigest(
        subject=subject, html=html, text=text, chart_png=png, unsubscribe_url=unsubscribe_url
    )
