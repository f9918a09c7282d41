from cooperations.filters import CooperationFilter


class ApiCooperationFilter(CooperationFilter):
    """The portfolio's filters, unchanged; the type hints tell the OpenAPI document that
    these choices are ids (the portfolio's form does not need them)."""

    def filter_departement(self, queryset, name, value: int):
        return super().filter_departement(queryset, name, value)

    def filter_typology(self, queryset, name, value: int):
        return super().filter_typology(queryset, name, value)

    def filter_theme(self, queryset, name, value: int):
        return super().filter_theme(queryset, name, value)

    def filter_objective(self, queryset, name, value: int):
        return super().filter_objective(queryset, name, value)

    def filter_flag(self, queryset, name, value: str):
        return super().filter_flag(queryset, name, value)
