from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cooperations.models import (
    ArsNote,
    Cooperation,
    GHTExemption,
    LegalForm,
    Membership,
    RegionalObjective,
    RegisterGrouping,
    Theme,
    Typology,
)


@admin.register(LegalForm)
class LegalFormAdmin(admin.ModelAdmin):
    list_display = (
        "short_name",
        "name",
        "legal_basis",
        "has_legal_personality",
        "requires_approval",
        "is_historical",
        "approval_authority",
        "order",
    )
    # No list_editable: its inputs carry no label (axe); the order is edited on the form page.
    list_filter = ("has_legal_personality", "requires_approval", "is_historical")
    search_fields = ("name", "short_name")


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name",)


@admin.register(Typology)
class TypologyAdmin(admin.ModelAdmin):
    list_display = ("name", "code")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("establishment", "legal_entity")


@admin.register(Cooperation)
class CooperationAdmin(SimpleHistoryAdmin):
    list_display = ("title", "pilot_ars", "legal_form", "phase", "updated_at")
    list_filter = ("pilot_ars", "legal_form", "phase", "typologies", "themes")
    search_fields = ("title", "objectives", "external_code")
    list_select_related = ("pilot_ars", "legal_form")
    filter_horizontal = ("departements", "themes", "typologies", "copil_guests", "plan_objectives")
    inlines = [MembershipInline]
    readonly_fields = ("version", "created_at", "updated_at", "created_by", "last_activity_at")


@admin.register(RegionalObjective)
class RegionalObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ("code", "title", "ars", "kind", "starts_year", "ends_year")
    list_filter = ("ars", "kind")
    search_fields = ("code", "title")
    list_select_related = ("ars",)
    raw_id_fields = ("parent",)


@admin.register(ArsNote)
class ArsNoteAdmin(SimpleHistoryAdmin):
    list_display = ("cooperation", "ars", "author", "created_at")
    list_filter = ("ars",)
    raw_id_fields = ("cooperation", "author")


@admin.register(GHTExemption)
class GHTExemptionAdmin(SimpleHistoryAdmin):
    """Exemptions decided by the director general of an ARS (CSP L6132-1, I)."""

    list_display = ("legal_entity", "ars", "decided_on", "reference", "ends_on")
    list_filter = ("ars",)
    search_fields = ("legal_entity__finess", "legal_entity__name", "reference")
    autocomplete_fields = ("legal_entity",)
    list_select_related = ("legal_entity", "ars")


@admin.register(RegisterGrouping)
class RegisterGroupingAdmin(admin.ModelAdmin):
    """What the FINESS register says about a GHT or groupement (read-only: the import writes it)."""

    list_display = (
        "cooperation",
        "kind",
        "register_id",
        "type_code",
        "members_declared",
        "is_closed",
    )
    list_filter = ("kind", "is_closed")
    search_fields = ("register_name", "register_id", "cooperation__title")
    list_select_related = ("cooperation",)
    readonly_fields = [f.name for f in RegisterGrouping._meta.fields]

    def has_add_permission(self, request):
        return False
