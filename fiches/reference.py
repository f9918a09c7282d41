"""Initial KIT 1 catalogue, knowledge base and legal-form rule table.

Loaded once by the data migrations (idempotent, keyed by natural keys); national admins
edit everything afterwards in the Django admin. Facts come from
../shared/domain/fiches-reperes.md and legal-forms.md, phrased in our own words.
"""

# Legal forms that create a legal person and may employ their own staff.
EMPLOYERS = ["gcs-moyens", "gcs-es", "gcsms", "gip", "gie"]
# Legal forms whose founding act is approved by the DG ARS or the State.
APPROVED = ["gcs-moyens", "gcs-es", "gcsms", "ght", "gip"]
GCS_LIKE = ["gcs-moyens", "gcs-es", "gcsms"]

T, YN, CH, D, N, F = "text", "yesno", "choice", "date", "number", "file"


def q(
    code,
    label,
    kind,
    mandatory=False,
    choices="",
    forms=(),
    help_text="",
    bounds=(None, None),
    not_before="",
):
    return {
        "code": code,
        "label": label,
        "kind": kind,
        "mandatory": mandatory,
        "choices": choices,
        "forms": list(forms),
        "help_text": help_text,
        "min_value": bounds[0],
        "max_value": bounds[1],
        "not_before": not_before,
    }


