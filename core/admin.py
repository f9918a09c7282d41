"""Admin pieces shared by the apps (nothing is registered here)."""

from django.contrib import admin


class TransitionLogInline(admin.TabularInline):
    """A workflow's log (core.workflow.TransitionLog) under its object: read-only, the
    states shown by their French labels."""

    extra = 0
    can_delete = False
    fields = ("at", "actor", "from_label", "to_label", "comment")
    readonly_fields = fields

    @admin.display(description="de")
    def from_label(self, obj):
        return obj.get_from_state_display()

    @admin.display(description="vers")
    def to_label(self, obj):
        return obj.get_to_state_display()

    def has_add_permission(self, request, obj=None):
        return False
