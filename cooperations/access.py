"""The one door from a view to a cooperation: `cooperation_access(request, pk, need=...)`.

The 404/403 rule, written down: a cooperation outside the user's scope answers 404 (its
existence does not leak). A cooperation in scope that the user may read but not act on as
asked answers 403 with a French message: a COPIL guest or an agent of a concerned ARS on an
edit URL, anyone but an agent of the pilot ARS on a validation URL, anyone but the members'
referents on a project-team URL. Who may do what is `cooperations/scoping.py`'s table.

The answer is a frozen `CooperationAccess` (the cooperation and booleans: `can_read`,
`can_edit`, `can_validate`, `is_team`, `can_comment`, `can_request_documents`,
`can_supervise`, `can_read_ars_notes`), which templates read directly as `caps`. The scope is
resolved once per request (`request.scope`); nothing is stored on the cooperation.

A kit object already fetched in scope (a step, an activity) reaches its cooperation's rights
through `access_to(request, cooperation, need)`; there is no other door.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from cooperations import scoping
from cooperations.models import Cooperation
from cooperations.scoping import CooperationAccess

READ_ONLY = "Votre rôle donne un accès en lecture seule à cette coopération."
VALIDATORS_ONLY = "Seul un agent de l'ARS pilote peut valider ou renvoyer."
TEAM_ONLY = "Seuls les référents des établissements membres peuvent modifier et soumettre."
NO_COMMENT = "Votre rôle ne permet pas de commenter cette coopération."
NO_DOCUMENTS = (
    "Votre accès est en lecture seule : il ne permet pas de lancer la production d'un document."
)
SUPERVISORS_ONLY = (
    "Seuls les agents de l'ARS pilote et les administrateurs nationaux changent l'ARS pilote "
    "et les départements : faites-en la demande à l'ARS pilote."
)

# need -> (the right that grants it, the French 403 message)
NEEDS = {
    "read": ("can_read", ""),
    "edit": ("can_edit", READ_ONLY),
    "validate": ("can_validate", VALIDATORS_ONLY),
    "team": ("is_team", TEAM_ONLY),
    "comment": ("can_comment", NO_COMMENT),
    "documents": ("can_request_documents", NO_DOCUMENTS),
    "supervise": ("can_supervise", SUPERVISORS_ONLY),
}


def allows(access: CooperationAccess, need: str) -> bool:
    """Whether `access` grants `need` (a key of NEEDS): what a page offers (a button) is
    what the view behind it checks."""
    return bool(getattr(access, NEEDS[need][0]))


def check(access: CooperationAccess, need: str) -> CooperationAccess:
    """403 (French message) unless `access` grants `need` (a key of NEEDS)."""
    if not allows(access, need):
        raise PermissionDenied(NEEDS[need][1])
    return access


def cooperation_access(request, pk: int, need: str = "read", queryset=None) -> CooperationAccess:
    """Fetch cooperation `pk` in the request's scope (404 outside) and check `need` (403).

    `queryset` (of Cooperation) adds select_related/prefetches; the scope is applied to it.
    """
    if need not in NEEDS:
        raise ValueError(f"need inconnu : {need!r}")
    scope = scoping.request_scope(request)
    cooperation = get_object_or_404(scope.cooperations(queryset), pk=pk)
    scope.note_visible(cooperation)
    return check(scope.access(cooperation), need)


def access_to(request, cooperation: Cooperation, need: str = "read") -> CooperationAccess:
    """The same for a cooperation reached through an object already fetched in scope
    (a step, an activity): 404 if it is not in scope after all, 403 as above."""
    access = scoping.request_scope(request).access(cooperation)
    if access is None:
        raise Http404("Coopération introuvable.")
    return check(access, need)
