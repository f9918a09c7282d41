from django.contrib import admin

from notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "kind", "created_at", "read_at", "done_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "cooperation"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "delivery", "last_digest_at"]
    raw_id_fields = ["user"]
