"""The one place that decides what a user may list, read, edit, validate and supervise.

Every view and every queryset of domain objects goes through this module (directly, through
`Cooperation.objects.visible_to(user)` and the `visible_to()` helpers of the other apps, or
through the door `cooperations.access.cooperation_access(request, pk, need=...)`). An object
outside the scope is answered with a 404, never a 403, so that its existence does not leak;
inside the scope, an act the role does not allow answers 403 with a French message.

The supervision rule (also in docs/ARCHITECTURE.md, "Supervision"):

| role                          | reads                         | edits project content   | validates, supervises |
|-------------------------------|-------------------------------|-------------------------|-----------------------|
| national admin                | everything                    | everything              | supervises (pilot ARS,|
|                               |                               |                         | départements); never  |
|                               |                               |                         | validates KIT 1 steps |
| agent of the pilot ARS        | cooperations its ARS pilots   | yes                     | validates, approves,  |
|                               |                               |                         | supervises            |
| agent of a concerned ARS      | cooperations touching a       | no (403): comments and  | no                    |
| (another region's département)| département of its region     | asks for documents only |                       |
| project team (referents of    | cooperations where one of its | yes (not the pilot ARS  | no: asks the pilot ARS|
| member EJ/ET)                 | EJ/ET is an active member     | nor the départements)   | to move it (request)  |
| COPIL guest                   | the cooperations it is named  | nothing: no comment, no | no                    |
|                               | on                            | document job            |                       |

"Supervision fields" are the pilot ARS and the départements concerned: they decide who
validates and who sees the cooperation, so only the pilot ARS's agents and national admins
change them; the project team (or a concerned ARS) files a `SupervisionChangeRequest` that
the pilot ARS accepts or refuses (cooperations/supervision.py).

The scope of a user is resolved once per request: `ScopeMiddleware` puts a `Scope` on the
request (`request.scope`) and makes it the current one, so that `scope_for(user)` called deep
in a queryset answers from it (the referent's represented ids: one query per request). No
mark is ever set on model instances.
"""

from contextvars import ContextVar
from dataclasses import dataclass

from django.db.models import Exists, IntegerField, Q, QuerySet, Value

from accounts.models import Role, User

_current_scope: ContextVar["Scope | None"] = ContextVar("kitcoop_scope", default=None)


@dataclass(frozen=True)
class CooperationAccess:
    """What one user may do with one cooperation: read directly by templates (`caps.can_edit`).

    `can_read` is always true for an access that exists (outside the scope: 404 instead).
    """

    cooperation: object
    can_read: bool = True
    can_edit: bool = False
    can_validate: bool = False
    is_team: bool = False
    can_comment: bool = False
    can_request_documents: bool = False
    can_supervise: bool = False
    can_read_ars_notes: bool = False
    is_pilot_ars_agent: bool = False

    @property
    def is_project_team(self) -> bool:
        return self.is_team

    @property
    def read_only(self) -> bool:
        return not self.can_edit

    def __getitem__(self, key: str):
        # Older callers read the capabilities as a dict (caps["is_project_team"]).
        return getattr(self, key)


