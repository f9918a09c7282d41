"""National admins edit the KIT 1 catalogue here.

Copy-on-write: editing a fiche or a question of a catalogue version that steps already
use first copies the whole version (services.catalogue_versions.catalogue_version_for_edit)
and applies the edit to the copy, which becomes the version in force. Steps opened earlier
keep their fiches and answers untouched.

After a fiche is saved, the steps it makes due (its legal forms may now cover more
cooperations) are created for every cooperation (services.steps.steps_ensure_all); nothing else
changes in the existing steps.
"""

from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from core.admin import CatalogueVersionAdminMixin, ReadOnlyInline, TransitionLogInline
from fiches.models import (
    CatalogueVersion,
    ChooserRule,
    Fiche,
    KnowledgePage,
    Question,
    Step,
    StepTransition,
)
from fiches.services.catalogue_versions import catalogue_version_for_edit
from fiches.services.steps import steps_ensure_all


def _counterpart(obj_version, fiche_number):
    return Fiche.objects.get(version=obj_version, number=fiche_number)


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(CatalogueVersionAdminMixin, SimpleHistoryAdmin):
    pass


class QuestionInline(ReadOnlyInline):
    model = Question
    fields = ("order", "code", "label", "kind", "mandatory")
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        # Questions are edited on their own page so that copy-on-write can apply.
        return False


@admin.register(Fiche)
class FicheAdmin(SimpleHistoryAdmin):
    list_display = ("number", "title", "phase", "version")
    list_filter = ("version", "phase")
    search_fields = ("title", "purpose")
    filter_horizontal = ("legal_forms", "prerequisites", "knowledge_pages")
    inlines = [QuestionInline]
    readonly_fields = ("version", "number")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("version")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Earlier versions are frozen: they document what the steps were answered with.
        if obj is not None and not obj.version.is_current:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        version = catalogue_version_for_edit(version=obj.version, actor=request.user)
        if version.pk != obj.version_id:
            # Apply the edit to the copy, leave the original fiche as it was answered.
            target = _counterpart(version, obj.number)
            obj.pk, obj.id, obj.version = target.pk, target.pk, version
            messages.info(
                request,
                f"Cette fiche était déjà utilisée : la version {version.number} du catalogue est "
                "publiée avec votre modification ; les étapes en cours gardent leur version.",
            )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        # Prerequisites chosen in the form may belong to the previous version: remap by number.
        prerequisites = [
            _counterpart(obj.version, p.number)
            for p in obj.prerequisites.all()
            if p.version_id != obj.version_id
        ]
        if prerequisites:
            kept = [p for p in obj.prerequisites.all() if p.version_id == obj.version_id]
            obj.prerequisites.set(kept + prerequisites)
        created = steps_ensure_all()
        if created:
            messages.info(
                request,
                f"{created} étape(s) ajoutée(s) aux coopérations auxquelles cette fiche "
                "s'applique désormais.",
            )


@admin.register(Question)
class QuestionAdmin(SimpleHistoryAdmin):
    list_display = ("label", "fiche", "kind", "mandatory", "order")
    list_filter = ("fiche__version", "kind", "mandatory")
    search_fields = ("label", "code")
    filter_horizontal = ("legal_forms",)
    list_select_related = ("fiche__version",)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.fiche.version.is_current:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.fiche.version.is_current:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        self.delete_queryset(request, Question.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        """Copy-on-write, as for edits: removing a question from a version that steps use
        would change what those steps must answer; the removal goes to a new version."""
        questions = list(queryset.select_related("fiche__version"))
        if not questions:
            return
        if any(not q.fiche.version.is_current for q in questions):
            messages.error(request, "Les versions précédentes du catalogue sont figées.")
            return
        current = questions[0].fiche.version
        version = catalogue_version_for_edit(version=current, actor=request.user)
        if version.pk == current.pk:
            queryset.delete()
            return
        keys = {(q.fiche.number, q.code) for q in questions}
        copies = Question.objects.filter(fiche__version=version).select_related("fiche")
        Question.objects.filter(
            pk__in=[c.pk for c in copies if (c.fiche.number, c.code) in keys]
        ).delete()
        messages.info(
            request,
            f"Ces questions étaient déjà utilisées : la version {version.number} du catalogue est "
            "publiée sans elles ; les étapes en cours gardent leur version.",
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "fiche" in form.base_fields:
            form.base_fields["fiche"].queryset = Fiche.objects.filter(version__is_current=True)
        if "not_before" in form.base_fields:
            form.base_fields["not_before"].queryset = Question.objects.filter(
                fiche__version__is_current=True, kind="date"
            ).select_related("fiche")
        return form

    def save_model(self, request, obj, form, change):
        fiche = obj.fiche
        version = catalogue_version_for_edit(version=fiche.version, actor=request.user)
        if version.pk != fiche.version_id:
            target_fiche = _counterpart(version, fiche.number)
            obj.fiche = target_fiche
            if obj.not_before_id:
                obj.not_before = Question.objects.filter(
                    fiche=target_fiche, code=obj.not_before.code
                ).first()
            if change:
                target = Question.objects.get(
                    fiche=target_fiche, code=form.initial.get("code", obj.code)
                )
                obj.pk, obj.id = target.pk, target.pk
            messages.info(
                request,
                f"Cette question était déjà utilisée : la version {version.number} du catalogue est "
                "publiée avec votre modification.",
            )
        super().save_model(request, obj, form, change)


@admin.register(KnowledgePage)
class KnowledgePageAdmin(SimpleHistoryAdmin):
    list_display = ("title", "category", "is_published", "updated_at")
    list_filter = ("category", "is_published")
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}


@admin.register(ChooserRule)
class ChooserRuleAdmin(SimpleHistoryAdmin):
    list_display = ("criterion", "answer_label", "legal_form", "weight", "excludes", "reason")
    list_filter = ("criterion", "legal_form", "excludes")
    list_select_related = ("legal_form",)

    @admin.display(description="réponse", ordering="value")
    def answer_label(self, rule) -> str:
        """The answer as the questionnaire words it, so that a lawyer reads the rule as a
        sentence (the stored code stays visible on the form page)."""
        from fiches.forms import ChooserForm

        field = ChooserForm.base_fields.get(rule.criterion)
        labels = dict(field.choices) if field is not None else {}
        return labels.get(rule.value, rule.value)


class TransitionInline(TransitionLogInline):
    model = StepTransition


@admin.register(Step)
class StepAdmin(SimpleHistoryAdmin):
    """Read-only: the workflow is driven by the project team and the ARS, not the admin."""

    list_display = ("cooperation", "number", "state", "submitted_at", "decided_at")
    list_filter = ("state", "number")
    search_fields = ("cooperation__title",)
    list_select_related = ("cooperation",)
    inlines = [TransitionInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
