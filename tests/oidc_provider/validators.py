from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


class ProConnectLikeValidator(OAuth2Validator):
    """Claims shaped like ProConnect's: each one granted by the scope of the same name.

    `role` and `is_staff` are sent on purpose, unasked: KitCoop must ignore them.
    """

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "email": "email",
        "given_name": "given_name",
        "usual_name": "usual_name",
        "siret": "siret",
        "idp_id": "idp_id",
        "role": "openid",
        "is_staff": "openid",
    }

    def get_additional_claims(self, request):
        user = request.user
        extra = settings.IDENTITIES.get(user.username, {})
        return {
            "email": user.email,
            "given_name": user.first_name,
            "usual_name": user.last_name,
            "siret": extra.get("siret", ""),
            "idp_id": extra.get("idp_id", ""),
            "role": "admin_national",
            "is_staff": True,
        }
