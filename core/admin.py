"""Admin pieces shared by the kits (core registers no model of its own here)."""


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
