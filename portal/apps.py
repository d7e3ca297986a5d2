from django.apps import AppConfig
from django.urls import register_converter


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed

        from .ids import IdConverter
        from .scoping import forget_scope

        # Before any URLconf is read (they load on the first request or reverse()).
        register_converter(IdConverter, "id")
        # A user's kept scope (portal.scoping) is dropped when their groups change.
        m2m_changed.connect(
            forget_scope,
            sender=get_user_model().managed_groups.through,
            dispatch_uid="portal.scoping.forget_scope",
        )
