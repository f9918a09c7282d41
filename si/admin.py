from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from si.models import ChecklistItem, ChecklistSettings, GuideItem, Mode, ThemeGuide


class GuideItemInline(admin.TabularInline):
    model = GuideItem
    extra = 1
    fields = ("order", "code", "category", "label", "guidance", "is_active")


@admin.register(ThemeGuide)
class ThemeGuideAdmin(SimpleHistoryAdmin):
    list_display = ("theme", "item_count")
    search_fields = ("theme__name", "summary")
    inlines = [GuideItemInline]

    @admin.display(description="points")
    def item_count(self, obj):
        return obj.items.count()


@admin.register(Mode)
class ModeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "order")


@admin.register(ChecklistSettings)
class ChecklistSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("__str__",)

    def has_add_permission(self, request):
        return not ChecklistSettings.objects.exists()


@admin.register(ChecklistItem)
class ChecklistItemAdmin(SimpleHistoryAdmin):
    list_display = ("label", "cooperation", "theme", "status", "owner", "due_on")
    list_filter = ("status", "theme", "category")
    search_fields = ("label", "cooperation__title", "owner")
    list_select_related = ("cooperation", "theme")
    raw_id_fields = ("cooperation", "deliverable", "source")
