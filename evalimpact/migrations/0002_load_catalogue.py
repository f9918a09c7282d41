"""Load the reference Eval'Impact catalogue (v1): 4 axes, 25 indicators, the 0–4 scale.

Idempotent (update_or_create on natural keys), so that browser tests can replay it after
a flush. It only touches version 1: later versions are made by admins and kept as they are.
"""

from django.db import migrations

AXES = [
    (1, "Structurer les filières de soins", "Filières de soins"),
    (2, "Améliorer la qualité et la sécurité des soins", "Qualité et sécurité"),
    (3, "Améliorer les conditions de travail", "Conditions de travail"),
    (4, "Améliorer l'efficience des organisations", "Efficience"),
]

LEVELS = [
    (0, "Impact négatif", "La situation se dégrade du fait du projet."),
    (1, "Pas d'impact", "Rien ne change de façon perceptible."),
    (2, "Impact faible", "Un progrès réel mais limité ou partiel."),
    (3, "Impact modéré", "Un progrès net, visible par les équipes."),
    (4, "Impact fort", "Un changement profond et durable."),
]

QL, QT = "qualitative", "quantitative"
# code, axis, label, definition, kind, unit, percent, direction, source, hospidiag codes
INDICATORS = [
    ("F1", 1, "Part des patients du territoire pris en charge sur le territoire",
     "Part des séjours des habitants du territoire réalisés par les établissements du "
     "territoire pour l'activité concernée. Hospi Diag fournit la part de marché de chaque "
     "établissement dans sa zone d'attractivité (A1 médecine, A2 chirurgie, A3 obstétrique…) "
     "et, à défaut, dans sa région (A1bis à A5bis).",
     QT, "%", True, "higher", "PMSI ; Hospi Diag (parts de marché A1 à A6, A1bis à A5bis)",
     ["A1", "A2", "A3", "A4", "A5", "A6", "A1bis", "A2bis", "A3bis", "A4bis", "A5bis"]),
    ("F2", 1, "Délai d'accès au service",
     "Délai moyen en jours pour obtenir un rendez-vous, un examen ou un transfert.",
     QT, "jours", False, "lower", "Données des services, agendas partagés", []),
    ("F3", 1, "Consultations ou vacations spécialisées tenues sur les sites partenaires",
     "Nombre annuel de consultations avancées ou de vacations assurées sur les sites partenaires.",
     QT, "nombre par an", False, "higher", "Données des établissements", []),
    ("F4", 1, "Réhospitalisations non programmées à 30 jours",
     "Part des séjours suivis d'une réhospitalisation non programmée dans les 30 jours.",
     QT, "%", True, "lower", "PMSI (ScanSanté)", []),
    ("F5", 1, "Parcours formalisés entre partenaires",
     "Protocoles communs, règles d'adressage, fiches de liaison en usage entre les membres.",
     QL, "", False, "", "Appréciation du comité de pilotage", []),
    ("F6", 1, "Coordination avec la ville et le secteur médico-social",
     "Liens organisés avec les professionnels de ville, les CPTS, les EHPAD et les services à domicile.",
     QL, "", False, "", "Appréciation du comité de pilotage", []),
    ("Q1", 2, "Pratiques harmonisées entre les sites",
     "Procédures communes effectivement appliquées sur tous les sites concernés.",
     QL, "", False, "", "Appréciation du comité de pilotage", []),
    ("Q2", 2, "Respect des indicateurs nationaux de qualité de l'activité",
     "Taux de conformité sur les indicateurs de qualité et de sécurité des soins (IQSS) pertinents.",
     QT, "%", True, "higher", "HAS, Qualiscope (IQSS)", []),
    ("Q3", 2, "Jours de rupture de la permanence ou de la continuité des soins",
     "Nombre de jours par an où la ligne de garde ou d'astreinte n'a pas pu être assurée.",
     QT, "jours par an", False, "lower", "Tableaux de service", []),
    ("Q4", 2, "Volume d'activité rapporté au seuil réglementaire ou recommandé",
     "Activité réalisée divisée par le seuil d'activité applicable, en %.",
     QT, "%", False, "higher", "PMSI ; Hospi Diag (clés d'interprétation)", []),
    ("Q5", 2, "Sécurité des processus",
     "Traçabilité, vigilances et déclaration des événements indésirables partagées entre membres.",
     QL, "", False, "", "Appréciation du comité de pilotage", []),
    ("Q6", 2, "Partage des informations du patient",
     "Dossier patient partagé, messagerie sécurisée, comptes rendus accessibles entre sites.",
     QL, "", False, "", "Appréciation du comité de pilotage", []),
    ("T1", 3, "Taux d'absentéisme des personnels concernés",
     "Jours d'absence rapportés aux jours travaillés théoriques. Hospi Diag RH8 : absentéisme du "
     "personnel non médical (établissements publics et ESPIC seulement).",
     QT, "%", True, "lower", "Bilan social ; Hospi Diag (RH8)", ["RH8"]),
    ("T2", 3, "Postes médicaux vacants",
     "Part des postes médicaux budgétés non pourvus.",
     QT, "%", True, "lower", "Établissements ; SAE", []),
    ("T3", 3, "Dépenses d'intérim",
     "Dépenses annuelles d'intérim médical et paramédical.",
     QT, "€ par an", False, "lower", "Comptes des établissements", []),
    ("T4", 3, "Rotation des personnels (turn-over)",
     "Hospi Diag RH9 : turn-over global du personnel non médical.",
     QT, "%", True, "lower", "Bilan social ; Hospi Diag (RH9)", ["RH9"]),
    ("T5", 3, "Attractivité et perception du projet par les équipes",
     "Résultat d'enquêtes ou d'échanges avec les équipes sur le projet et son intérêt.",
     QL, "", False, "", "Enquête auprès des équipes", []),
    ("T6", 3, "Accès à la formation et compétences partagées",
     "Formations communes, compagnonnage, temps partagés entre sites.",
     QL, "", False, "", "Plans de formation", []),
    ("T7", 3, "Qualité du dialogue social sur le projet",
     "Information et consultation des instances, climat des échanges.",
     QL, "", False, "", "Instances représentatives du personnel", []),
    ("E1", 4, "Coût unitaire de l'activité mutualisée",
     "Coût complet de l'activité divisé par le nombre d'unités produites (examen, repas, kilo de linge…).",
     QT, "€ par unité", False, "lower", "Comptabilité analytique", []),
    ("E2", 4, "Taux d'utilisation des équipements partagés",
     "Temps d'utilisation rapporté au temps d'ouverture des équipements mis en commun.",
     QT, "%", True, "higher", "Données d'activité des plateaux", []),
    ("E3", 4, "Économies d'achat",
     "Gains annuels sur achats obtenus grâce à la mutualisation.",
     QT, "€ par an", False, "higher", "Fonction achats du GHT ou du groupement", []),
    ("E4", 4, "Marge brute des membres concernés",
     "Taux de marge brute d'exploitation des membres concernés par le projet.",
     QT, "%", False, "higher", "Comptes financiers (retraitements ATIH)", []),
    ("E5", 4, "Indice de performance de la durée moyenne de séjour (IP-DMS)",
     "Durée moyenne de séjour observée rapportée à celle attendue pour la même patientèle "
     "(1 = référence nationale). Hospi Diag P1 médecine, P2 chirurgie, P3 obstétrique.",
     QT, "indice", False, "lower", "PMSI ; Hospi Diag (P1, P2, P3)", ["P1", "P2", "P3"]),
    ("E6", 4, "Circuits logistiques et administratifs simplifiés",
     "Moins d'étapes, de doublons et de délais dans les circuits supports.",
     QL, "", False, "", "Appréciation du comité de pilotage", []),
]


