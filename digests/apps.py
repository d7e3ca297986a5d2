from django.apps import AppConfig


class DigestsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "digests"
    verbose_name = "E-mail digests"

    def ready(self) -> None:
        # Registers the beat task in every process that loads Django (as sync and organizers do).
        from . import tasks  # noqa: F401
