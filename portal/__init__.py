"""The Django project of the GoToMeeting admin portal."""

from .celery import app as celery_app

__all__ = ("celery_app",)