class Scope:
    """One user's scope, resolved lazily and at most once (per request, see ScopeMiddleware).

    Built on a user, or on a request (then its user is read when first needed); ids and
    visibility answers are cached here, never on the user or on a cooperation instance.
    """

    def __init__(self, user=None, *, request=None):
        self._user = user
        self._request = request
        self._represented: dict | None = None
        self._visible: dict[int, bool] = {}
        self._user_pk = None

    @property
    def user(self):
        user = self._request.user if self._request is not None else self._user
        if user is not None and user.pk != self._user_pk:
            # Signed in or out during the request: what was resolved belonged to another user.
            self._user_pk, self._represented, self._visible = user.pk, None, {}
        return user

    # -- querysets -------------------------------------------------------------------------

    def represented_ids(self) -> dict:
        if self._represented is None:
            self._represented = _represented_ids_query(self.user)
        return self._represented

    def cooperations(self, queryset: QuerySet | None = None) -> QuerySet:
        return _visible(self, _base(queryset))

    def editable(self, queryset: QuerySet | None = None) -> QuerySet:
        return _editable(self, _base(queryset))

    def validatable(self, queryset: QuerySet | None = None) -> QuerySet:
        return _validatable(self, _base(queryset))

    # -- one cooperation -------------------------------------------------------------------

    def note_visible(self, cooperation) -> None:
        """Record that this cooperation was fetched through `cooperations()` (no re-check)."""
        self._visible[cooperation.pk] = True

    def is_visible(self, cooperation) -> bool:
        user = self.user
        if not _active(user):
            return False
        if user.is_national_admin or _is_pilot_agent(user, cooperation):
            return True
        if cooperation.pk not in self._visible:
            self._visible[cooperation.pk] = self.cooperations().filter(pk=cooperation.pk).exists()
        return self._visible[cooperation.pk]

    def access(self, cooperation) -> CooperationAccess | None:
        """The user's rights on `cooperation`, or None when it is outside the scope."""
        if not self.is_visible(cooperation):
            return None
        user = self.user
        admin = user.is_national_admin
        pilot = _is_pilot_agent(user, cooperation)
        # A referent reads only cooperations it is a member of: visible means team.
        team = user.role == Role.REFERENT and not admin
        guest = user.role == Role.COPIL_GUEST and not admin
        return CooperationAccess(
            cooperation=cooperation,
            can_edit=admin or pilot or team,
            can_validate=pilot,
            is_team=team,
            can_comment=not guest,
            can_request_documents=not guest,
            can_supervise=admin or pilot,
            can_read_ars_notes=admin or pilot,
            is_pilot_ars_agent=pilot,
        )


def scope_for(user) -> Scope:
    """The current request's scope when it is this user's, else a fresh (uncached) one."""
    current = _current_scope.get()
    if current is not None and user is not None and _same_user(current.user, user):
        return current
    return Scope(user)


def _same_user(a, b) -> bool:
    if a is b:
        return True
    try:
        return a.is_authenticated and b.is_authenticated and a.pk == b.pk
    except AttributeError:
        return False


class ScopeMiddleware:
    """Puts `request.scope` on each request and makes it current for `scope_for(user)`.

    After django.contrib.auth's AuthenticationMiddleware; the scope reads `request.user`
    when first needed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = Scope(request=request)
        token = _current_scope.set(request.scope)
        try:
            return self.get_response(request)
        finally:
            _current_scope.reset(token)


def request_scope(request) -> Scope:
    """The request's scope (one per request), also outside the middleware (tests, RequestFactory)."""
    scope = getattr(request, "scope", None)
    if scope is None:
        scope = request.scope = Scope(request=request)
    return scope


# -- the rule, as queries -----------------------------------------------------------------


def _base(queryset):
    from cooperations.models import Cooperation

    return queryset if queryset is not None else Cooperation.objects.all()


def _active(user) -> bool:
    return bool(user) and user.is_authenticated and user.is_active


def _is_pilot_agent(user, cooperation) -> bool:
    return (
        _active(user)
        and user.role == Role.ARS_AGENT
        and user.ars_id is not None
        and user.ars_id == cooperation.pilot_ars_id
    )


def _visible(scope: Scope, qs: QuerySet) -> QuerySet:
    user = scope.user
    if not _active(user):
        return qs.none()
    if user.is_national_admin:
        return qs
    if user.role == Role.ARS_AGENT:
        if not user.ars_id:
            return qs.none()
        return qs.filter(Q(pilot_ars_id=user.ars_id) | Exists(qs.touching_region(user.ars_id)))
    if user.role == Role.REFERENT:
        return qs.with_member(**scope.represented_ids())
    if user.role == Role.COPIL_GUEST:
        return qs.with_copil_guest(user.pk)
    return qs.none()


