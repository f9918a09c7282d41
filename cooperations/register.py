"""GHT and groupements of the FINESS "Structures" flux, as cooperations.

Called by territories/register_json.py inside the import's transaction (registered in
CooperationsConfig.ready()), after the legal entities and sites are upserted.

- `gcc` (GHT): one cooperation of legal form GHT per `gccId`, found again by its register id
  or by its SAE code (`external_code` "GHT-<gccIdentifiantExterne>", the key the demo uses),
  piloted by the ARS of its support establishment; members are the legal entities (and
  sites) the register lists, with the role "établissement support" (S) or "membre" (M).
- `gco` (groupements de coopération): the groupement is itself a legal entity (`pmSmsseId`);
  its legal form comes from that entity's statut juridique, refined by `typeGco`
  (territories.nomenclatures.groupement_legal_form, documented in docs/register.md); its ARS
  is the one of the groupement's address.

Idempotent and respectful of users' work: a re-import creates what is missing, updates the
register's own facts (kept in RegisterGrouping) and its own members, and never touches the
cooperation's objectives, phase, dates, a title a user changed, members users added, nor any
KIT 1–3 data. A member the register no longer lists is withdrawn (left_on), not deleted.
Members the register names but the database does not hold are counted and listed: "the
composition is not known in full" is said on the pages rather than guessed.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cooperations.models import (
    Cooperation,
    LegalForm,
    MemberRole,
    Membership,
    Phase,
    RegisterGrouping,
)
from territories.models import ARS, Departement, Establishment, LegalEntity
from territories.nomenclatures import GCO_TYPES, groupement_legal_form
from territories.register_json import first, text

MAX_LISTED = 30


def ght_title(name: str) -> str:
    name = " ".join(name.split())
    return name if name.upper().startswith("GHT") else f"GHT {name}"


class _Context:
    """Everything the groupings need, read in a constant number of queries."""

    def __init__(self, groupings, report):
        self.report = report
        self.today = timezone.localdate()
        self.generated_at = groupings.generated_at
        self.forms = {f.code: f for f in LegalForm.objects.all()}
        self.ars_by_region = {a.region_code: a for a in ARS.objects.all()}
        self.ars_by_pk = {a.pk: a for a in self.ars_by_region.values()}
        self.departement_ars = dict(Departement.objects.values_list("pk", "ars_id"))
        pm_ids, ege_ids = set(), set()
        for ght in groupings.ght:
            pm_ids |= {_pm_id(m) for m in ght.get("pmejDuGcc") or []}
            ege_ids |= {text((m or {}).get("egeId")) for m in ght.get("egeDuGcc") or []}
        for gco in groupings.groupements:
            pm_ids.add(_pm_id(gco))
            pm_ids |= {_pm_id(m) for m in gco.get("pmejDuGco") or []}
            ege_ids |= {text((m or {}).get("egeId")) for m in gco.get("egeDuGco") or []}
        self.entity_by_register = groupings.entity_ids(pm_ids)
        self.site_by_register = groupings.establishment_ids(ege_ids)
        self.entities = {
            e.pk: e
            for e in LegalEntity.objects.filter(pk__in=list(self.entity_by_register.values()))
        }
        self.sites = dict(
            Establishment.objects.filter(pk__in=list(self.site_by_register.values())).values_list(
                "pk", "departement_id"
            )
        )
        self.existing = {
            (g.kind, g.register_id): g
            for g in RegisterGrouping.objects.select_related("cooperation")
        }
        self.by_code = {
            c.external_code: c
            for c in Cooperation.objects.filter(external_code__startswith="GHT-").exclude(
                register_grouping__isnull=False
            )
        }
        self.counts: Counter = Counter()
        self.unresolved_total = 0
        self.plans: list = []

    def ars_of_departement(self, departement_id):
        ars_id = self.departement_ars.get(departement_id)
        return self.ars_by_pk.get(ars_id) if ars_id else None


def _pm_id(item) -> str:
    return text(first(item or {}, "pmSmsseId", "pm_smsseId", default=""))


def _members(context: _Context, pm_items, ege_items, *, support_role: str):
    """([(("ej"|"et", pk), role)], unresolved ids, departement ids)."""
    resolved, unresolved, departements = [], [], []
    for item in pm_items or []:
        register_id = _pm_id(item)
        role = support_role if text(item.get("typeRoleEntiteGroupe")) == "S" else MemberRole.MEMBRE
        pk = context.entity_by_register.get(register_id)
        if pk is None:
            unresolved.append(f"pmSmsseId {register_id}")
            continue
        resolved.append((("ej", pk), role))
        departements.append(context.entities[pk].departement_id)
    for item in ege_items or []:
        register_id = text((item or {}).get("egeId"))
        role = support_role if text(item.get("typeRoleEntiteGroupe")) == "S" else MemberRole.MEMBRE
        pk = context.site_by_register.get(register_id)
        if pk is None:
            unresolved.append(f"egeId {register_id}")
            continue
        resolved.append((("et", pk), role))
        departements.append(context.sites[pk])
    return resolved, unresolved, [d for d in departements if d]


@dataclass
class _Plan:
    """What one GHT or groupement of the file asks for, applied in bulk by _apply()."""

    kind: str
    register_id: str
    register_name: str
    type_code: str
    reason: str
    declared: int
    unresolved: list
    resolved: list  # [(("ej"|"et", pk), role)]
    closed: bool
    legal_entity: object = None
    grouping: object = None  # RegisterGrouping already in the database
    cooperation: object = None  # existing cooperation
    create: dict | None = None  # fields of a cooperation to create
    departements: set = field(default_factory=set)


def _apply(context: _Context) -> None:
    """Create the new cooperations, their départements and every membership in bulk; update
    the existing ones' register facts. A constant number of queries per batch."""
    plans = context.plans
    new = [plan for plan in plans if plan.create is not None]
    created = bulk_create_with_history(
        [Cooperation(**plan.create) for plan in new], Cooperation, batch_size=500
    )
    links = []
    through = Cooperation.departements.through
    for plan, cooperation in zip(new, created, strict=True):
        plan.cooperation = cooperation
        ids = plan.departements or {
            pk
            for pk, ars_id in context.departement_ars.items()
            if ars_id == cooperation.pilot_ars_id
        }
        links += [through(cooperation_id=cooperation.pk, departement_id=d) for d in sorted(ids)]
    through.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
    # Bulk inserts send no signal: the regional dashboards learn of the new cooperations here.
    from cooperations import dashboard

    dashboard.bump_after_commit(
        known={c.pilot_ars_id for c in created}
        | {context.departement_ars.get(link.departement_id) for link in links}
    )
    existing_ids = [plan.cooperation.pk for plan in plans if plan.create is None]
    active: dict[int, dict] = defaultdict(dict)
    for membership in Membership.objects.active().filter(cooperation_id__in=existing_ids):
        key = (
            ("et", membership.establishment_id)
            if membership.establishment_id
            else ("ej", membership.legal_entity_id)
        )
        active[membership.cooperation_id][key] = membership
    additions, owners = [], []
    kept: dict[int, set] = defaultdict(set)
    for index, plan in enumerate(plans):
        cooperation = plan.cooperation
        current = active.get(cooperation.pk, {})
        imported = set(plan.grouping.imported_membership_ids if plan.grouping else [])
        wanted = dict(plan.resolved)
        for key, role in wanted.items():
            membership = current.get(key)
            if membership is None:
                additions.append(
                    Membership(
                        cooperation_id=cooperation.pk,
                        establishment_id=key[1] if key[0] == "et" else None,
                        legal_entity_id=key[1] if key[0] == "ej" else None,
                        role=role,
                    )
                )
                owners.append(index)
            elif membership.pk in imported:
                kept[index].add(membership.pk)
                if membership.role != role:
                    membership.role = role
                    membership.save(update_fields=["role"])
                    context.counts["roles_changed"] += 1
        for key, membership in current.items():
            if key not in wanted and membership.pk in imported:
                membership.left_on = max(context.today, membership.joined_on or context.today)
                membership.save(update_fields=["left_on"])
                context.counts["members_withdrawn"] += 1
    added = bulk_create_with_history(additions, Membership, batch_size=1000)
    context.counts["members_added"] += len(added)
    for index, membership in zip(owners, added, strict=True):
        kept[index].add(membership.pk)
    groupings_new, groupings_old = [], []
    for index, plan in enumerate(plans):
        grouping = plan.grouping or RegisterGrouping(cooperation=plan.cooperation)
        grouping.kind = plan.kind
        grouping.register_id = plan.register_id[:20]
        grouping.register_name = plan.register_name[:255]
        grouping.type_code = plan.type_code[:10]
        grouping.legal_form_reason = plan.reason[:255]
        grouping.legal_entity = plan.legal_entity
        grouping.members_declared = plan.declared
        grouping.members_unresolved = plan.unresolved[:MAX_LISTED]
        grouping.imported_membership_ids = sorted(kept[index])
        grouping.is_closed = plan.closed
        grouping.generated_at = context.generated_at[:40]
        (groupings_old if plan.grouping else groupings_new).append(grouping)
    RegisterGrouping.objects.bulk_create(groupings_new, batch_size=1000)
    RegisterGrouping.objects.bulk_update(
        groupings_old,
        [
            "register_name", "type_code", "legal_form_reason", "legal_entity", "members_declared",
            "members_unresolved", "imported_membership_ids", "is_closed", "generated_at",
            "imported_at",
        ],
        batch_size=500,
    )  # fmt: skip


