from django.apps import AppConfig


class OrganizersConfig(AppConfig):
    name = "organizers"
    verbose_name = "Organizers and groups"

    def ready(self) -> None:
        # Registers the app's tasks in every process that loads Django, so services can send
        # them by name (``IMPORT_TASK``) without importing the tasks module, which imports them.
        from . import tasks  # noqa: F401
