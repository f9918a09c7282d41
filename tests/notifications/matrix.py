from tests.matrix import EVERYONE, Case

CASES = [
    Case("notifications:list", expect=EVERYONE),
    Case("notifications:read", method="post", expect=EVERYONE),
    Case("notifications:preferences", expect=EVERYONE),
    # Another user's notification, or none: 404 for everyone (set up in setup_world).
    Case(
        "notifications:open",
        args=lambda w: [w.admin_notification.pk],
        expect={**dict.fromkeys(EVERYONE, 404), "admin": 302},
        ok_statuses=(302,),
    ),
]


def setup_world(world):
    from notifications.models import Notification

    world.admin_notification = Notification.objects.create(
        recipient=world.admin,
        cooperation=world.coop_ara,
        kind="member_added",
        subject="Nouveau membre",
        message="Un membre a rejoint la coopération.",
        url=world.coop_ara.get_absolute_url(),
    )
