from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = "Background sync"

    def ready(self) -> None:
        # The registry (sync.areas) names each area's task and looks it up in Celery's
        # registry; a web process imports no task module on its own, so "Refresh now" would
        # find none. Registering them here makes every process that loads Django know them.
        from . import tasks  # noqa: F401