def load(apps, schema_editor):
    version_model = apps.get_model("evalimpact", "CatalogueVersion")
    axis_model = apps.get_model("evalimpact", "Axis")
    indicator_model = apps.get_model("evalimpact", "Indicator")
    level_model = apps.get_model("evalimpact", "ScoreLevel")
    has_current = version_model.objects.filter(is_current=True).exclude(number=1).exists()
    version, _ = version_model.objects.update_or_create(
        number=1,
        defaults={"note": "Catalogue de référence KitCoop (25 indicateurs)"},
    )
    if not has_current and not version.is_current:
        version.is_current = True
        version.save(update_fields=["is_current"])
    if version.evaluations.exists():
        return  # a used version is frozen
    axes = {}
    for code, label, short_label in AXES:
        axes[code], _ = axis_model.objects.update_or_create(
            version=version, code=code, defaults={"label": label, "short_label": short_label}
        )
    for score, label, description in LEVELS:
        level_model.objects.update_or_create(
            version=version, score=score, defaults={"label": label, "description": description}
        )
    for order, row in enumerate(INDICATORS):
        code, axis, label, definition, kind, unit, percent, direction, source, hd = row
        indicator_model.objects.update_or_create(
            version=version,
            code=code,
            defaults={
                "axis": axes[axis],
                "order": order,
                "label": label,
                "definition": definition,
                "kind": kind,
                "unit": unit,
                "is_percentage": percent,
                "direction": direction,
                "thresholds": [-5, 2, 10, 25],
                "weight": 1,
                "source": source,
                "hospidiag_codes": hd,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("evalimpact", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
