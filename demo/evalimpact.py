"""Demo: Hospi Diag 2022 loaded, the GHT with a final potential and a final effective
evaluation, the GCS with a draft potential one. Idempotent: evaluations are keyed by
(cooperation, kind, date) and answers are rewritten only while the evaluation is a draft."""

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from evalimpact.models import Evaluation, EvaluationStatus, HospidiagValue
from evalimpact.services import evaluations as services
from evalimpact.services.hospidiag import import_hospidiag

# The demo's slices ship in the repository (fixtures/README.md): a clone runs alone.
HOSPIDIAG = Path(settings.BASE_DIR) / "fixtures" / "hospidiag-2022"

# code: (baseline, target/observed) for the cooperation row, or (level, justification).
GHT_POTENTIAL = {
    "F2": (42, 25),
    "F3": (120, 400),
    "F4": (11.5, 10.5),
    "Q2": (78, 88),
    "Q3": (24, 6),
    "Q4": (85, 110),
    "T2": (18, 12),
    "T3": (2_400_000, 1_600_000),
    "E1": (95, 82),
    "E2": (62, 80),
    "E3": (0, 900_000),
    "E4": (1.2, 2.0),
    "F5": (
        3,
        "Le projet médical partagé prévoit des filières gériatrie, urgences et cancérologie.",
    ),
    "F6": (2, "Contacts engagés avec deux CPTS ; rien encore avec les EHPAD."),
    "Q1": (3, "Procédures communes prévues pour la pharmacie et la stérilisation."),
    "Q5": (2, "Une cellule qualité commune est envisagée."),
    "Q6": (3, "Un dossier patient commun est au programme du schéma directeur SI."),
    "T5": (2, "Les équipes voient l'intérêt mais craignent les déplacements."),
    "T6": (3, "Un plan de formation commun est prévu dès la première année."),
    "T7": (2, "Instances informées ; le dialogue reste à construire."),
    "E6": (3, "Achats, DIM et système d'information seront mutualisés."),
}
# The effective evaluation: what happened, less than hoped on some axes.
GHT_EFFECTIVE = {
    "F2": (42, 31),
    "F3": (120, 310),
    "F4": (11.5, 11.2),
    "Q2": (78, 84),
    "Q3": (24, 9),
    "Q4": (85, 98),
    "T2": (18, 16),
    "T3": (2_400_000, 2_100_000),
    "E1": (95, 88),
    "E2": (62, 71),
    "E3": (0, 650_000),
    "E4": (1.2, 0.9),
    "F5": (3, "Trois filières formalisées par des protocoles signés."),
    "F6": (2, "Convention avec une CPTS ; lien avec les EHPAD encore informel."),
    "Q1": (3, "Procédures de pharmacie et de stérilisation communes en usage."),
    "Q5": (2, "Déclarations d'événements indésirables partagées, sans retour d'expérience commun."),
    "Q6": (2, "Dossier patient commun déployé sur deux sites sur six."),
    "T5": (1, "Enquête 2025 : perception partagée, peu d'effet sur l'attractivité."),
    "T6": (3, "Formations communes ouvertes à tous les sites."),
    "T7": (2, "Dialogue social régulier au comité territorial."),
    "E6": (3, "Achats et DIM mutualisés ; SI en cours."),
}
GCS_POTENTIAL = {
    "F2": (38, 20),
    "Q3": (40, 5),
    "E2": (55, 85),
    "T3": (800_000, 450_000),
    "F5": (2, "Protocoles d'imagerie partagés à écrire."),
    "Q6": (3, "Le PACS commun permettra de lire les images sur tous les sites."),
}


def _import_hospidiag(stdout) -> None:
    if HospidiagValue.objects.filter(year=2022).exists():
        return
    for name in ("hd2022-demo.csv", "pdmza_2022-demo.csv", "pdmreg_2022-demo.csv"):
        path = HOSPIDIAG / name
        if path.exists():
            run = import_hospidiag(path, year=2022)
            stdout.write(
                f"Hospi Diag {name} : {run.values_stored} valeurs, {len(run.skipped)} lignes écartées"
            )


