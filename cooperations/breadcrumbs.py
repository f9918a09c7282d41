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


def kit_page(access, label: str, *, current: str | None = None) -> dict:
    """The context a kit's page for one cooperation starts from (the page its cooperation
    section links to): `title` "<label> — <cooperation>", `cooperation`, `caps` (the
    CooperationAccess, read by the templates) and the breadcrumb Coopérations ›
    <cooperation> › `current` (the label by default)."""
    cooperation = access.cooperation
    return {
        "title": f"{label} — {cooperation.title}",
        "cooperation": cooperation,
        "caps": access,
        "breadcrumb_data": cooperation_breadcrumb(cooperation, current=current or label),
    }