def _create_fields(*, title, pilot_ars, legal_form, code, objectives, closed) -> dict:
    return {
        "title": title[:255],
        "pilot_ars": pilot_ars,
        "legal_form": legal_form,
        "nature": legal_form.nature if legal_form else "",
        "phase": Phase.CLOTUREE if closed else Phase.METTRE_EN_OEUVRE,
        "external_code": code[:30],
        "objectives": objectives,
    }


def _update_title(cooperation, grouping, new_title: str, previous_title: str) -> bool:
    # The register's name changed and the cooperation still bears the old one: follow it.
    # A title a user rewrote is theirs.
    if cooperation.title == previous_title and new_title != previous_title:
        cooperation.title = new_title[:255]
        cooperation.save(update_fields=["title", "updated_at"])
        return True
    return False


def import_ght(context: _Context, item: dict) -> None:
    report = context.report
    register_id = text(item.get("gccId"))
    code = text(item.get("gccIdentifiantExterne"))
    name = text(item.get("nomGcc")) or f"GHT {code or register_id}"
    ref = f"GHT {code or register_id}"
    resolved, unresolved, departements = _members(
        context, item.get("pmejDuGcc"), item.get("egeDuGcc"), support_role=MemberRole.SUPPORT
    )
    declared = len(item.get("pmejDuGcc") or []) + len(item.get("egeDuGcc") or [])
    supports = [key for key, role in resolved if role == MemberRole.SUPPORT]
    pilot = None
    if supports:
        kind, pk = supports[0]
        departement = context.entities[pk].departement_id if kind == "ej" else context.sites[pk]
        pilot = context.ars_of_departement(departement)
    if pilot is None and departements:
        majority = Counter(context.departement_ars.get(d) for d in departements).most_common(1)
        pilot = context.ars_by_pk.get(majority[0][0]) if majority else None
    if pilot is None and code[:2] in context.ars_by_region:
        # SAE GHT codes are the region code followed by a serial (27103: Bourgogne-Franche-Comté).
        pilot = context.ars_by_region[code[:2]]
        report.note(None, f"ARS pilote lue dans le code GHT {code} (aucun membre connu)", ref=ref)
    if pilot is None:
        report.reject(
            None, "GHT sans ARS déterminable (aucun membre connu, code illisible)", ref=ref
        )
        return
    if unresolved:
        context.unresolved_total += len(unresolved)
        report.note(
            None,
            f"{len(unresolved)} membre(s) sur {declared} absent(s) du fichier ou du référentiel : "
            "composition incomplète",
            ref=ref,
        )
    closed = text(item.get("etatObjet")) == "I"
    grouping = context.existing.get((RegisterGrouping.Kind.GHT, register_id))
    title = ght_title(name)
    plan = _Plan(
        kind=RegisterGrouping.Kind.GHT,
        register_id=register_id,
        register_name=name,
        type_code=text(item.get("typeGcc")),
        reason="GHT (flux gcc du registre FINESS)",
        declared=declared,
        unresolved=unresolved,
        resolved=resolved,
        closed=closed,
        grouping=grouping,
        departements=set(departements),
    )
    if grouping is not None:
        plan.cooperation = grouping.cooperation
        if _update_title(plan.cooperation, grouping, title, ght_title(grouping.register_name)):
            context.counts["ght_renamed"] += 1
        context.counts["ght_updated"] += 1
    elif f"GHT-{code}" in context.by_code:
        plan.cooperation = context.by_code[f"GHT-{code}"]
        context.counts["ght_linked"] += 1
    else:
        plan.create = _create_fields(
            title=title,
            pilot_ars=pilot,
            legal_form=context.forms.get("ght"),
            code=f"GHT-{code or register_id}",
            objectives=(
                f"Groupement hospitalier de territoire inscrit au répertoire FINESS (code {code}). "
                "Composition et établissement support tenus à jour par l'import du registre."
            ),
            closed=closed,
        )
        context.counts["ght_created"] += 1
    context.plans.append(plan)