def _fill(evaluation, answers, observed_shift=None, *, complete=True) -> None:
    data = services.load_evaluation(evaluation)
    rows = {}
    for indicator in data.indicators:
        for membership, answer in data.layout[indicator.pk]:
            key = (indicator.pk, membership.pk if membership else None)
            row = {}  # a field left out is blank: evaluation_save reads each with row.get
            if membership is not None:
                # Member rows (Hospi Diag-fed): keep the prefilled baseline, set a target.
                baseline = answer.baseline if answer else None
                if baseline is None:
                    row.update(
                        not_applicable=True,
                        not_applicable_reason=(
                            "Pas de valeur Hospi Diag 2022 pour ce membre ; indicateur non suivi."
                        ),
                    )
                else:
                    factor = (
                        observed_shift.get(indicator.code, Decimal("1"))
                        if observed_shift
                        else Decimal("1")
                    )
                    row.update(
                        baseline=baseline, value=(baseline * factor).quantize(Decimal("0.01"))
                    )
            elif indicator.code in answers:
                first, second = answers[indicator.code]
                if indicator.is_quantitative:
                    row.update(baseline=Decimal(str(first)), value=Decimal(str(second)))
                else:
                    row.update(level=first, justification=second)
            elif complete:
                row.update(not_applicable=True, not_applicable_reason="Hors du champ du projet.")
            rows[key] = row
    services.evaluation_save(
        evaluation=evaluation, user=None, header={}, rows=rows, version=evaluation.version
    )


def _evaluation(cooperation, kind, on, answers, *, final, user, comments, shift=None, activity=""):
    evaluation = Evaluation.objects.filter(
        cooperation=cooperation, kind=kind, evaluated_on=on
    ).first()
    if evaluation is not None:
        return evaluation  # created by an earlier run: left as it is (idempotent demo)
    evaluation = services.evaluation_create(
        cooperation=cooperation,
        user=user,
        kind=kind,
        evaluated_on=on,
        comments=comments,
        activity=activity,
    )
    if evaluation.status == EvaluationStatus.DRAFT:
        # A draft keeps its gaps, so that the demo shows what "missing" looks like.
        _fill(evaluation, answers, shift, complete=final)
        evaluation.refresh_from_db()
        if final:
            services.evaluation_finalize(
                evaluation=evaluation, user=user, version=evaluation.version
            )
    return evaluation


def load(base: dict, stdout) -> None:
    _import_hospidiag(stdout)
    agent = base["accounts"].get("agent.ara")
    director = base["accounts"].get("directeur.fleyriat")
    _evaluation(
        base["ght"],
        "potential",
        date(2016, 5, 15),
        GHT_POTENTIAL,
        final=True,
        user=agent,
        comments="Évaluation faite avant la convention constitutive, pour le comité stratégique.",
        activity="medecine",
        shift={
            "E5": Decimal("0.97"),
            "T1": Decimal("0.9"),
            "T4": Decimal("0.9"),
            "F1": Decimal("1.05"),
            "E2": Decimal("1.08"),
        },
    )
    _evaluation(
        base["ght"],
        "effective",
        date(2025, 6, 30),
        GHT_EFFECTIVE,
        final=True,
        user=director,
        comments="Bilan à neuf ans : filières et achats au rendez-vous ; l'attractivité reste le point faible.",
        activity="medecine",
        shift={
            "E5": Decimal("0.99"),
            "T1": Decimal("1.04"),
            "T4": Decimal("0.97"),
            "F1": Decimal("1.02"),
            "E2": Decimal("1.03"),
        },
    )
    _evaluation(
        base["gcs"],
        "potential",
        date(2026, 2, 1),
        GCS_POTENTIAL,
        final=False,
        user=base["accounts"].get("directeur.chu-toulouse"),
        comments="Première estimation, à compléter avec la clinique partenaire.",
        activity="imagerie",
    )
    stdout.write("Eval'Impact : 3 évaluations de démonstration")
