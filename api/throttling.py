from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class ApiUserRateThrottle(UserRateThrottle):
    """Per user (token or session), at API_RATE_LIMIT (e.g. "120/min"), read at each call so
    that an environment change or a test applies without reloading DRF's settings."""

    scope = "api_user"

    def get_rate(self):
        return settings.API_RATE_LIMIT
