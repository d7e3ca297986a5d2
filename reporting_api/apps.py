from django.apps import AppConfig


class ReportingApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting_api"
    verbose_name = "Reporting API"

    def ready(self) -> None:
        from . import schema  # noqa: F401 (registers the token scheme with drf-spectacular)
