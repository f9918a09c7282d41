from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from territories.models import (
    ARS,
    DelegationDepartementale,
    Departement,
    Establishment,
    EstablishmentActivity,
    ImportRun,
    LegalEntity,
)


@admin.register(ARS)
class ARSAdmin(admin.ModelAdmin):
    list_display = ("name", "region_code", "region_name")
    search_fields = ("name", "region_name")


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "ars", "finess_code")
    list_filter = ("ars",)
    search_fields = ("code", "name")


@admin.register(DelegationDepartementale)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("name", "departement", "ars")
    list_filter = ("ars",)


@admin.register(LegalEntity)
class LegalEntityAdmin(SimpleHistoryAdmin):
    list_display = (
        "finess",
        "name",
        "legal_status",
        "legal_status_code",
        "is_closed",
        "departement",
    )
    list_filter = ("legal_status", "is_closed", "departement__ars")
    search_fields = ("finess", "name")
    list_select_related = ("departement",)


@admin.register(Establishment)
class EstablishmentAdmin(SimpleHistoryAdmin):
    list_display = ("finess", "name", "category_label", "legal_status", "sector", "departement")
    list_filter = ("sector", "legal_status", "departement__ars")
    search_fields = ("finess", "name", "long_name", "commune")
    list_select_related = ("departement", "legal_entity")
    autocomplete_fields = ("legal_entity",)
    show_full_result_count = False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "original_name",
        "created_at",
        "status",
        "created_count",
        "updated_count",
        "rejected_count",
        "started_by",
    )
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(EstablishmentActivity)
class EstablishmentActivityAdmin(admin.ModelAdmin):
    list_display = (
        "register_id",
        "nature_code",
        "activity_type_code",
        "legal_entity",
        "establishment",
        "is_active",
    )
    list_filter = ("nature_code", "is_active", "exercised")
    search_fields = (
        "register_id",
        "arhgos_number",
        "legal_entity__finess",
        "establishment__finess",
    )
    raw_id_fields = ("legal_entity", "establishment")
    show_full_result_count = False
