"""Fetch helpers every kit's views use: visible → 404 otherwise; editable → 403 if read-only.

The 404/403 rule, written down: an object outside the user's scope answers 404 (its
existence does not leak). An object in scope that the user may read but not change
(a COPIL guest, an ARS agent of another region reading a shared département…) answers
403 on a write URL, with a French message.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from cooperations import scoping
from cooperations.models import Cooperation


def get_visible_cooperation(request, pk: int, queryset=None) -> Cooperation:
    queryset = queryset if queryset is not None else Cooperation.objects.all()
    cooperation = get_object_or_404(queryset.visible_to(request.user), pk=pk)
    return scoping.mark_visible(request.user, cooperation)


READ_ONLY = "Votre rôle donne un accès en lecture seule à cette coopération."


def require_editable(request, cooperation: Cooperation) -> None:
    """For a kit object already fetched in scope: 403 if its cooperation is read-only."""
    if not scoping.can_edit(request.user, cooperation):
        raise PermissionDenied(READ_ONLY)


def get_editable_cooperation(request, pk: int, queryset=None) -> Cooperation:
    cooperation = get_visible_cooperation(request, pk, queryset)
    require_editable(request, cooperation)
    return cooperation


def require_validator(request, cooperation: Cooperation) -> None:
    if not scoping.can_validate(request.user, cooperation):
        raise PermissionDenied("Seul un agent de l'ARS pilote peut valider ou renvoyer.")


def require_project_team(request, cooperation: Cooperation) -> None:
    if not scoping.is_project_team(request.user, cooperation):
        raise PermissionDenied(
            "Seuls les référents des établissements membres peuvent modifier et soumettre."
        )
