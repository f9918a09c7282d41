from django import forms

from core.forms import DsfrForm, VersionedFormMixin
from core.idempotency import SubmissionKeyMixin
from core.text import PLAUSIBLE_DATES
from core.uploads import ALLOWED_LABEL, human_size
from fiches.models import KnowledgeCategory, QuestionKind

FIELD_PREFIX = "q_"
MANDATORY_SUFFIX = " (obligatoire pour soumettre)"


class StepAnswersForm(DsfrForm):
    """One field per applicable question; every field is optional for a draft save.

    Types and bounds are checked by the service (`clean_answer`), whose French messages
    are put back next to each field, so the rules live in one place.
    """

    def __init__(
        self,
        *args,
        questions,
        answers: dict,
        version: int,
        read_only=False,
        plan_objectives=(),
        plan_selected=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.questions = {}
        self.file_labels = {q.code: q.label for q in questions if q.kind == QuestionKind.FILE}
        self.file_errors: dict[str, list[str]] = {}
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=version)
        for question in questions:
            if question.kind == QuestionKind.FILE:
                continue
            name = FIELD_PREFIX + question.code
            label = question.label + (MANDATORY_SUFFIX if question.mandatory else "")
            common = {"label": label, "required": False, "help_text": question.help_text}
            if question.kind == QuestionKind.YESNO:
                field = forms.ChoiceField(
                    choices=[("oui", "Oui"), ("non", "Non")], widget=forms.RadioSelect, **common
                )
            elif question.kind == QuestionKind.CHOICE:
                field = forms.ChoiceField(
                    choices=[("", "— Choisir —")] + [(c, c) for c in question.choice_list], **common
                )
            elif question.kind == QuestionKind.PLAN_OBJECTIVES:
                common["help_text"] = question.help_text or (
                    "Les objectifs du projet régional de santé de l'ARS pilote ; la liste des "
                    "coopérations et le tableau de bord régional les comptent."
                )
                field = forms.MultipleChoiceField(
                    choices=list(plan_objectives), widget=forms.CheckboxSelectMultiple, **common
                )
                field.disabled = read_only
                stored = answers.get(question.pk, "")
                field.initial = [c.strip() for c in stored.split(",") if c.strip()]
                if plan_selected is not None:
                    # The cooperation's links are the truth (also edited on its page).
                    field.initial = list(plan_selected)
                offered = {code for code, _label in plan_objectives}
                if stored and not set(field.initial) <= offered:
                    field.help_text += f" Réponse libre enregistrée auparavant : « {stored} »."
                self.fields[name] = field
                self.questions[question.code] = question
                continue
            elif question.kind == QuestionKind.DATE:
                low, high = PLAUSIBLE_DATES
                field = forms.CharField(
                    widget=forms.DateInput(
                        attrs={"type": "date", "min": low.isoformat(), "max": high.isoformat()}
                    ),
                    **common,
                )
            elif question.kind == QuestionKind.NUMBER:
                field = forms.CharField(
                    widget=forms.TextInput(attrs={"inputmode": "decimal"}), max_length=30, **common
                )
            else:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
            field.disabled = read_only
            field.initial = answers.get(question.pk, "")
            self.fields[name] = field
            self.questions[question.code] = question

    def values(self) -> dict:
        return {code: self.cleaned_data.get(FIELD_PREFIX + code, "") for code in self.questions}

    def add_service_errors(self, error) -> None:
        if hasattr(error, "error_dict"):
            for code, messages in error.message_dict.items():
                name = FIELD_PREFIX + code
                if name in self.fields:
                    self.add_error(name, messages)
                elif code in self.file_labels:
                    self.file_errors[code] = messages
                    self.add_error(None, [f"{self.file_labels[code]} : {m}" for m in messages])
                else:
                    self.add_error(None, messages)
        else:
            self.add_error(None, error.messages)


