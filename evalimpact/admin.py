"""National admins edit the catalogue here. A version already used by an evaluation is
never changed in place: the edit is written to a new current version
(core.catalogue_versions.version_for_edit)."""

from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from core.admin import CatalogueVersionAdminMixin, TransitionLogInline
from core.catalogue_versions import version_for_edit
from evalimpact.models import (
    Activity,
    Axis,
    CatalogueVersion,
    Evaluation,
    EvaluationTransition,
    HospidiagImport,
    HospidiagValue,
    Indicator,
    ScoreLevel,
)
from evalimpact.services import catalogue


class VersionedCatalogueAdmin(SimpleHistoryAdmin):
    def save_model(self, request, obj, form, change):
        source = obj.version
        target, created = version_for_edit(
            source,
            note=f"Copie de la v{source.number} modifiée dans l'administration",
            actor=request.user,
        )
        if created:
            catalogue.retarget(obj, target)
            messages.info(
                request,
                f"La version v{source.number} est utilisée par des évaluations : votre modification "
                f"a créé la version v{target.number}, désormais en vigueur. Les évaluations "
                f"existantes gardent la v{source.number}.",
            )
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.version.in_use():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(CatalogueVersionAdminMixin, SimpleHistoryAdmin):
    pass


@admin.register(Axis)
class AxisAdmin(VersionedCatalogueAdmin):
    list_display = ("code", "label", "short_label", "weight", "version")
    list_filter = ("version",)


@admin.register(Indicator)
class IndicatorAdmin(VersionedCatalogueAdmin):
    list_display = ("code", "label", "axis", "kind", "direction", "scale", "weight", "version")
    list_filter = ("version", "kind", "axis__code")
    search_fields = ("code", "label")


@admin.register(Activity)
class ActivityAdmin(VersionedCatalogueAdmin):
    list_display = ("code", "label", "order", "version")
    list_filter = ("version",)


@admin.register(ScoreLevel)
class ScoreLevelAdmin(VersionedCatalogueAdmin):
    list_display = ("score", "label", "version")
    list_filter = ("version",)


class TransitionInline(TransitionLogInline):
    model = EvaluationTransition


@admin.register(Evaluation)
class EvaluationAdmin(SimpleHistoryAdmin):
    list_display = ("cooperation", "kind", "evaluated_on", "status", "catalogue", "overall_score")
    list_filter = ("kind", "status")
    readonly_fields = ("axis_scores", "overall_score", "catalogue")
    inlines = [TransitionInline]


@admin.register(HospidiagImport)
class HospidiagImportAdmin(admin.ModelAdmin):
    list_display = (
        "file_name",
        "status",
        "file_kind",
        "year",
        "lines_read",
        "values_stored",
        "created_at",
    )
    readonly_fields = [f.name for f in HospidiagImport._meta.fields]


@admin.register(HospidiagValue)
class HospidiagValueAdmin(admin.ModelAdmin):
    list_display = ("finess", "entity_name", "code", "year", "value", "source")
    list_filter = ("year", "code")
    search_fields = ("finess", "entity_name")