FICHES = [
    {
        "number": 1,
        "phase": "comprendre",
        "title": "Diagnostic territorial partagé",
        "purpose": "Établir ensemble une lecture commune des besoins de la population et de l'offre existante sur le territoire.",
        "guidance": (
            "Partez des données plutôt que des intentions : qui sont les patients ou les résidents, "
            "où vont-ils se soigner, quels délais, quelles ruptures de parcours.\n\n"
            "- Décrivez l'offre actuelle de chaque partenaire et ce qui manque.\n"
            "- Repérez les orientations du projet régional de santé qui s'appliquent au projet.\n"
            "- Faites relire le diagnostic par chaque membre : il doit être *partagé*, pas seulement écrit."
        ),
        "documents": "Synthèse du diagnostic territorial\nDonnées d'activité et de flux utilisées",
        "prerequisites": [],
        "pages": ["typologie-parcours", "typologie-isolement"],
        "questions": [
            q("besoins", "Quels besoins de la population le projet veut-il couvrir ?", T, True),
            q(
                "offre",
                "Comment l'offre actuelle est-elle organisée et où sont les manques ?",
                T,
                True,
            ),
            # Migration fiches/0007 turns this question into a choice among the pilot ARS's
            # plan objectives (kind "objectifs_prs"); this module feeds migration 0002, whose
            # column is 10 characters long: keep the original kind here.
            q("prs", "Quelles orientations du projet régional de santé concernent le projet ?", T),
            q(
                "population",
                "Population concernée (nombre d'habitants ou de patients)",
                N,
                bounds=(0, None),
            ),
            q("synthese", "Synthèse du diagnostic", F, True),
        ],
    },
    {
        "number": 2,
        "phase": "comprendre",
        "title": "Partenaires et enjeux",
        "purpose": "Identifier les acteurs, ce que chacun attend du projet, qui le porte et l'interlocuteur à l'ARS.",
        "guidance": (
            "Cartographiez les acteurs : établissements, professionnels libéraux, collectivités, usagers. "
            "Pour chacun, notez son intérêt à coopérer et ses craintes.\n\n"
            "Un porteur clairement désigné et un accord de principe écrit évitent bien des retours en arrière."
        ),
        "documents": "Cartographie des acteurs\nCourrier ou relevé de décision d'accord de principe",
        "prerequisites": [1],
        "pages": ["retex-imagerie"],
        "questions": [
            q("porteur", "Quel établissement porte le projet ?", T, True),
            q("contact_ars", "Qui est l'interlocuteur du projet à l'ARS ?", T, True),
            q("enjeux", "Quels sont les intérêts et les craintes de chaque partenaire ?", T, True),
            q("accord", "Un accord de principe des directions a-t-il été obtenu ?", YN, True),
            q("date_accord", "Date de l'accord de principe", D),
        ],
    },
    {
        "number": 3,
        "phase": "comprendre",
        "title": "Objectifs et périmètre",
        "purpose": "Fixer la finalité de la coopération, ses thèmes, les bénéfices attendus et ce qui n'en fait pas partie.",
        "guidance": (
            "Rattachez le projet à une typologie : **parcours / filière**, **efficience / mutualisation** "
            "ou **réponse à l'isolement**. Formulez des objectifs mesurables : ils serviront à l'évaluation "
            "d'impact.\n\nÉcrivez aussi ce qui est *hors périmètre* : c'est souvent là que naissent les malentendus."
        ),
        "documents": "Note de cadrage du projet",
        "prerequisites": [1, 2],
        "pages": ["typologie-parcours", "typologie-efficience", "typologie-isolement"],
        "questions": [
            q(
                "finalite",
                "Finalité principale du projet",
                CH,
                True,
                "Parcours / filière\nEfficience / mutualisation\nRéponse à l'isolement",
            ),
            q("objectifs", "Objectifs mesurables visés", T, True),
            q(
                "benefices",
                "Bénéfices attendus pour les patients, les équipes et les établissements",
                T,
                True,
            ),
            q("hors_perimetre", "Ce qui est explicitement hors du périmètre", T),
            q(
                "projet_medical",
                "Le projet s'appuie-t-il sur un projet médical ou de soins partagé ?",
                YN,
                True,
                forms=["ght"],
                help_text="Obligatoire pour un GHT : le projet médical partagé fonde la convention.",
            ),
        ],
    },
    {
        "number": 4,
        "phase": "decider",
        "title": "Scénarios et impact potentiel",
        "purpose": "Comparer les options possibles, leurs risques, et mesurer l'impact potentiel avec Eval'Impact.",
        "guidance": (
            "Comparez au moins deux scénarios, dont celui de ne rien changer. Pour chacun : coûts, délais, "
            "risques, effets sur les équipes.\n\nL'évaluation d'impact *potentiel* (KIT 2) sert de base "
            "à la décision des instances et sera comparée à l'impact *effectif* à l'étape 15."
        ),
        "documents": "Tableau de comparaison des scénarios\nRésultat de l'évaluation d'impact potentiel",
        "prerequisites": [3],
        "pages": ["retex-imagerie"],
        "questions": [
            q("scenarios", "Quels scénarios ont été comparés ?", T, True),
            q("scenario_retenu", "Quel scénario est proposé et pourquoi ?", T, True),
            q("risques", "Principaux risques identifiés", T, True),
            q(
                "eval_potentielle",
                "L'évaluation d'impact potentiel a-t-elle été réalisée ?",
                YN,
                True,
            ),
        ],
    },
    {
        "number": 5,
        "phase": "decider",
        "title": "Choix de la forme juridique",
        "chooser": True,
        "purpose": "Décider entre coopération fonctionnelle et organique, puis retenir la forme et en expliquer les raisons.",
        "guidance": (
            "Une coopération **fonctionnelle** (convention, GHT) ne crée pas de personne morale ; une "
            "coopération **organique** (GCS, GCSMS, GIP, GIE) en crée une, qui peut employer, détenir "
            "des autorisations et des biens.\n\nUtilisez l'outil d'aide au choix : il classe les formes "
            "selon vos réponses et indique les raisons pour et contre chacune."
        ),
        "documents": "Note de choix de la forme juridique",
        "prerequisites": [4],
        "pages": ["forme-convention", "forme-gcs", "forme-gcsms", "forme-ght", "forme-gip-gie"],
        "questions": [
            q("nature", "Nature de la coopération", CH, True, "Fonctionnelle\nOrganique"),
            q("forme_justification", "Pourquoi cette forme plutôt qu'une autre ?", T, True),
            q(
                "droit",
                "Droit applicable au groupement",
                CH,
                True,
                "Droit public\nDroit privé",
                forms=GCS_LIKE,
                help_text="Public si les membres sont des personnes publiques ou majoritairement publiques par leurs apports.",
            ),
            q(
                "etablissement_support",
                "Quel est l'établissement support du GHT ?",
                T,
                True,
                forms=["ght"],
            ),
        ],
    },
    {
        "number": 6,
        "phase": "decider",
        "title": "Gouvernance et pilotage du projet",
        "purpose": "Installer le comité de pilotage, nommer le chef de projet, consulter les instances de chaque membre et fixer le calendrier.",
        "guidance": (
            "Chaque membre consulte ses propres instances (commission médicale, instances du personnel, "
            "conseil de surveillance ou d'administration) : prévoyez leurs dates dans le calendrier.\n\n"
            "Le COPIL réunit les directions, les représentants médicaux et soignants et l'ARS."
        ),
        "documents": "Composition du COPIL\nCalendrier du projet\nAvis des instances",
        "prerequisites": [3],
        "pages": ["technique-gouvernance"],
        "questions": [
            q("copil", "Composition du comité de pilotage", T, True),
            q("chef_projet", "Chef de projet désigné", T, True),
            q("instances", "Les instances de chaque membre ont-elles été consultées ?", YN, True),
            q("date_copil", "Date du premier COPIL", D, True),
            q(
                "assemblee",
                "Règles de l'assemblée générale (quorum, majorité) et désignation de l'administrateur",
                T,
                True,
                forms=GCS_LIKE + ["gip"],
            ),
        ],
    },
    {
        "number": 7,
        "phase": "decider",
        "title": "Ressources humaines",
        "purpose": "Préciser les personnels concernés, leur situation (mise à disposition, transfert, recrutement), le temps de travail et le dialogue social.",
        "guidance": (
            "Listez les métiers et les effectifs concernés. Pour un groupement qui emploie, précisez "
            "le statut des personnels (mise à disposition par les membres ou recrutement direct) et "
            "les conséquences sur la rémunération et le temps de travail.\n\nAssociez tôt les représentants du personnel."
        ),
        "documents": "Tableau des effectifs concernés\nCompte rendu de l'information des instances du personnel",
        "prerequisites": [5],
        "pages": ["technique-rh"],
        "questions": [
            q("personnels", "Quels personnels et quels effectifs (ETP) sont concernés ?", T, True),
            q("etp", "Nombre d'équivalents temps plein concernés", N, True, bounds=(0, None)),
            q("dialogue_social", "Comment le dialogue social est-il organisé ?", T, True),
            q(
                "mode_emploi",
                "Comment les personnels travailleront-ils pour le groupement ?",
                CH,
                True,
                "Mise à disposition par les membres\nRecrutement direct par le groupement\nLes deux",
                forms=EMPLOYERS,
            ),
            q(
                "transfert",
                "Des agents seront-ils transférés vers le groupement ?",
                YN,
                True,
                forms=EMPLOYERS,
            ),
        ],
    },
    {
        "number": 8,
        "phase": "decider",
        "title": "Finances et modèle économique",
        "purpose": "Définir les contributions, les clés de répartition des droits et des charges, le budget, la fiscalité et la comptabilité.",
        "guidance": (
            "Les droits des membres suivent leurs apports ou leur part aux charges ; les parts doivent "
            "totaliser 100 %. Vérifiez le régime de TVA des prestations entre membres et le type de "
            "comptabilité (publique avec un comptable public pour un groupement de droit public)."
        ),
        "documents": "Budget prévisionnel\nTableau des clés de répartition",
        "prerequisites": [5],
        "pages": ["technique-fiscalite", "technique-comptabilite"],
        "questions": [
            q("budget", "Budget annuel prévisionnel (en euros)", N, True, bounds=(0, None)),
            q("cles", "Clés de répartition des charges entre membres", T, True),
            q(
                "part_porteur",
                "Part des charges supportée par le porteur (%)",
                N,
                True,
                bounds=(0, 100),
            ),
            q("tva", "Le régime de TVA des prestations a-t-il été vérifié ?", YN, True),
            q(
                "capital",
                "Le groupement est-il constitué avec un capital ?",
                YN,
                True,
                forms=GCS_LIKE + ["gip", "gie"],
            ),
            q(
                "comptabilite",
                "Type de comptabilité",
                CH,
                True,
                "Comptabilité publique\nComptabilité privée",
                forms=GCS_LIKE + ["gip"],
            ),
        ],
    },
    {
        "number": 9,
        "phase": "decider",
        "title": "Patrimoine, équipements et logistique",
        "purpose": "Recenser les locaux et équipements mis à disposition ou transférés, et organiser les flux logistiques.",
        "guidance": (
            "Distinguez ce qui est **mis à disposition** (le membre reste propriétaire) de ce qui est "
            "**transféré**. Prévoyez l'entretien, l'assurance et le sort des biens en cas de retrait ou de dissolution."
        ),
        "documents": "Inventaire des biens et équipements",
        "prerequisites": [5],
        "pages": ["technique-patrimoine"],
        "questions": [
            q("locaux", "Quels locaux seront utilisés et à qui appartiennent-ils ?", T, True),
            q("equipements", "Quels équipements sont mis à disposition ou transférés ?", T, True),
            q(
                "logistique",
                "Comment les flux logistiques (transports, échantillons, linge…) seront-ils organisés ?",
                T,
            ),
        ],
    },
    {
        "number": 10,
        "phase": "decider",
        "title": "Système d'information",
        "purpose": "Décrire les processus, les activités du SI à couvrir, les données à échanger, l'interopérabilité et la sécurité.",
        "guidance": (
            "Pour chaque thème de la coopération, décrivez les processus concernés, les activités du SI "
            "à couvrir, les données à échanger ou partager, les contraintes techniques et le contexte "
            "(humain, logistique, financier, contractuel)."
        ),
        "documents": "Schéma des échanges de données\nAnalyse des risques de sécurité",
        "prerequisites": [5],
        "pages": ["technique-si"],
        "questions": [
            q(
                "processus",
                "Quels processus et activités du SI la coopération doit-elle couvrir ?",
                T,
                True,
            ),
            q("donnees", "Quelles données seront échangées ou partagées ?", T, True),
            q("interop", "Quelles contraintes d'interopérabilité et de sécurité ?", T, True),
            q(
                "si_convergent",
                "Le schéma de convergence du système d'information est-il défini ?",
                YN,
                True,
                forms=["ght"],
            ),
        ],
    },
    {
        "number": 11,
        "phase": "mettre_en_oeuvre",
        "title": "Autorisations et conformité",
        "purpose": "Obtenir ou transférer les autorisations d'activité et d'équipements, et vérifier qualité, sécurité et protection des données.",
        "guidance": (
            "Une autorisation d'activité de soins détenue par un GCS en fait un établissement de santé, "
            "avec les obligations qui en découlent. Vérifiez les formalités RGPD (registre, analyse "
            "d'impact si des données de santé sont partagées)."
        ),
        "documents": "Demandes ou arrêtés d'autorisation\nRegistre des traitements de données",
        "prerequisites": [6, 10],
        "pages": ["forme-gcs", "technique-si"],
        "questions": [
            q(
                "autorisations",
                "Quelles autorisations sont nécessaires et qui les détiendra ?",
                T,
                True,
            ),
            q("rgpd", "Les formalités de protection des données sont-elles faites ?", YN, True),
            q("qualite", "Comment la qualité et la sécurité des soins seront-elles suivies ?", T),
        ],
    },
    {
        "number": 12,
        "phase": "mettre_en_oeuvre",
        "title": "Convention rédigée et signée",
        "purpose": "Compléter la convention type de la forme retenue, la faire relire, la versionner et la faire signer par chaque membre.",
        "guidance": (
            "Partez de la convention type de la forme choisie (module Conventions). Chaque clause "
            "obligatoire cite l'article dont elle découle. Toutes les parts de droits et de charges "
            "doivent totaliser 100 %."
        ),
        "documents": "Convention signée par tous les membres",
        "prerequisites": [6, 7, 8, 9],
        "pages": ["forme-convention", "forme-gcs"],
        "questions": [
            q("date_signature", "Date de la dernière signature", D, True),
            q("tous_signe", "Tous les membres ont-ils signé ?", YN, True),
            q("convention", "Convention signée", F, True),
            q(
                "adhesion_retrait",
                "Les règles d'adhésion, de retrait et d'exclusion sont-elles prévues ?",
                YN,
                True,
                forms=GCS_LIKE,
            ),
        ],
    },
    {
        "number": 13,
        "phase": "mettre_en_oeuvre",
        "title": "Approbation par l'ARS et démarrage",
        "purpose": "Obtenir l'approbation lorsque la forme l'exige, assurer la publication et fixer la date de démarrage officielle.",
        "guidance": (
            "La convention constitutive d'un GCS, d'un GCSMS, d'un GHT ou d'un GIP doit être approuvée "
            "(arrêté du DG ARS ou de l'autorité compétente) puis publiée. Une convention de coopération "
            "simple n'a en général pas besoin d'approbation : indiquez seulement la date d'effet."
        ),
        "documents": "Arrêté d'approbation\nPreuve de publication",
        "prerequisites": [11, 12],
        "pages": ["forme-gcs", "forme-ght"],
        "questions": [
            q("date_arrete", "Date de l'arrêté d'approbation", D, True, forms=APPROVED),
            q("date_effet", "Date de démarrage officielle", D, True, not_before="date_arrete"),
            q("publication", "L'arrêté a-t-il été publié ?", YN, True, forms=APPROVED),
        ],
    },
    {
        "number": 14,
        "phase": "mettre_en_oeuvre",
        "title": "Fonctionnement et suivi",
        "purpose": "Faire vivre la coopération : suivi des activités, livrables et risques, rapports réguliers au COPIL.",
        "guidance": (
            "Le tableau de suivi (KIT 3) recense les activités, les livrables et les risques. "
            "Fixez une fréquence de rapport au COPIL et tenez-vous-y."
        ),
        "documents": "Dernier rapport d'avancement présenté au COPIL",
        "prerequisites": [13],
        "pages": ["technique-gouvernance"],
        "questions": [
            q("suivi_actif", "Le tableau de suivi du projet est-il tenu à jour ?", YN, True),
            q(
                "frequence",
                "Fréquence des rapports au COPIL",
                CH,
                True,
                "Mensuelle\nTrimestrielle\nSemestrielle",
            ),
            q("difficultes", "Difficultés rencontrées depuis le démarrage", T),
        ],
    },
    {
        "number": 15,
        "phase": "evaluer",
        "title": "Impact effectif et pérennité",
        "purpose": "Mesurer l'impact effectif, tirer les enseignements, ajuster, puis décider de poursuivre ou de dissoudre.",
        "guidance": (
            "Comparez l'impact *effectif* (KIT 2) à l'impact potentiel de l'étape 4. Partagez les "
            "enseignements : ils alimentent les retours d'expérience de la base de connaissances."
        ),
        "documents": "Rapport d'évaluation d'impact effectif",
        "prerequisites": [14],
        "pages": ["retex-imagerie", "retex-ehpad"],
        "questions": [
            q("eval_effective", "L'évaluation d'impact effectif a-t-elle été réalisée ?", YN, True),
            q("enseignements", "Principaux enseignements", T, True),
            q(
                "decision",
                "Décision sur l'avenir de la coopération",
                CH,
                True,
                "Poursuivre en l'état\nPoursuivre avec des ajustements\nDissoudre",
            ),
        ],
    },
]


