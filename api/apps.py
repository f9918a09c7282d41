from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API en lecture"

    def ready(self):
        from api import schema  # noqa: F401  (OpenAPI extension of the token authentication)
