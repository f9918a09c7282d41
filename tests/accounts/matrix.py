"""The account page against every role (see tests/matrix.py)."""

from accounts.tokens import api_token_create
from tests.matrix import EVERYONE, ROLES, Case


def setup_world(world):
    world.api_token, _raw = api_token_create(user=world.referent_a, name="Tableau de bord", days=30)


CASES = [
    Case("accounts:profile", expect=EVERYONE),
    Case(
        "accounts:profile",
        method="post",
        data=lambda w: {"name": "Mon outil", "days": "30"},
        expect=EVERYONE,
    ),
    # A token is its owner's: anyone else's revocation answers 404.
    Case(
        "accounts:token_revoke",
        method="post",
        args=lambda w: [w.api_token.pk],
        expect={**dict.fromkeys(ROLES, 404), "referent_a": 200},
    ),
]