KNOWLEDGE_PAGES = [
    # slug, category, order, title, legal form code, summary, body
    (
        "forme-convention",
        "forme",
        1,
        "La convention de coopération",
        "convention",
        "La forme la plus souple : un contrat entre partenaires, sans personne morale nouvelle.",
        "## En bref\n\nLa convention de coopération (CSP L6134-1 ; CASF L312-7 pour les ESMS) est un "
        "contrat. Elle ne crée **pas** de personne morale.\n\n## Ce qu'elle doit prévoir\n\n"
        "- l'objet de la coopération et les engagements de chaque partie ;\n- la durée ;\n"
        "- un comité de suivi ;\n- les modalités financières ;\n- les conditions de résiliation.\n\n"
        "## Quand la choisir\n\nQuand les partenaires veulent organiser un travail commun sans "
        "employer de personnel ni détenir d'autorisation ensemble. Pas d'approbation en règle générale.",
    ),
    (
        "forme-gcs",
        "forme",
        2,
        "Le groupement de coopération sanitaire (GCS)",
        "gcs-moyens",
        "Une personne morale pour mettre en commun des moyens, voire détenir des autorisations.",
        "## En bref\n\nLe GCS de moyens (CSP L6133-1 et suivants) réunit au moins un établissement "
        "de santé. Il peut associer des ESMS, des professionnels et d'autres organismes.\n\n"
        "## Ce qu'il permet\n\nMutualiser la logistique, l'administration, des plateaux "
        "médico-techniques, des équipements, l'enseignement ou la recherche ; détenir des "
        "autorisations d'équipements lourds. S'il détient une autorisation d'activité de soins, "
        "il devient un **établissement de santé** (GCS-ES).\n\n## Droit public ou privé\n\n"
        "Public si les membres sont tous des personnes publiques, ou majoritairement publics par "
        "leurs apports ; privé sinon.\n\n## Gouvernance\n\nAssemblée générale des membres et "
        "administrateur, comité restreint facultatif. Les droits suivent les apports ou la part "
        "aux charges. La convention constitutive est approuvée et publiée par le DG ARS.",
    ),
    (
        "forme-gcsms",
        "forme",
        3,
        "Le groupement de coopération sociale et médico-sociale (GCSMS)",
        "gcsms",
        "L'équivalent médico-social du GCS, pour les gestionnaires d'ESMS.",
        "## En bref\n\nLe GCSMS (CASF L312-7) permet à des gestionnaires d'ESMS, des établissements "
        "de santé et des professionnels de mutualiser des moyens : recrutements partagés, astreintes, "
        "achats, service de soins infirmiers à domicile…\n\n## Approbation\n\nLa convention "
        "constitutive est approuvée par l'autorité qui autorise les membres (préfet, DG ARS ou "
        "président du conseil départemental).",
    ),
    (
        "forme-ght",
        "forme",
        4,
        "Le groupement hospitalier de territoire (GHT)",
        "ght",
        "Le cadre obligatoire des hôpitaux publics d'un territoire autour d'un projet médical partagé.",
        "## En bref\n\nChaque hôpital public appartient à un seul GHT (loi du 26 janvier 2016). "
        "Le GHT n'a pas de personnalité morale.\n\n## Contenu de la convention constitutive\n\n"
        "- les établissements parties et l'**établissement support** ;\n- le **projet médical "
        "partagé** et le projet de soins partagé ;\n- les fonctions mutualisées (système "
        "d'information convergent, DIM de territoire, achats, instituts de formation) ;\n"
        "- les instances : comité stratégique, collège ou commission médicale, comité des usagers, "
        "conférence territoriale de dialogue social.\n\nElle est approuvée par le DG ARS.",
    ),
    (
        "forme-gip-gie",
        "forme",
        5,
        "GIP et GIE",
        "gip",
        "Deux groupements dotés de la personnalité morale, plus rares en santé.",
        "## GIP\n\nLe groupement d'intérêt public (loi du 17 mai 2011) associe personnes publiques et "
        "privées, avec une majorité publique. Sa convention est approuvée par l'État.\n\n## GIE\n\n"
        "Le groupement d'intérêt économique (code de commerce L251-1) prolonge l'activité économique "
        "de ses membres. Il est rarement utilisé dans le secteur de la santé.",
    ),
    (
        "technique-rh",
        "technique",
        1,
        "Les personnels dans une coopération",
        None,
        "Mise à disposition, transfert ou recrutement : les questions à se poser tôt.",
        "## Trois situations\n\n1. **Mise à disposition** : l'agent reste employé par son "
        "établissement et travaille pour la coopération.\n2. **Transfert** : l'agent change "
        "d'employeur ; son statut et sa rémunération doivent être examinés.\n3. **Recrutement "
        "direct** : possible seulement pour une structure dotée de la personnalité morale.\n\n"
        "## Dialogue social\n\nInformez et consultez les instances du personnel de chaque membre "
        "avant toute décision.",
    ),
    (
        "technique-fiscalite",
        "technique",
        2,
        "Fiscalité et TVA",
        None,
        "Vérifier le traitement fiscal des prestations échangées entre membres.",
        "Les refacturations entre membres et les prestations d'un groupement peuvent être soumises "
        "à la TVA. Faites vérifier le régime applicable avant de fixer les clés de répartition : "
        "il change le coût réel pour chaque membre.",
    ),
    (
        "technique-comptabilite",
        "technique",
        3,
        "Comptabilité et budget",
        None,
        "Comptabilité publique ou privée, clés de répartition, budget.",
        "Un groupement de droit public tient une comptabilité publique avec un comptable public ; "
        "un groupement de droit privé, une comptabilité privée. Les parts de droits et de charges "
        "des membres doivent totaliser **100 %**.",
    ),
    (
        "technique-patrimoine",
        "technique",
        4,
        "Patrimoine et équipements",
        None,
        "Mise à disposition ou transfert des biens, et leur sort à la dissolution.",
        "Précisez pour chaque bien s'il est mis à disposition (le membre en reste propriétaire) ou "
        "transféré. La convention prévoit la dévolution des biens en cas de retrait d'un membre "
        "ou de dissolution.",
    ),
    (
        "technique-si",
        "technique",
        5,
        "Système d'information",
        None,
        "Processus, données échangées, interopérabilité et sécurité.",
        "Pour chaque thème de coopération, décrivez : les processus concernés, les activités du SI "
        "à couvrir, les données à échanger, les contraintes techniques et le contexte humain, "
        "logistique, financier et contractuel. Cinq modes de travail en commun existent : "
        "coopération, association, mutualisation, externalisation, centralisation.",
    ),
    (
        "technique-gouvernance",
        "technique",
        6,
        "Gouvernance d'un projet de coopération",
        None,
        "COPIL, chef de projet, instances des membres.",
        "Un comité de pilotage réunit directions, représentants médicaux et soignants et ARS. "
        "Un chef de projet coordonne. Chaque membre consulte ses propres instances avant les "
        "décisions engageantes.",
    ),
    (
        "typologie-parcours",
        "typologie",
        1,
        "Coopérer pour un parcours ou une filière",
        None,
        "Organiser la continuité de la prise en charge entre équipes et établissements.",
        "Ces coopérations relient des équipes autour d'un parcours (gériatrie, cancérologie, "
        "périnatalité…). Elles sont souvent **fonctionnelles** : une convention suffit.",
    ),
    (
        "typologie-efficience",
        "typologie",
        2,
        "Coopérer pour l'efficience",
        None,
        "Mettre en commun des moyens pour mieux les utiliser.",
        "Plateaux techniques, achats, logistique, stérilisation : la mutualisation conduit souvent "
        "à une coopération **organique** (GCS, GCSMS) dès qu'il faut employer ou détenir des biens.",
    ),
    (
        "typologie-isolement",
        "typologie",
        3,
        "Coopérer face à l'isolement",
        None,
        "Partager des compétences rares sur un territoire isolé.",
        "Temps médical partagé, astreintes communes, télémédecine : la coopération permet de "
        "maintenir une offre là où un établissement seul ne le peut plus.",
    ),
    (
        "retex-imagerie",
        "retour",
        1,
        "Retour d'expérience : un plateau d'imagerie partagé",
        None,
        "Ce qu'un CHU, une clinique et un CH ont appris en partageant IRM et scanner.",
        "- Commencer par les plannings médicaux : la permanence des soins a été le vrai sujet.\n"
        "- Le choix d'un GCS de droit privé a été dicté par la part des apports de la clinique.\n"
        "- Les clés de répartition ont été revues après un an d'activité réelle.",
    ),
    (
        "retex-ehpad",
        "retour",
        2,
        "Retour d'expérience : une astreinte infirmière de nuit entre EHPAD",
        None,
        "Trois EHPAD mutualisent une infirmière de nuit.",
        "- Une convention a suffi la première année ; le GCSMS est venu ensuite pour employer.\n"
        "- Les médecins coordonnateurs ont rédigé ensemble les protocoles d'appel.\n"
        "- Le suivi des appels nocturnes a servi d'indicateur d'impact.",
    ),
]


