"""``{{ organizer|status_badge }}``: the status badge the organizers list's rows show too."""

from django import template

from organizers import rows

register = template.Library()
register.filter("status_badge", rows.status_badge)
