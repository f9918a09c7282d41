import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from cooperations.models import Cooperation, Membership, Phase
from cooperations.references import LEGAL_FORMS, THEMES, TYPOLOGIES
from core.forms import DsfrForm
from territories.references import ARS_NAMES, DEPARTEMENTS


class FilterForm(DsfrForm):
    pass


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

    class Meta:
        model = Cooperation
        fields = []
        form = FilterForm

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