# The legal-form rule table (criterion, answer, form code, weight, excludes, reason).
# Built from legal-forms.md; national admins adjust it in the admin.
CHOOSER_RULES = [
    (
        "members_status",
        "public",
        "ght",
        2,
        False,
        "Le GHT réunit les hôpitaux publics d'un territoire.",
    ),
    (
        "members_status",
        "public",
        "gip",
        1,
        False,
        "Le GIP suppose une majorité de personnes publiques.",
    ),
    (
        "members_status",
        "private",
        "ght",
        0,
        True,
        "Le GHT est réservé aux établissements publics de santé ; les privés n'y sont que partenaires.",
    ),
    ("members_status", "private", "gip", -3, False, "Un GIP exige une majorité publique."),
    (
        "members_status",
        "private",
        "gie",
        1,
        False,
        "Le GIE associe des personnes morales ayant une activité économique.",
    ),
    (
        "members_status",
        "mixed",
        "gcs-moyens",
        2,
        False,
        "Le GCS associe établissements publics et privés (de droit public ou privé selon les apports).",
    ),
    (
        "members_status",
        "mixed",
        "ght",
        -3,
        False,
        "Les établissements privés ne peuvent être qu'associés ou partenaires d'un GHT.",
    ),
    (
        "members_status",
        "mixed",
        "convention",
        1,
        False,
        "Une convention peut lier tout type de partenaires.",
    ),
    (
        "sectors",
        "sanitaire",
        "gcs-moyens",
        2,
        False,
        "Le GCS suppose au moins un établissement de santé.",
    ),
    ("sectors", "sanitaire", "gcsms", -2, False, "Le GCSMS vise d'abord les gestionnaires d'ESMS."),
    (
        "sectors",
        "medico_social",
        "gcsms",
        3,
        False,
        "Le GCSMS est l'outil propre au secteur social et médico-social.",
    ),
    (
        "sectors",
        "medico_social",
        "gcs-moyens",
        0,
        True,
        "Un GCS exige au moins un établissement de santé parmi ses membres.",
    ),
    (
        "sectors",
        "medico_social",
        "ght",
        0,
        True,
        "Le GHT ne concerne que les établissements publics de santé.",
    ),
    (
        "sectors",
        "medico_social",
        "convention",
        1,
        False,
        "La convention de coopération est ouverte aux ESMS (CASF L312-7).",
    ),
    (
        "sectors",
        "both",
        "gcs-moyens",
        1,
        False,
        "Le GCS peut accueillir des ESMS aux côtés d'un établissement de santé.",
    ),
    ("sectors", "both", "gcsms", 1, False, "Le GCSMS accueille aussi des établissements de santé."),
    (
        "ght_context",
        "yes",
        "ght",
        4,
        False,
        "Un projet médical partagé entre hôpitaux publics d'un territoire est l'objet même du GHT.",
    ),
    (
        "ght_context",
        "no",
        "ght",
        -2,
        False,
        "Sans projet médical partagé entre hôpitaux publics, le GHT n'est pas le bon cadre.",
    ),
    (
        "legal_personality",
        "yes",
        "convention",
        0,
        True,
        "Une convention ne crée pas de personne morale.",
    ),
    ("legal_personality", "yes", "ght", 0, True, "Le GHT n'a pas de personnalité morale."),
    ("legal_personality", "yes", "gcs-moyens", 2, False, "Le GCS est une personne morale."),
    ("legal_personality", "yes", "gcsms", 2, False, "Le GCSMS est une personne morale."),
    (
        "legal_personality",
        "yes",
        "gip",
        1,
        False,
        "Le GIP est une personne morale de droit public.",
    ),
    (
        "legal_personality",
        "no",
        "convention",
        3,
        False,
        "Sans besoin de personne morale, la convention est la forme la plus légère.",
    ),
    (
        "legal_personality",
        "no",
        "gcs-moyens",
        -2,
        False,
        "Créer une personne morale alourdit le projet (assemblée, administrateur, comptes).",
    ),
    (
        "legal_personality",
        "no",
        "gcsms",
        -2,
        False,
        "Créer une personne morale alourdit le projet.",
    ),
    ("legal_personality", "no", "gip", -2, False, "Créer une personne morale alourdit le projet."),
    (
        "employ_staff",
        "yes",
        "convention",
        0,
        True,
        "Une convention ne peut pas employer de personnel : seuls ses membres le peuvent.",
    ),
    (
        "employ_staff",
        "yes",
        "ght",
        -2,
        False,
        "Le GHT n'emploie pas : l'établissement support agit pour les autres.",
    ),
    (
        "employ_staff",
        "yes",
        "gcs-moyens",
        2,
        False,
        "Le GCS peut recruter ou recevoir des personnels mis à disposition.",
    ),
    (
        "employ_staff",
        "yes",
        "gcsms",
        2,
        False,
        "Le GCSMS peut employer, par exemple une infirmière de nuit partagée.",
    ),
    (
        "employ_staff",
        "no",
        "convention",
        1,
        False,
        "Chaque membre garde ses personnels : une convention suffit.",
    ),
    (
        "authorisation",
        "equipment",
        "gcs-moyens",
        3,
        False,
        "Le GCS de moyens peut détenir des autorisations d'équipements lourds.",
    ),
    (
        "authorisation",
        "equipment",
        "convention",
        -2,
        False,
        "Une convention ne détient pas d'autorisation : un membre doit la porter.",
    ),
    (
        "authorisation",
        "care_activity",
        "gcs-es",
        4,
        False,
        "Un GCS titulaire d'une autorisation d'activité de soins devient un établissement de santé.",
    ),
    (
        "authorisation",
        "care_activity",
        "gcs-moyens",
        -1,
        False,
        "Avec une autorisation d'activité de soins, le GCS devient GCS-ES, avec les obligations d'un établissement.",
    ),
    (
        "authorisation",
        "care_activity",
        "convention",
        0,
        True,
        "Une convention ne peut pas porter une autorisation d'activité de soins.",
    ),
    (
        "authorisation",
        "none",
        "gcs-es",
        0,
        True,
        "Sans autorisation d'activité de soins, il n'y a pas de GCS-ES.",
    ),
    (
        "capital",
        "yes",
        "convention",
        -2,
        False,
        "Une convention n'a pas de capital : les apports restent aux membres.",
    ),
    (
        "capital",
        "yes",
        "gcs-moyens",
        1,
        False,
        "Le GCS peut être constitué avec un capital ; les droits suivent les apports.",
    ),
    ("capital", "yes", "gie", 1, False, "Le GIE peut être constitué avec un capital."),
    (
        "duration",
        "short",
        "convention",
        2,
        False,
        "Une convention à durée déterminée se résilie simplement.",
    ),
    (
        "duration",
        "short",
        "gcs-moyens",
        -1,
        False,
        "Créer puis dissoudre un groupement pour une courte durée est coûteux.",
    ),
    (
        "duration",
        "short",
        "gcsms",
        -1,
        False,
        "Créer puis dissoudre un groupement pour une courte durée est coûteux.",
    ),
    (
        "duration",
        "long",
        "gcs-moyens",
        1,
        False,
        "Un groupement stabilise une coopération durable.",
    ),
    ("duration", "long", "ght", 1, False, "Le GHT est un cadre permanent."),
    (
        "economic",
        "yes",
        "gie",
        3,
        False,
        "Le GIE sert à prolonger l'activité économique de ses membres.",
    ),
    ("economic", "no", "gie", 0, True, "Un GIE suppose une activité économique des membres."),
]
