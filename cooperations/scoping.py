"""The one place that decides what a user may list, read, edit and validate.

Every view and every queryset of domain objects goes through these functions (directly,
or through `Cooperation.objects.visible_to(user)` and the `scoped_to()` helpers of the
other apps). An object outside the scope is answered with a 404, never a 403, so that
its existence does not leak.

| role                  | lists / reads                               | edits                   | validates (ARS)      |
|-----------------------|---------------------------------------------|-------------------------|----------------------|
| national admin        | everything                                  | everything              | no                   |
| ARS agent             | cooperations piloted by its ARS or touching | same as reads           | cooperations piloted |
|                       | a département of its region                 |                         | by its ARS           |
| referent / director   | cooperations where one of its EJ/ET is an   | same as reads           | no                   |
|                       | active member                               |                         |                      |
| COPIL guest           | the cooperations it is named on             | nothing                 | no                   |
"""

from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Value

from accounts.models import Role, User


def _base(queryset):
    from cooperations.models import Cooperation

    return queryset if queryset is not None else Cooperation.objects.all()


def cooperations_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    from cooperations.models import Cooperation

    qs = _base(queryset)
    if not user or not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_national_admin:
        return qs
    if user.role == Role.ARS_AGENT:
        if not user.ars_id:
            return qs.none()
        touches_region = _region_links(user.ars_id).filter(cooperation_id=OuterRef("pk"))
        return qs.filter(Q(pilot_ars_id=user.ars_id) | Exists(touches_region))
    if user.role == Role.REFERENT:
        return qs.with_member(**represented_ids(user))
    if user.role == Role.COPIL_GUEST:
        guests = Cooperation.copil_guests.through.objects.filter(
            cooperation_id=OuterRef("pk"), user_id=user.pk
        )
        return qs.filter(Exists(guests))
    return qs.none()


def _region_links(ars_id: int) -> QuerySet:
    """Links of cooperations to a département of the region. By département ids, so that
    the through table's departement_id index answers alone (no join to Departement)."""
    from cooperations.models import Cooperation
    from territories.choices import departement_ids_of

    return Cooperation.departements.through.objects.filter(
        departement_id__in=departement_ids_of(ars_id)
    ).order_by()


def cooperation_ids_visible_to(user) -> QuerySet:
    """The ids of cooperations_visible_to(user), shaped for reads that sweep most of the
    scope (the home page's reports due): for an ARS agent, a UNION of two index scans
    (piloted by the ARS; linked to one of its départements). PostgreSQL then starts from
    the region's few thousand ids, where the EXISTS of cooperations_visible_to made it test
    every tracked cooperation of the country against the region (40 ms against 16 ms at
    20 000 cooperations). Pages that filter or sort first keep the EXISTS, which lets them
    stop early. Same rows: tests/cooperations/test_scoping.py compares both for each role.
    """
    from cooperations.models import Cooperation

    visible = cooperations_visible_to(user).order_by()
    if visible.query.is_empty() or user.is_national_admin or user.role != Role.ARS_AGENT:
        return visible.values("pk")
    # An ARS agent with a region (cooperations_visible_to answered none otherwise).
    piloted = Cooperation.objects.filter(pilot_ars_id=user.ars_id).order_by().values("pk")
    return piloted.union(_region_links(user.ars_id).values("cooperation_id"))


