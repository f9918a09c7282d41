from django.urls import reverse


def cooperation_breadcrumb(cooperation, *links, current: str) -> dict:
    """DSFR breadcrumb data: Coopérations › <cooperation> › *links › current."""
    return {
        "links": [
            {"url": reverse("cooperations:list"), "title": "Coopérations"},
            {"url": cooperation.get_absolute_url(), "title": cooperation.title},
            *links,
        ],
        "current": current,
    }
