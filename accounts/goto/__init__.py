"""A django-allauth provider for GoTo (GoToMeeting) OAuth 2.0, shaped like allauth's Zoom one."""
