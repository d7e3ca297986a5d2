from django.apps import AppConfig
from django.urls import register_converter


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from .ids import IdConverter

        # Before any URLconf is read (they load on the first request or reverse()).
        register_converter(IdConverter, "id")