class DecisionForm(VersionedFormMixin, DsfrForm):
    """An ARS decision on a step (`step=`). `version`: the step's version on the agent's page,
    so that a decision taken on an outdated page is refused (the step may have been returned
    and submitted again meanwhile); absent, the decision is judged on the stored state. After
    a stale warning the form offers the step's stored version (core.forms.save_versioned)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, step=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step

    def versioned_object(self):
        return self.step


class ReasonForm(DecisionForm):
    reason = forms.CharField(
        label="Motif",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Indiquez le motif : l'équipe projet en a besoin pour agir."},
    )


class ValidateForm(DecisionForm):
    comment = forms.CharField(
        label="Commentaire (facultatif)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )


class CommentForm(SubmissionKeyMixin, DsfrForm):
    body = forms.CharField(
        label="Votre commentaire",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Le commentaire est vide."},
    )


class AttachmentForm(DsfrForm):
    slot = forms.ChoiceField(label="Document concerné")
    file = forms.FileField(
        label="Fichier",
        error_messages={"required": "Choisissez un fichier à déposer."},
    )

    def __init__(self, *args, slots: list[str], max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(s, s) for s in slots]
        self.fields[
            "file"
        ].help_text = (
            f"Formats acceptés : {ALLOWED_LABEL}. Taille maximale : {human_size(max_bytes)}."
        )


class ChooserForm(DsfrForm):
    members_status = forms.ChoiceField(
        label="Quel est le statut des membres ?",
        choices=[
            ("public", "Uniquement des personnes publiques"),
            ("mixed", "Des membres publics et privés"),
            ("private", "Uniquement des membres privés"),
        ],
        widget=forms.RadioSelect,
    )
    sectors = forms.ChoiceField(
        label="De quels secteurs relèvent les membres ?",
        choices=[
            ("sanitaire", "Sanitaire (établissements de santé)"),
            ("medico_social", "Social et médico-social uniquement"),
            ("both", "Les deux"),
        ],
        widget=forms.RadioSelect,
    )
    ght_context = forms.ChoiceField(
        label="Le projet réunit-il les hôpitaux publics d'un territoire autour d'un projet médical partagé ?",
        choices=[("yes", "Oui"), ("no", "Non")],
        widget=forms.RadioSelect,
    )
    legal_personality = forms.ChoiceField(
        label="Le projet a-t-il besoin d'une personne morale distincte des membres ?",
        choices=[("yes", "Oui"), ("no", "Non"), ("unsure", "Je ne sais pas")],
        widget=forms.RadioSelect,
    )
    employ_staff = forms.ChoiceField(
        label="La structure devra-t-elle employer du personnel ou en recevoir en mise à disposition ?",
        choices=[("yes", "Oui"), ("no", "Non")],
        widget=forms.RadioSelect,
    )
    authorisation = forms.ChoiceField(
        label="Quelles autorisations la structure devra-t-elle détenir ?",
        choices=[
            ("none", "Aucune"),
            ("equipment", "Une autorisation d'équipement lourd"),
            ("care_activity", "Une autorisation d'activité de soins"),
        ],
        widget=forms.RadioSelect,
    )
    capital = forms.ChoiceField(
        label="Les membres prévoient-ils un capital ou des apports ?",
        choices=[("yes", "Oui"), ("no", "Non")],
        widget=forms.RadioSelect,
    )
    duration = forms.ChoiceField(
        label="Pour quelle durée ?",
        choices=[("short", "Courte ou expérimentale"), ("long", "Durable")],
        widget=forms.RadioSelect,
    )
    economic = forms.ChoiceField(
        label="Les membres veulent-ils prolonger ensemble une activité économique ?",
        choices=[("yes", "Oui"), ("no", "Non")],
        widget=forms.RadioSelect,
    )
    purpose = forms.ChoiceField(
        label="Quelle est la finalité première de la coopération ?",
        choices=[
            ("parcours", "Parcours ou filière : organiser la prise en charge entre équipes"),
            ("efficience", "Efficience : mettre en commun des moyens"),
            (
                "isolement",
                "Isolement : répondre à l'isolement géographique, partager des compétences rares",
            ),
        ],
        widget=forms.RadioSelect,
    )
    esms_duty = forms.ChoiceField(
        label=(
            "Un membre est-il un ESMS public autonome (EHPAD, petite unité de vie, accueil de "
            "jour, service public à domicile, hors CCAS et collectivités) qui n'est encore ni "
            "dans un GHT ni dans un GTSMS ?"
        ),
        help_text="Ces établissements doivent rejoindre un GHT ou un GTSMS (CASF L312-7-2).",
        choices=[("yes", "Oui"), ("no", "Non")],
        widget=forms.RadioSelect,
    )
    domain = forms.ChoiceField(
        label="Le projet relève-t-il d'un champ particulier ?",
        choices=[
            ("none", "Non"),
            ("mental_health", "Santé mentale : projet territorial des acteurs de la psychiatrie"),
            ("primary_care", "Soins primaires : professionnels de santé de ville"),
            ("clinical_services", "Services cliniques de plusieurs hôpitaux publics"),
        ],
        widget=forms.RadioSelect,
    )


class RecordChoiceForm(DsfrForm):
    legal_form = forms.ChoiceField(label="Forme juridique retenue")
    justification = forms.CharField(
        label="Pourquoi ce choix ?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args, ranking, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_form"].choices = [
            (r.legal_form.code, r.legal_form.name) for r in ranking if not r.excluded
        ]


class KnowledgeSearchForm(DsfrForm):
    q = forms.CharField(label="Rechercher", required=False, max_length=100)
    category = forms.ChoiceField(
        label="Rubrique",
        required=False,
        choices=[("", "Toutes les rubriques")] + list(KnowledgeCategory.choices),
    )
