from django.conf import settings


class SiteConfig:
    """What django-dsfr's templates read from SITE_CONFIG, without a database query per page."""

    site_title = "KitCoop"
    site_tagline = "Coopérations territoriales en santé"
    header_brand_html = "Ministère<br />chargé<br />de la santé"
    footer_brand_html = header_brand_html
    footer_brand = "Ministère chargé de la santé"
    footer_description = (
        "KitCoop accompagne les ARS et les établissements sanitaires et médico-sociaux "
        "dans leurs projets de coopération territoriale."
    )
    beta_tag = True
    mourning = False
    notice_title = ""
    notice_description = ""
    operator_logo_file = None
    operator_logo_alt = ""
    operator_logo_width = 0

    def get_accessibility_status_display(self) -> str:
        return "partiellement"


SITE_CONFIG = SiteConfig()


def site(request):
    return {
        "SITE_CONFIG": SITE_CONFIG,
        "DEBUG_BANNER": settings.DEBUG,
        # Whom to write to for a role or a scope (the 403 page names it).
        "national_admin_email": settings.NATIONAL_ADMIN_EMAIL,
    }
