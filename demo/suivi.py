"""KIT 3 demo: activities, slipped and on-time deliverables, risks and past status reports
for the GHT and GCS demo cooperations. Idempotent (natural keys: titles, period ends).

Dates are relative to the day of loading so that the demo always shows a project in
progress: some deliverables done, some slipping, milestones ahead.
"""

import uuid
from datetime import date, timedelta

from django.utils import timezone

from suivi import planning, services
from suivi.models import (
    Activity,
    CopilMeeting,
    DateRevision,
    Deliverable,
    ProjectSettings,
    Risk,
    RiskCategory,
    StatusReport,
)


def _d(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


# cooperation key -> activities: (title, lead, objectives, resources, deliverables)
# deliverable: (kind, title, planned offset, revised offset or None, done offset or None,
#               progress, weight, revision reason)
PLANS = {
    "ght": [
        (
            "Filière gériatrique de territoire",
            "Dr Claire Vidal, gériatre",
            "Organiser un parcours gériatrique gradué entre le CH support et les hôpitaux de proximité.",
            "0,5 ETP de coordination, équipe mobile de gériatrie, temps médical partagé.",
            [
                (
                    "livrable",
                    "Cartographie de l'offre gériatrique du territoire",
                    -120,
                    None,
                    -125,
                    100,
                    1,
                    "",
                ),
                (
                    "livrable",
                    "Recrutement de l'équipe mobile de gériatrie partagée",
                    -45,
                    20,
                    None,
                    60,
                    3,
                    "Deux postes d'infirmier restés vacants après le premier appel à candidatures.",
                ),
                (
                    "jalon",
                    "Validation du parcours par la commission médicale de groupement",
                    35,
                    None,
                    None,
                    0,
                    1,
                    "",
                ),
            ],
        ),
        (
            "Dossier patient informatisé commun",
            "M. Paul Chevalier, directeur du système d'information",
            "Converger vers un dossier patient unique pour les six établissements du GHT.",
            "Équipe projet DSI de territoire, budget d'investissement mutualisé.",
            [
                (
                    "livrable",
                    "Choix de l'éditeur du dossier patient",
                    -75,
                    -60,
                    -60,
                    100,
                    2,
                    "Audition complémentaire de deux éditeurs demandée par le COPIL.",
                ),
                (
                    "livrable",
                    "Déploiement pilote au CH de Fleyriat",
                    60,
                    80,
                    None,
                    25,
                    3,
                    "Reprise des données de l'ancien logiciel plus longue que prévu.",
                ),
                ("jalon", "Bascule de l'ensemble des sites", 240, None, None, 0, 1, ""),
            ],
        ),
        (
            "Achats mutualisés",
            "Mme Inès Lambert, responsable achats de territoire",
            "Passer les marchés communs sous la responsabilité de l'établissement support.",
            "Cellule achats de territoire (3 ETP).",
            [
                ("livrable", "Marché commun de fournitures hôtelières", 45, None, None, 40, 2, ""),
                ("livrable", "Plan d'action achats de l'année", -20, None, -22, 100, 1, ""),
            ],
        ),
    ],
    "gcs": [
        (
            "Autorisation et installation de l'IRM partagée",
            "Dr Marc Olivier, radiologue",
            "Obtenir l'autorisation d'équipement lourd et installer la seconde IRM sur le site du CHU.",
            "Chef de projet du GCS, bureau d'études, enveloppe d'investissement.",
            [
                (
                    "livrable",
                    "Dossier de demande d'autorisation déposé à l'ARS",
                    -50,
                    -35,
                    -33,
                    100,
                    2,
                    "Pièces complémentaires demandées sur l'activité prévisionnelle.",
                ),
                (
                    "livrable",
                    "Travaux de la salle IRM",
                    90,
                    130,
                    None,
                    15,
                    3,
                    "Retard de livraison du blindage de la salle.",
                ),
                ("jalon", "Mise en service de l'IRM", 150, None, None, 0, 1, ""),
            ],
        ),
        (
            "Permanence des soins en imagerie",
            "Dr Sophie Garnier, radiologue",
            "Partager la garde de radiologie entre le CHU, la clinique et le CH de Comminges.",
            "Téléradiologie, tableau de garde commun.",
            [
                ("livrable", "Tableau de garde commun validé", -10, None, None, 80, 1, ""),
                ("livrable", "Convention de téléradiologie signée", 30, None, None, 50, 1, ""),
            ],
        ),
    ],
}

RISKS = {
    "ght": [
        (
            "Vacance des postes d'infirmier de l'équipe mobile",
            "rh",
            3,
            3,
            "Direction des soins",
            "Mutualiser le recrutement, proposer une prime d'exercice territorial.",
            "ouvert",
            15,
        ),
        (
            "Surcoût de la reprise des données du dossier patient",
            "si",
            2,
            4,
            "DSI de territoire",
            "Demander à l'éditeur un chiffrage ferme ; phaser la reprise par site.",
            "ouvert",
            30,
        ),
        (
            "Adhésion inégale des communautés médicales",
            "gouvernance",
            2,
            3,
            "Président de la CMG",
            "Présenter le projet dans chaque CME ; désigner un référent médical par site.",
            "surveille",
            45,
        ),
        (
            "Recours d'un candidat évincé sur le marché hôtelier",
            "juridique",
            1,
            2,
            "Cellule achats",
            "Sécuriser l'analyse des offres avec le service juridique.",
            "clos",
            None,
        ),
    ],
    "gcs": [
        (
            "Retard de l'autorisation d'équipement lourd",
            "juridique",
            2,
            4,
            "Administrateur du GCS",
            "Rencontre préalable avec l'ARS ; dossier complet dès le dépôt.",
            "ouvert",
            20,
        ),
        (
            "Répartition des charges contestée par la clinique",
            "financier",
            3,
            3,
            "Administrateur du GCS",
            "Clé de répartition fondée sur l'activité réelle, revue chaque année.",
            "ouvert",
            10,
        ),
        (
            "Lignes de garde insuffisantes l'été",
            "rh",
            3,
            2,
            "Coordinatrice médicale",
            "Recours à la téléradiologie de nuit pendant les congés.",
            "surveille",
            60,
        ),
    ],
}

REPORTS = {
    "ght": [
        (
            "Lancement des trois chantiers ; cartographie de l'offre gériatrique achevée.",
            "Décider du calendrier de bascule du dossier patient.",
        ),
        (
            "Éditeur du dossier patient retenu ; recrutement de l'équipe mobile engagé.",
            "Valider la prime d'exercice territorial pour l'équipe mobile.",
        ),
    ],
    "gcs": [
        (
            "Dossier d'autorisation de l'IRM déposé ; premier tableau de garde commun testé.",
            "Arbitrer la clé de répartition des charges entre membres.",
        ),
        (
            "Autorisation en cours d'instruction ; consultation pour les travaux lancée.",
            "Valider le calendrier révisé des travaux.",
        ),
    ],
}


def _upsert(model, defaults: dict, **lookup):
    """update_or_create that saves only when something changed: a second load of the demo
    must not add history rows."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        return model.objects.create(**lookup, **defaults), True
    changed = [name for name, value in defaults.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, defaults[name])
        instance.save()
    return instance, False


def _load_activities(cooperation, plans) -> None:
    porteur = cooperation.memberships.active().by_rank().first()
    previous = None
    for order, (title, lead, objectives, resources, deliverables) in enumerate(plans, start=1):
        activity, _ = _upsert(
            Activity,
            cooperation=cooperation,
            title=title,
            defaults={
                "lead_name": lead,
                "lead_member": porteur,
                "objectives": objectives,
                "resources": resources,
                "description": objectives,
                "order": order,
            },
        )
        if previous and order == 3 and not activity.depends_on.filter(pk=previous.pk).exists():
            activity.depends_on.add(previous)
        previous = activity
        for kind, name, planned, revised, done, progress, weight, reason in deliverables:
            deliverable, created = _upsert(
                Deliverable,
                activity=activity,
                title=name,
                defaults={
                    "kind": kind,
                    "planned_on": _d(planned),
                    "revised_on": _d(revised) if revised is not None else None,
                    "done_on": _d(done) if done is not None else None,
                    "progress": 100 if done is not None else progress,
                    "weight": weight,
                },
            )
            if revised is not None and not deliverable.revisions.exists():
                DateRevision.objects.create(
                    deliverable=deliverable, previous_date=None, new_date=_d(revised), reason=reason
                )


def _load_risks(cooperation, risks) -> None:
    categories = {c.code: c for c in RiskCategory.objects.all()}
    for title, category, probability, impact, owner, mitigation, status, review in risks:
        _upsert(
            Risk,
            cooperation=cooperation,
            title=title,
            defaults={
                "category": categories.get(category),
                "probability": probability,
                "impact": impact,
                "owner": owner,
                "mitigation": mitigation,
                "status": status,
                "review_on": _d(review) if review is not None else None,
            },
        )


def _load_reports(cooperation, texts, user) -> None:
    ProjectSettings.objects.get_or_create(cooperation=cooperation)
    # The two periods before the current one, oldest first.
    current_start, _ = planning.period_bounds(timezone.localdate(), 1)
    end_recent = current_start - timedelta(days=1)
    periods = [planning.period_bounds(end_recent, 1)]
    periods.insert(0, planning.period_bounds(periods[0][0] - timedelta(days=1), 1))
    if StatusReport.objects.filter(
        cooperation=cooperation, period_end__in=[p[1] for p in periods]
    ).count() == len(periods):
        return
    # Replay the past: open deliverables were less advanced at each earlier report, so the
    # frozen figures of the two reports differ from each other and from today's.
    open_items = dict(
        Deliverable.objects.filter(
            activity__cooperation=cooperation, done_on__isnull=True
        ).values_list("pk", "progress")
    )
    for index, ((start, end), (achievements, decisions)) in enumerate(
        zip(periods, texts, strict=True), start=1
    ):
        share = index / (len(periods) + 1)
        for pk, progress in open_items.items():
            # .update(): staging the demo's past must not write fake history entries.
            Deliverable.objects.filter(pk=pk).update(progress=round(progress * share))
        if not StatusReport.objects.filter(cooperation=cooperation, period_end=end).exists():
            services.report_create(
                cooperation=cooperation,
                user=user,
                today=end,
                data={
                    "period_start": start,
                    "period_end": end,
                    "achievements": achievements,
                    "planning_comment": "Voir le tableau des livrables : glissements expliqués par chantier.",
                    "risks_comment": "Les risques de criticité 9 et plus sont suivis à chaque COPIL.",
                    "anticipation": "Anticiper les congés d'été dans les plannings de recrutement.",
                    "decisions_expected": decisions,
                },
            )
    for pk, progress in open_items.items():
        Deliverable.objects.filter(pk=pk).update(progress=progress)


# Demo COPIL calendar: a past meeting and two to come, relative to today.
MEETINGS = [
    (-40, "Salle du conseil, CH de Fleyriat"),
    (21, "Visioconférence"),
    (110, "CH du Haut-Bugey"),
]
# A fixed request key: loading the demo twice seeds one pack, never two.
DEMO_PACK_KEY = uuid.UUID("5f0c8b1e-6a39-4f53-9d7e-15c0b1a2c0b1")


def _load_meetings(cooperation) -> None:
    for offset, location in MEETINGS:
        CopilMeeting.objects.get_or_create(
            cooperation=cooperation,
            held_on=_d(offset),
            defaults={
                "location": location,
                "agenda": "Point d'avancement, risques, décisions attendues.",
            },
        )


def _seed_copil_pack(cooperation, user, write) -> None:
    """One generated COPIL pack, so that the COPIL guest's home has something to open."""
    pack, _created = services.copil_pack_request(
        cooperation=cooperation, user=user, request_key=DEMO_PACK_KEY
    )
    pack.refresh_from_db()
    write(f"Dossier COPIL de démonstration : {pack.get_status_display().lower()}")


def load(base: dict, stdout=None) -> None:
    write = stdout.write if stdout else (lambda *_: None)
    accounts = base.get("accounts", {})
    authors = {
        "ght": accounts.get("directeur.fleyriat"),
        "gcs": accounts.get("directeur.chu-toulouse"),
    }
    for key in ("ght", "gcs"):
        cooperation = base[key]
        _load_activities(cooperation, PLANS[key])
        _load_risks(cooperation, RISKS[key])
        _load_reports(cooperation, REPORTS[key], authors.get(key))
        _load_meetings(cooperation)
    _seed_copil_pack(base["ght"], authors.get("ght"), write)
    write(
        "KIT 3 : "
        f"{Activity.objects.count()} chantiers, {Deliverable.objects.count()} livrables, "
        f"{Risk.objects.count()} risques, {StatusReport.objects.count()} rapports"
    )
