from notifications.models import Notification


def unread_count(request) -> int:
    """The navigation's badge: unread notifications whose matter is not handled yet (a
    submitted step already validated by a colleague needs no reading). One COUNT per page."""
    user = request.user
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(
        recipient=user, read_at__isnull=True, done_at__isnull=True
    ).count()


def for_user(user, *, status: str = ""):
    queryset = Notification.objects.filter(recipient=user).select_related("cooperation")
    if status == "non-lues":
        queryset = queryset.filter(read_at__isnull=True)
    elif status == "a-traiter":
        queryset = queryset.filter(done_at__isnull=True)
    return queryset.order_by("-created_at", "-pk")
