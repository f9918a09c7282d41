from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from conventions import services
from conventions.models import (
    ApprovalDecision,
    Clause,
    Convention,
    ConventionTemplate,
    Transition,
)
from conventions.rendering import PLACEHOLDERS
from core.admin import ReadOnlyInline, TransitionLogInline


class ClauseInline(admin.StackedInline):
    model = Clause
    extra = 0
    fields = ["order", "key", "title", "body", "mandatory", "legal_reference"]


@admin.register(ConventionTemplate)
class ConventionTemplateAdmin(SimpleHistoryAdmin):
    """National admins edit templates here; each saved edit archives the previous text."""

    list_display = ["name", "legal_form", "version", "is_current", "created_at", "archived_at"]
    list_filter = ["is_current", "legal_form"]
    search_fields = ["name", "code"]
    inlines = [ClauseInline]
    readonly_fields = ["version", "is_current", "archived_at", "available_fields"]
    fields = [
        "code",
        "legal_form",
        "name",
        "document_title",
        "description",
        "order",
        "check_public_law",
        "check_public_majority",
        "check_health_establishment",
        "check_support_establishment",
        "version",
        "is_current",
        "archived_at",
        "available_fields",
    ]

    @admin.display(description="champs nommés disponibles")
    def available_fields(self, obj=None):
        return " · ".join(f"{{{{ {name} }}}} ({p.label})" for name, p in PLACEHOLDERS.items())

    def has_change_permission(self, request, obj=None):
        # An archived version is a record of what was generated: never edited.
        if obj is not None and not obj.is_current:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.conventions.exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Kept on the request, not on the shared admin instance (thread safety).
        request._template_snapshot = services.template_snapshot(obj) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        snapshot = getattr(request, "_template_snapshot", None)
        if change and snapshot and (form.has_changed() or any(f.has_changed() for f in formsets)):
            services.template_archive(template=form.instance, snapshot=snapshot)
        super().save_related(request, form, formsets, change)


class TransitionInline(TransitionLogInline):
    model = Transition
    fields = (*TransitionLogInline.fields, "version")
    readonly_fields = fields
    related = (*TransitionLogInline.related, "version")


class ApprovalDecisionInline(ReadOnlyInline):
    """Decisions are recorded on the approval page (by an agent of the pilot ARS): read-only."""

    model = ApprovalDecision
    readonly_fields = ["kind", "version", "decided_on", "reference", "reason", "recorded_by"]
    exclude = ["arrete", "arrete_name"]


@admin.register(Convention)
class ConventionAdmin(SimpleHistoryAdmin):
    list_display = ["cooperation", "template", "status", "updated_at"]
    list_filter = ["status"]
    readonly_fields = [
        "cooperation",
        "template",
        "status",
        "approved_on",
        "approval_reference",
        "approved_by",
        "approval_mode",
        "submitted_on",
        "published_on",
        "version",
    ]
    inlines = [TransitionInline, ApprovalDecisionInline]

    def has_add_permission(self, request):
        return False
