"""OpenAPI pieces that drf-spectacular cannot infer."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Jeton personnel créé sur la page « Mon compte » de KitCoop, transmis dans "
                "l'en-tête `Authorization: Bearer kc_…`. Il donne accès à ce que son "
                "titulaire voit dans KitCoop."
            ),
        }


class SameOriginSessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SameOriginSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": (
                "Session de KitCoop, acceptée uniquement pour les requêtes venant des pages de "
                "KitCoop elles-mêmes (page de documentation)."
            ),
        }
