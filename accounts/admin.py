from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone

from accounts.models import ApiToken, ProConnectIdentity, User
from core.admin import ReadOnlyInline


class ProConnectIdentityInline(ReadOnlyInline):
    """What ProConnect said about the person at their last sign-ins (read only)."""

    model = ProConnectIdentity
    fields = ("email", "given_name", "usual_name", "siret", "idp_id", "last_login_at")
    readonly_fields = fields
    verbose_name_plural = "identités ProConnect (SIRET transmis à la connexion)"


class ApiTokenInline(ReadOnlyInline):
    model = ApiToken
    fields = ("name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = fields


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "ars", "is_active")
    list_filter = ("role", "ars", "is_active")
    search_fields = ("username", "email", "first_name", "last_name")
    autocomplete_fields = ("legal_entities", "establishments")
    inlines = [ProConnectIdentityInline, ApiTokenInline]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            "Rôle et périmètre",
            {"fields": ("role", "ars", "job_title", "legal_entities", "establishments")},
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("Rôle et périmètre", {"fields": ("email", "role", "ars")}),
    )


@admin.register(ProConnectIdentity)
class ProConnectIdentityAdmin(admin.ModelAdmin):
    list_display = ("email", "user", "siret", "idp_id", "last_login_at")
    list_filter = ("idp_id",)
    search_fields = ("email", "siret", "user__username", "user__email")
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "sub",
        "email",
        "given_name",
        "usual_name",
        "siret",
        "idp_id",
        "first_login_at",
        "last_login_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "status")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username", "user__email")
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    exclude = ("digest",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Révoquer les jetons sélectionnés")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} jeton(s) révoqué(s).")