def represented_ids(user) -> dict:
    """The ids of what a referent represents, resolved once (one small query) so that
    the scope filter is a plain IN on indexed foreign keys, fast at national scale.

    A referent of an ET also acts for its EJ's memberships; a referent of an EJ also acts
    for the memberships of the EJ's sites.
    """
    from territories.models import Establishment

    # A page asks several times (list, capabilities): resolve once per request's user object.
    cached = getattr(user, "_kc_represented_ids", None)
    if cached is not None:
        return cached
    own_ets = User.establishments.through.objects.filter(user_id=user.pk).order_by()
    own_ejs = User.legal_entities.through.objects.filter(user_id=user.pk).order_by()
    # One round trip, three indexed branches (an OR of two IN subqueries made PostgreSQL
    # scan every establishment): the user's EJs (kind 0), the user's ETs with their EJ and
    # the ETs of the user's EJs (kind 1).
    one, zero = Value(1, IntegerField()), Value(0, IntegerField())
    rows = (
        own_ejs.annotate(kind=zero, et=Value(None, IntegerField()))
        .values_list("kind", "et", "legalentity_id")
        .union(
            own_ets.annotate(kind=one).values_list(
                "kind", "establishment_id", "establishment__legal_entity_id"
            ),
            Establishment.objects.filter(legal_entity_id__in=own_ejs.values("legalentity_id"))
            .order_by()
            .annotate(kind=one)
            .values_list("kind", "pk", "legal_entity_id"),
            all=True,
        )
    )
    et_ids: set[int] = set()
    ej_ids: set[int] = set()
    for kind, et_id, ej_id in rows:
        if kind == 0:
            ej_ids.add(ej_id)
        else:
            et_ids.add(et_id)
            ej_ids.add(ej_id)
    user._kc_represented_ids = {"establishment_ids": et_ids, "legal_entity_ids": ej_ids}
    return user._kc_represented_ids


def _edits_what_it_reads(user) -> bool:
    # The table above: every role edits what it reads, except COPIL guests.
    return (
        user.is_authenticated
        and user.is_active
        and (user.role != Role.COPIL_GUEST or user.is_superuser)
    )


def cooperations_editable_by(user, queryset: QuerySet | None = None) -> QuerySet:
    qs = _base(queryset)
    if not user or not _edits_what_it_reads(user):
        return qs.none()
    return cooperations_visible_to(user, qs)


def can_create_cooperation(user) -> bool:
    return user.is_authenticated and (
        user.is_national_admin or user.is_ars_agent or user.role == Role.REFERENT
    )


def can_read(user, cooperation) -> bool:
    return cooperations_visible_to(user).filter(pk=cooperation.pk).exists()


def mark_visible(user, cooperation):
    """Note on the instance that it was fetched through cooperations_visible_to(user)."""
    cooperation._kc_visible_for = user.pk
    return cooperation


def can_edit(user, cooperation) -> bool:
    if user.pk is not None and getattr(cooperation, "_kc_visible_for", None) == user.pk:
        # Already fetched in the user's read scope: no second scope query per page.
        return _edits_what_it_reads(user)
    return cooperations_editable_by(user).filter(pk=cooperation.pk).exists()


def is_project_team(user, cooperation) -> bool:
    """Members' referents: the people who fill and submit the project's sheets."""
    if not user.is_authenticated or user.role != Role.REFERENT:
        return False
    from cooperations.models import Cooperation

    return (
        Cooperation.objects.filter(pk=cooperation.pk).with_member(**represented_ids(user)).exists()
    )


def can_validate(user, cooperation) -> bool:
    """Only an agent of the pilot ARS validates (KIT 1 steps, approvals)."""
    return (
        user.is_authenticated
        and user.role == Role.ARS_AGENT
        and user.ars_id is not None
        and user.ars_id == cooperation.pilot_ars_id
    )


def is_pilot_ars_agent(user, cooperation) -> bool:
    """An ARS agent of the cooperation's pilot ARS (the briefing's shared predicate)."""
    return (
        user.is_authenticated
        and user.role == Role.ARS_AGENT
        and user.ars_id is not None
        and user.ars_id == cooperation.pilot_ars_id
    )


def can_read_ars_notes(user, cooperation) -> bool:
    """ARS private notes: agents of the pilot ARS and national admins, nobody else."""
    return is_pilot_ars_agent(user, cooperation) or (
        user.is_authenticated and user.is_national_admin
    )


def user_capabilities(user, cooperation) -> dict:
    """What the templates need to show or hide actions, computed once per page."""
    editable = can_edit(user, cooperation)
    return {
        "can_edit": editable,
        "can_validate": can_validate(user, cooperation),
        "is_project_team": is_project_team(user, cooperation),
        "read_only": not editable,
    }
