from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from suivi.models import (
    Activity,
    CopilPack,
    DateRevision,
    Deliverable,
    ProjectSettings,
    Risk,
    RiskCategory,
    StatusReport,
)


@admin.register(RiskCategory)
class RiskCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    # No list_editable: its inputs carry no label (axe); the order is edited on the form page.
    search_fields = ["name", "code"]


class KeptOnItsCooperation:
    """The cooperation is chosen when the row is added, then read-only: the tracking dates
    (suivi.tracking) are recomputed for the row's cooperation on save, and moving the row
    would leave the former one's stale."""

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "cooperation") if obj is not None else fields


@admin.register(Activity)
class ActivityAdmin(KeptOnItsCooperation, SimpleHistoryAdmin):
    list_display = ["title", "cooperation", "lead_name", "order"]
    list_select_related = ["cooperation"]
    search_fields = ["title", "cooperation__title"]
    raw_id_fields = ["cooperation", "lead_member"]


class DateRevisionInline(admin.TabularInline):
    model = DateRevision
    extra = 0
    readonly_fields = ["previous_date", "new_date", "reason", "created_by", "created_at"]
    can_delete = False


@admin.register(Deliverable)
class DeliverableAdmin(SimpleHistoryAdmin):
    list_display = ["title", "activity", "kind", "planned_on", "revised_on", "done_on", "progress"]
    list_select_related = ["activity"]
    search_fields = ["title", "activity__title"]
    raw_id_fields = ["activity"]
    inlines = [DateRevisionInline]


@admin.register(Risk)
class RiskAdmin(SimpleHistoryAdmin):
    list_display = ["title", "cooperation", "probability", "impact", "status", "review_on"]
    list_filter = ["status", "category"]
    list_select_related = ["cooperation"]
    raw_id_fields = ["cooperation"]


@admin.register(StatusReport)
class StatusReportAdmin(KeptOnItsCooperation, SimpleHistoryAdmin):
    list_display = ["cooperation", "period_start", "period_end", "created_at"]
    list_select_related = ["cooperation"]
    raw_id_fields = ["cooperation"]
    readonly_fields = ["snapshot"]


@admin.register(ProjectSettings)
class ProjectSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["cooperation", "report_period_months", "reminder_days"]
    raw_id_fields = ["cooperation"]


@admin.register(CopilPack)
class CopilPackAdmin(admin.ModelAdmin):
    list_display = ["cooperation", "status", "created_at", "finished_at", "attempts"]
    list_select_related = ["cooperation"]
    raw_id_fields = ["cooperation", "requested_by"]
    readonly_fields = ["request_key"]
