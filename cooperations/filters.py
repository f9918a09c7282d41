import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cooperations.choices import LEGAL_FORMS, THEMES, TYPOLOGIES
from cooperations.models import Cooperation, Membership, Phase
from core.forms import DsfrForm
from territories.choices import ARS_NAMES, DEPARTEMENTS, departement_ids_of


class FilterForm(DsfrForm):
    pass


def objective_choices(user) -> list[tuple[int, str]]:
    """The plan objectives offered: the agent's ARS's; everyone's for other roles (one
    small query: a region has a few dozen objectives)."""
    from cooperations.models import RegionalObjective

    objectives = RegionalObjective.objects.order_by("ars_id", "kind", "order", "code")
    if user is not None and user.is_authenticated and user.is_ars_agent:
        objectives = objectives.filter(ars_id=user.ars_id)
    elif user is not None and user.is_authenticated and not user.is_national_admin:
        objectives = objectives.filter(
            cooperations__in=Cooperation.objects.visible_to(user)
        ).distinct()
    return [
        (pk, f"{code} — {title[:80]}")
        for pk, code, title in objectives.values_list("pk", "code", "title")
    ]


class CooperationFilter(django_filters.FilterSet):
    """Portfolio filters; the queryset handed in is already scoped to the user."""

    q = django_filters.CharFilter(label="Recherche", method="filter_q")
    # Reference choices come from the cache: no query and no model instance per option.
    pilot_ars = django_filters.ChoiceFilter(
        label="ARS pilote", field_name="pilot_ars_id", choices=ARS_NAMES, empty_label="Toutes"
    )
    departement = django_filters.ChoiceFilter(
        label="Département",
        choices=DEPARTEMENTS,
        empty_label="Tous",
        method="filter_departement",
    )
    legal_form = django_filters.ChoiceFilter(
        label="Forme juridique",
        field_name="legal_form_id",
        choices=LEGAL_FORMS,
        empty_label="Toutes",
    )
    typology = django_filters.ChoiceFilter(
        label="Typologie", choices=TYPOLOGIES, empty_label="Toutes", method="filter_typology"
    )
    theme = django_filters.ChoiceFilter(
        label="Thème", choices=THEMES, empty_label="Tous", method="filter_theme"
    )
    phase = django_filters.ChoiceFilter(label="Phase", choices=Phase.choices, empty_label="Toutes")
    establishment = django_filters.CharFilter(
        label="Établissement membre (nom ou FINESS)", method="filter_establishment"
    )
    objective = django_filters.ChoiceFilter(
        label="Objectif du plan régional de santé",
        empty_label="Tous",
        method="filter_objective",
    )
    a_traiter = django_filters.ChoiceFilter(
        label="À traiter", empty_label="Toutes les coopérations", method="filter_flag"
    )

    class Meta:
        model = Cooperation
        fields = []
        form = FilterForm

    def __init__(self, data=None, queryset=None, *, user=None, today=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        from cooperations import portfolio

        self.today = today or timezone.localdate()
        self.filters["a_traiter"].extra["choices"] = [(f.key, f.label) for f in portfolio.flags()]
        self.filters["objective"].extra["choices"] = objective_choices(user)
        if user is not None and user.is_authenticated and user.is_ars_agent:
            # An agent works on its region: its départements, not the 101 of the country.
            region = set(departement_ids_of(user.ars_id))
            self.filters["departement"].extra["choices"] = [
                (pk, label) for pk, label in DEPARTEMENTS.choices() if pk in region
            ]

    def filter_flag(self, queryset, name, value):
        from cooperations import portfolio

        return portfolio.flag_filter(queryset, value, self.today)

    def filter_objective(self, queryset, name, value):
        from cooperations import portfolio

        return portfolio.objective_filter(queryset, value)

    # M2M filters use EXISTS so that a cooperation is never listed twice.
    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(objectives__icontains=value))

    def filter_departement(self, queryset, name, value):
        through = Cooperation.departements.through
        return queryset.filter(
            Exists(through.objects.filter(cooperation_id=OuterRef("pk"), departement_id=value))
        )

    def filter_typology(self, queryset, name, value):
        through = Cooperation.typologies.through
        return queryset.filter(
            Exists(through.objects.filter(cooperation_id=OuterRef("pk"), typology_id=value))
        )

    def filter_theme(self, queryset, name, value):
        through = Cooperation.themes.through
        return queryset.filter(
            Exists(through.objects.filter(cooperation_id=OuterRef("pk"), theme_id=value))
        )

    def filter_establishment(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        compact = value.replace(" ", "").upper()
        if len(compact) == 9 and compact[2:].isdigit():
            match = Q(establishment__finess=compact) | Q(legal_entity__finess=compact)
        else:
            match = Q(establishment__name__icontains=value) | Q(legal_entity__name__icontains=value)
        return queryset.filter(
            Exists(Membership.objects.active().filter(match, cooperation=OuterRef("pk")))
        )

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "fr-select")
        return form
