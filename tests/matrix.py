"""The permission matrix: every view × every role of the `world` fixture.

Each app lists its views in tests/<app>/matrix.py as `CASES`; tests/test_permission_matrix.py
runs them all and checks that every URL name of the apps is covered.

Roles (see tests/conftest.py): admin, agent_ara, agent_occ, agent_concerned, referent_a,
referent_c, copil, outsider.
`coop_ara` is the cooperation of ARS ARA (referent_a is a member, copil is its guest); it
also concerns a département of Bourgogne-Franche-Comté, whose agent (`agent_concerned`)
reads it and may comment, but neither edits nor validates it (the supervision rule,
cooperations/scoping.py); `coop_occ` is the Occitanie one (referent_c is a member).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = [
    "admin", "agent_ara", "agent_occ", "agent_concerned", "referent_a", "referent_c", "copil",
    "outsider",
]  # fmt: skip

# Status expected per role, for the usual situations on coop_ara.
READ_COOP_ARA = {
    "admin": 200, "agent_ara": 200, "agent_occ": 404, "agent_concerned": 200, "referent_a": 200,
    "referent_c": 404, "copil": 200, "outsider": 404,
}  # fmt: skip
# Project content: national admins, agents of the pilot ARS and the project team.
EDIT_COOP_ARA = {**READ_COOP_ARA, "copil": 403, "agent_concerned": 403}
# Comments: every reader but the read-only COPIL guest (a concerned ARS may comment).
COMMENT_COOP_ARA = {**READ_COOP_ARA, "copil": 403}
# Document jobs (summary PDF, files of a version): a write, refused to the COPIL guest.
DOCUMENTS_COOP_ARA = COMMENT_COOP_ARA
# Only the project team (members' referents) edits and submits KIT 1 steps.
TEAM_COOP_ARA = {
    **READ_COOP_ARA, "admin": 403, "agent_ara": 403, "agent_concerned": 403, "copil": 403
}  # fmt: skip
# Only an agent of the pilot ARS validates.
VALIDATE_COOP_ARA = {
    **READ_COOP_ARA, "admin": 403, "agent_concerned": 403, "referent_a": 403, "copil": 403
}  # fmt: skip
# Pilot ARS and départements: agents of the pilot ARS and national admins.
SUPERVISE_COOP_ARA = {**VALIDATE_COOP_ARA, "admin": 200}
EVERYONE = dict.fromkeys(ROLES, 200)
ADMIN_ONLY = {**dict.fromkeys(ROLES, 403), "admin": 200}
ARS_AGENTS_ONLY = {
    **dict.fromkeys(ROLES, 403), "agent_ara": 200, "agent_occ": 200, "agent_concerned": 200
}  # fmt: skip


@dataclass
class Case:
    url_name: str
    args: Callable = field(default=lambda w: [])  # world -> list of URL args
    expect: dict = field(default_factory=lambda: dict(READ_COOP_ARA))
    method: str = "get"
    data: Callable | None = None  # world -> POST data
    # A POST that succeeds usually redirects: count 302 as the "allowed" answer.
    ok_statuses: tuple = (200, 302)
    # Anonymous answer: 302 to the login page, or the read API's 401.
    anonymous: int = 302

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.url_name}"
