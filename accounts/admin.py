from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "ars", "is_active")
    list_filter = ("role", "ars", "is_active")
    search_fields = ("username", "email", "first_name", "last_name")
    autocomplete_fields = ("legal_entities", "establishments")
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            "Rôle et périmètre",
            {"fields": ("role", "ars", "job_title", "legal_entities", "establishments")},
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("Rôle et périmètre", {"fields": ("email", "role", "ars")}),
    )
