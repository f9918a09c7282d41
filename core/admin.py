"""Admin pieces shared by the apps (core registers no model of its own here)."""

from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """Rows written elsewhere (a service, a sign-in, a workflow) shown under their parent:
    no empty extra row, no adding, no deleting."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TransitionLogInline(ReadOnlyInline):
    """A workflow's log (core.workflow.TransitionLog) under its object: read-only, the
    states shown by their French labels."""

    fields = ("at", "actor", "from_label", "to_label", "comment")
    readonly_fields = fields
    # Foreign keys shown on each row, fetched in the same query (a subclass adds its own).
    related = ("actor",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)

    @admin.display(description="de")
    def from_label(self, obj):
        return obj.get_from_state_display()

    @admin.display(description="vers")
    def to_label(self, obj):
        return obj.get_to_state_display()


class CatalogueVersionAdminMixin:
    """The admin of a ``core.catalogue_versions.CatalogueVersion`` subclass.

    Versions are made by copy (an edit of a frozen version, ``load_catalogues``), never added
    by hand; their number, series and state are read-only, only the note is edited; a version
    in use is never deleted.
    """

    def get_list_display(self, request):
        return (*self.model.copy_scope, "number", "is_current", "published_at", "note")

    def get_list_filter(self, request):
        return self.model.copy_scope

    def get_readonly_fields(self, request, obj=None):
        return (*self.model.copy_scope, "number", "is_current", "published_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.in_use():
            return False
        return super().has_delete_permission(request, obj)