def _editable(scope: Scope, qs: QuerySet) -> QuerySet:
    """Cooperations whose project content the user may change (the table above)."""
    user = scope.user
    if not _active(user):
        return qs.none()
    if user.is_national_admin:
        return qs
    if user.role == Role.ARS_AGENT:
        # Only the pilot ARS: a concerned département gives reading, not editing.
        return qs.filter(pilot_ars_id=user.ars_id) if user.ars_id else qs.none()
    if user.role == Role.REFERENT:
        return qs.with_member(**scope.represented_ids())
    return qs.none()


def _validatable(scope: Scope, qs: QuerySet) -> QuerySet:
    """Cooperations whose steps and convention the user validates or decides on: those its
    ARS pilots, for an ARS agent; none for anyone else (national admins included)."""
    user = scope.user
    if not _active(user) or user.role != Role.ARS_AGENT or not user.ars_id:
        return qs.none()
    return qs.filter(pilot_ars_id=user.ars_id)


def cooperations_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    return scope_for(user).cooperations(queryset)


def cooperations_editable_by(user, queryset: QuerySet | None = None) -> QuerySet:
    return scope_for(user).editable(queryset)


def cooperations_validatable_by(user, queryset: QuerySet | None = None) -> QuerySet:
    """The QuerySet form of `can_validate`: the same cooperations, for lists."""
    return scope_for(user).validatable(queryset)


def _region_links(ars_id: int) -> QuerySet:
    """Links of cooperations to a département of the region (see CooperationQuerySet)."""
    from cooperations.models import Cooperation

    return Cooperation.objects.region_links(ars_id)


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
    """What a referent represents: {"establishment_ids": set, "legal_entity_ids": set},
    resolved once per request (see Scope)."""
    return scope_for(user).represented_ids()


def _represented_ids_query(user) -> dict:
    """The ids of what a referent represents, in one small query, so that the scope filter
    is a plain IN on indexed foreign keys, fast at national scale.

    A referent of an ET also acts for its EJ's memberships; a referent of an EJ also acts
    for the memberships of the EJ's sites.
    """
    from territories.models import Establishment

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
    return {"establishment_ids": et_ids, "legal_entity_ids": ej_ids}


# -- one cooperation: thin predicates over Scope.access ------------------------------------


def can_create_cooperation(user) -> bool:
    return user.is_authenticated and (
        user.is_national_admin or user.is_ars_agent or user.role == Role.REFERENT
    )


def access_of(user, cooperation) -> CooperationAccess | None:
    return scope_for(user).access(cooperation)


def _has(user, cooperation, right: str) -> bool:
    access = access_of(user, cooperation)
    return bool(access and getattr(access, right))


def can_read(user, cooperation) -> bool:
    return access_of(user, cooperation) is not None


def can_edit(user, cooperation) -> bool:
    return _has(user, cooperation, "can_edit")


def can_comment(user, cooperation) -> bool:
    return _has(user, cooperation, "can_comment")


def can_request_documents(user, cooperation) -> bool:
    return _has(user, cooperation, "can_request_documents")


def can_supervise(user, cooperation) -> bool:
    """Change the pilot ARS or the départements, decide a supervision change request."""
    return _has(user, cooperation, "can_supervise")


def is_project_team(user, cooperation) -> bool:
    """Members' referents: the people who fill and submit the project's sheets."""
    return _has(user, cooperation, "is_team")


def can_validate(user, cooperation) -> bool:
    """Only an agent of the pilot ARS validates (KIT 1 steps, approvals)."""
    return _is_pilot_agent(user, cooperation)


def can_read_ars_notes(user, cooperation) -> bool:
    """ARS private notes: agents of the pilot ARS and national admins, nobody else."""
    return _is_pilot_agent(user, cooperation) or (user.is_authenticated and user.is_national_admin)