def import_groupement(context: _Context, item: dict) -> None:
    report = context.report
    register_id = _pm_id(item)
    gco_type = text(item.get("typeGco"))
    ref = f"groupement pmSmsseId {register_id}"
    entity_pk = context.entity_by_register.get(register_id)
    if entity_pk is None:
        context.counts["groupements_unresolved"] += 1
        report.note(
            None,
            f"{GCO_TYPES.get(gco_type, 'type ' + (gco_type or 'absent'))} ; l'entité juridique du "
            "groupement est absente du fichier : non importé",
            ref=ref,
        )
        return
    entity = context.entities[entity_pk]
    ref = f"groupement {entity.finess}"
    form_code, reason = groupement_legal_form(entity.legal_status_code, gco_type)
    legal_form = context.forms.get(form_code) if form_code else None
    if form_code and legal_form is None:
        report.note(None, f"forme juridique « {form_code} » absente du catalogue", ref=ref)
    if legal_form is None:
        reason = f"{reason} — forme juridique non déterminée"
    pilot = context.ars_of_departement(entity.departement_id)
    if pilot is None:
        report.note(None, "groupement hors ARS : non importé comme coopération", ref=ref)
        context.counts["groupements_without_ars"] += 1
        return
    resolved, unresolved, departements = _members(
        context, item.get("pmejDuGco"), item.get("egeDuGco"), support_role=MemberRole.PORTEUR
    )
    declared = len(item.get("pmejDuGco") or []) + len(item.get("egeDuGco") or [])
    if unresolved:
        context.unresolved_total += len(unresolved)
    grouping = context.existing.get((RegisterGrouping.Kind.GROUPEMENT, register_id))
    title = entity.display_name
    plan = _Plan(
        kind=RegisterGrouping.Kind.GROUPEMENT,
        register_id=register_id,
        register_name=title,
        type_code=gco_type,
        reason=reason,
        declared=declared,
        unresolved=unresolved,
        resolved=resolved,
        closed=entity.is_closed,
        legal_entity=entity,
        grouping=grouping,
        departements={d for d in [*departements, entity.departement_id] if d},
    )
    if grouping is not None:
        plan.cooperation = grouping.cooperation
        _update_title(plan.cooperation, grouping, title, grouping.register_name)
        context.counts["groupements_updated"] += 1
    else:
        plan.create = _create_fields(
            title=title,
            pilot_ars=pilot,
            legal_form=legal_form,
            code=f"GCO-{entity.finess}",
            objectives=(
                f"Groupement inscrit au répertoire FINESS (entité juridique {entity.finess}). "
                f"Forme juridique déduite du registre : {reason}."
            ),
            closed=entity.is_closed,
        )
        context.counts["groupements_created"] += 1
    context.plans.append(plan)


