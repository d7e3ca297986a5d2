"""``{{ organizer|status_badge }}``: the status badge the organizers list's rows show too."""

from django import template

from organizers import tables

register = template.Library()
register.filter("status_badge", tables.status_badge)
