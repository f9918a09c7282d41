from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """?page=N (from 1) and ?page_size=N (at most 200); 50 per page by default."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    page_query_description = "Numéro de la page (à partir de 1)."
    page_size_query_description = "Nombre de résultats par page (50 par défaut, 200 au plus)."

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["count"]["description"] = "Nombre total de résultats."
        properties["next"]["description"] = "Adresse de la page suivante ; vide sur la dernière."
        properties["previous"]["description"] = (
            "Adresse de la page précédente ; vide sur la première."
        )
        properties["results"]["description"] = "Les résultats de cette page."
        for name in ("next", "previous"):
            properties[name]["example"] = (
                f"https://kitcoop.example.gouv.fr/api/v1/cooperations/?page={4 if name == 'next' else 2}"
            )
        return response