def import_groupings(groupings, report) -> None:
    """Grouping handler (see territories.register_json.register_grouping_handler)."""
    if not groupings.ght and not groupings.groupements:
        return
    context = _Context(groupings, report)
    for item in groupings.ght:
        if isinstance(item, dict):
            import_ght(context, item)
    for item in groupings.groupements:
        if isinstance(item, dict):
            import_groupement(context, item)
    _apply(context)
    counts = context.counts
    report.counts.update({f"register_{k}": v for k, v in counts.items()})
    lines = report.counts.setdefault("grouping_lines", [])
    lines.append(
        f"GHT : {len(groupings.ght)} dans le fichier ; créés : {counts['ght_created']} ; "
        f"mis à jour : {counts['ght_updated'] + counts['ght_linked']} "
        f"(dont {counts['ght_linked']} rapprochés d'un GHT existant par leur code)"
    )
    lines.append(
        f"Groupements de coopération : {len(groupings.groupements)} dans le fichier ; créés : "
        f"{counts['groupements_created']} ; mis à jour : {counts['groupements_updated']} ; "
        f"entité juridique absente : {counts['groupements_unresolved']} ; hors ARS : "
        f"{counts['groupements_without_ars']}"
    )
    lines.append(
        f"Membres ajoutés : {counts['members_added']} ; retirés : {counts['members_withdrawn']} ; "
        f"membres cités par le registre mais introuvables : {context.unresolved_total}"
    )
    for kind in ("ght_created", "members_added", "members_withdrawn"):
        if counts[kind]:
            report.changes.setdefault("counts", {})[kind] = counts[kind]
