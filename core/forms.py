"""Base forms: DSFR field markup (django-dsfr's bound field) and crispy helper defaults."""

import datetime
import uuid
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm
from dsfr.forms import DsfrBoundField as _DsfrBoundField

from core import text as normalisation
from core.locking import STALE_MESSAGE, StaleObjectError
from core.widgets import FastSelect


class DsfrBoundField(_DsfrBoundField):
    pass


# Django's "---------" means nothing to a user or a screen reader; DSFR selects open on
# this wording.
EMPTY_CHOICE_LABEL = "Sélectionner une option"


def _label_empty_choice(field) -> None:
    if isinstance(field, forms.ModelChoiceField) and not isinstance(
        field, forms.ModelMultipleChoiceField
    ):
        if field.empty_label is not None:
            field.empty_label = EMPTY_CHOICE_LABEL
    elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
        choices = list(field.choices)
        if choices and choices[0] == ("", "---------"):
            field.choices = [("", EMPTY_CHOICE_LABEL), *choices[1:]]


class FrenchDecimalField(forms.DecimalField):
    """A decimal typed the French way ("1 200,5", non-breaking spaces), with a bounded
    length and exponent (`core.text.parse_number`). Every DecimalField of a DsfrForm is
    turned into one."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        integer_digits = normalisation.MAX_INTEGER_DIGITS
        decimal_digits = normalisation.MAX_DECIMAL_DIGITS
        if self.max_digits is not None and self.decimal_places is not None:
            integer_digits = self.max_digits - self.decimal_places
        if self.decimal_places is not None:
            decimal_digits = self.decimal_places
        return normalisation.parse_number(
            value, max_integer_digits=integer_digits, max_decimal_digits=decimal_digits
        )


class FrenchIntegerField(forms.IntegerField):
    """An integer typed the French way ("1 200"); every IntegerField of a DsfrForm is one."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            number = normalisation.parse_number(value, max_decimal_digits=0)
        except ValidationError as error:
            if error.code in {"invalid_number", "number_too_precise"}:
                # The field's own wording ("Saisissez un nombre entier.", or a form's own).
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            raise
        if number is None:
            return None
        return int(number)


def _localise_number(field) -> None:
    if type(field) is forms.DecimalField:
        field.__class__ = FrenchDecimalField
        if type(field.widget) is forms.NumberInput:
            # type="number" refuses "1 200,5": a text input with the decimal keyboard.
            attrs = {k: v for k, v in field.widget.attrs.items() if k not in {"step"}}
            attrs.setdefault("inputmode", "decimal")
            field.widget = forms.TextInput(attrs=attrs)
    elif type(field) is forms.IntegerField:
        field.__class__ = FrenchIntegerField


def _bound_dates(field) -> None:
    """Every date a form takes is a project date: refuse implausible years in French."""
    if isinstance(field, forms.DateField):
        if normalisation.validate_plausible_date not in field.validators:
            field.validators.append(normalisation.validate_plausible_date)
        low, high = normalisation.PLAUSIBLE_DATES
        widget = field.widget
        if "date" in (getattr(widget, "input_type", ""), widget.attrs.get("type")):
            widget.attrs.setdefault("min", low.isoformat())
            widget.attrs.setdefault("max", high.isoformat())


def _is_free_text(field) -> bool:
    return isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)


class DsfrFormMixin:
    """Render every field with django-dsfr's snippets and give crispy a default helper.

    Input normalisation (docs/ARCHITECTURE.md, "Input normalisation rule") happens here,
    once: free text is NFC without control characters, dates are within
    `core.text.PLAUSIBLE_DATES`, numbers accept French formats within bounds.
    """

    bound_field_class = DsfrBoundField
    template_name = "dsfr/form_snippet.html"
    submit_label = "Enregistrer"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Same state, faster rendering: swapping the class keeps choices and attrs.
            if type(field.widget) is forms.Select:
                field.widget.__class__ = FastSelect
            _label_empty_choice(field)
            _bound_dates(field)
            _localise_number(field)

    def full_clean(self):
        self._normalise_text_data()
        super().full_clean()

    def _normalise_text_data(self) -> None:
        """Normalise the submitted text once, before any field sees it, so that what is
        validated, stored and shown back to the user is the same text. Fields added after
        __init__ (per-question fields) are covered: this runs at validation time."""
        if not self.is_bound or not self.data:
            return
        names = [
            self.add_prefix(name) for name, field in self.fields.items() if _is_free_text(field)
        ]
        names = [n for n in names if n in self.data]
        if not names:
            return
        data = self.data.copy()
        for name in names:
            if hasattr(data, "getlist"):
                data.setlist(
                    name,
                    [
                        normalisation.normalise_text(v) if isinstance(v, str) else v
                        for v in data.getlist(name)
                    ],
                )
            elif isinstance(data[name], str):
                data[name] = normalisation.normalise_text(data[name])
        self.data = data

    @property
    def helper(self):
        helper = FormHelper(self)
        helper.form_tag = True
        helper.add_input(Submit("submit", self.submit_label))
        return helper


class DsfrForm(DsfrFormMixin, DsfrBaseForm):
    pass


class DsfrModelForm(DsfrFormMixin, forms.ModelForm):
    @property
    def default_renderer(self):
        from dsfr.forms import DsfrDjangoTemplates

        return DsfrDjangoTemplates()


MERGE_BASE_FIELD = "merge_base"
_MERGE_SALT = "core.forms.merge_base"
MERGED_NOTICE = (
    "Quelqu'un d'autre avait enregistré cette fiche pendant que vous la modifiiez : "
    "ses modifications et les vôtres portaient sur des champs différents, toutes sont "
    "conservées."
)
CONFLICT_INTRO = (
    "Quelqu'un d'autre a enregistré cette fiche pendant que vous la modifiiez et a changé "
    "les mêmes champs que vous : rien n'a été enregistré. Ses autres modifications sont "
    "reprises ci-dessous. Pour chaque champ listé, vérifiez votre saisie (conservée) puis "
    "enregistrez à nouveau : c'est elle qui sera retenue."
)


def _field_repr(field, value):
    """`value` (an initial value) as the field's hidden input carries it: what Django's
    show_hidden_initial posts, read back with field.to_python and compared with
    field.has_changed (so numbers, dates, choices and booleans compare by value)."""
    value = field.hidden_widget().format_value(field.prepare_value(value))
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def _display(field, value) -> str:
    """A stored value as a person reads it, for the conflict summary."""
    if value in (None, "", [], ()):
        return "vide"
    if isinstance(field, forms.BooleanField):
        return "oui" if value else "non"
    prepared = field.prepare_value(value)
    choices = getattr(field, "choices", None)
    if choices is not None and not isinstance(prepared, list | tuple):
        for key, label in choices:
            if not isinstance(label, list | tuple) and str(key) == str(prepared):
                return str(label)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").replace(".", ",")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


class MergeableFormMixin:
    """A form that remembers the values its page started from, for a field-level
    three-way merge when someone else saved in between (`save_versioned`).

    Where the starting values live — a signed hidden field, not the history: the page
    carries the values it was displayed with (each field's initial value, as its hidden
    input would post it), signed with the project's secret. Chosen over looking up the
    historical record of the version the form was loaded at because (1) what the user saw
    is exactly the form's initial values, whatever models they come from: the Eval'Impact
    entry page shows Answer rows while its version is the Evaluation's, a convention's text
    is another row than the convention, and fields outside any model (a revision reason)
    have no history; (2) rebuilding the values of a version from django-simple-history
    means matching times across models, and a queryset update() leaves no record; (3) it
    costs no query. The signature is integrity, not secrecy: a page that lost or altered
    its base falls back to the plain stale warning. The stored values ("theirs") are the
    bound form's own initial values: the view builds the form from the database at each
    request, so they are the values a freshly loaded page would show.
    """

    def add_merge_base_field(self) -> None:
        self.fields[MERGE_BASE_FIELD] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=self.signed_base
        )

    def merge_field_names(self) -> list[str]:
        """The fields the merge compares: what the user types (not hidden fields: version,
        base, submission key)."""
        return [
            name
            for name, field in self.fields.items()
            if not field.widget.is_hidden and not isinstance(field, forms.FileField)
        ]

    def stored_values(self) -> dict:
        """{field: hidden-input value} of what is stored now (the form's initial values)."""
        return {
            name: _field_repr(self.fields[name], self[name].initial)
            for name in self.merge_field_names()
        }

    def signed_base(self) -> str:
        return signing.dumps(self.stored_values(), salt=_MERGE_SALT, compress=True)

    def submitted_base(self) -> dict | None:
        """The values the page started from, None when it carries none (or a tampered one)."""
        if MERGE_BASE_FIELD not in self.fields or not self.is_bound:
            return None
        raw = self.data.get(self.add_prefix(MERGE_BASE_FIELD))
        if not raw or not isinstance(raw, str):
            return None
        try:
            base = signing.loads(raw, salt=_MERGE_SALT)
        except signing.BadSignature:
            return None
        return base if isinstance(base, dict) else None

    def merge_label(self, name: str) -> str:
        """How the conflict summary names a field (a form whose labels repeat overrides it)."""
        return str(self.fields[name].label or name)

    def full_clean(self):
        super().full_clean()
        # The base is the merge's business: services receive the data without it.
        if hasattr(self, "cleaned_data"):
            self.cleaned_data.pop(MERGE_BASE_FIELD, None)


class VersionedFormMixin(MergeableFormMixin):
    """Carries the object's version in a hidden field for optimistic locking.

    The edit form of a record (a ModelForm whose version is its instance's) also carries
    the values it started from (MergeableFormMixin): a save beaten by someone else's is
    merged field by field (`save_versioned`). A form whose version is another object's
    adds the merge base itself when its initial values are stored values read in the
    request (a convention's text edit, `conventions.forms.VersionEditForm`); one whose
    fields are not stored values (a decision on a convention) keeps the plain stale
    warning.
    """

    def add_version_field(self, instance):
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput, initial=getattr(instance, "version", 1)
        )
        if isinstance(self, forms.ModelForm) and self.versioned_object() is self.instance:
            self.add_merge_base_field()

    def versioned_object(self):
        """The model instance whose `version` the hidden field carries: the form's instance.
        A form whose version is another object's (a convention's text edits the convention)
        overrides this, not stored_version."""
        return getattr(self, "instance", None)

    def stored_version(self) -> int | None:
        """The version now stored for versioned_object() (None: no row yet)."""
        obj = self.versioned_object()
        if obj is None or obj.pk is None:
            return None
        return type(obj).objects.filter(pk=obj.pk).values_list("version", flat=True).first()

    def add_stale_error(self, error: StaleObjectError):
        self.add_error(None, error)
        stored = self.stored_version() if "version" in self.fields else None
        if stored is None:
            # A first save beaten by a concurrent one: no version to offer, the warning
            # (and the user's input) is all the form can show.
            return
        # Let the next submit go through once the user has seen the warning.
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(stored)


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field when it names one, else
    at the top of the form (the user's input stays in the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _differs(field, initial_repr, data) -> bool:
    """Django's show_hidden_initial comparison: `data` (posted, or another hidden value)
    against a hidden-input value read back by the field."""
    try:
        initial = field.to_python(initial_repr)
    except ValidationError:
        return True
    return field.has_changed(initial, data)


def _set_data(data, key: str, field, value) -> None:
    """Put a hidden-input value in posted data as the field's own widget reads it."""
    if isinstance(field.widget, forms.CheckboxInput):
        if field.to_python(value):
            data[key] = "on"
        else:
            data.pop(key, None)
    elif isinstance(value, list) and hasattr(data, "setlist"):
        data.setlist(key, value)
    else:
        data[key] = "" if value is None else value


def merge_form(form, base: dict, data=None) -> list[str]:
    """Field-level three-way merge of a bound MergeableFormMixin form whose save was beaten.

    `base`: the values its page started from; the stored ones are the form's initial
    values (built from the database in this request); the user's are the posted ones.
    A field only the other person changed takes the stored value in the form's data; a
    field only the user changed keeps the user's input; a field both changed to different
    values is a conflict: the user's input stays, and a French line names the field and
    the other person's value. The form's base becomes the stored values, so that the next
    submit writes the user's choice. Answers the conflict lines.

    `data`: a mutable copy of the form's data to merge into (the page's forms share their
    posted data), by default a copy of its own.
    """
    stored = form.stored_values()
    if data is None:
        data = form.data.copy()
    conflicts = []
    for name in form.merge_field_names():
        field = form.fields[name]
        if name not in base or field.disabled:
            continue
        theirs = stored[name]
        if not _differs(field, base[name], theirs):
            continue
        mine = form[name].data
        if not _differs(field, base[name], mine):
            _set_data(data, form.add_prefix(name), field, theirs)
        elif _differs(field, theirs, mine):
            conflicts.append(
                f"« {form.merge_label(name)} » : l'autre personne a enregistré "
                f"« {_display(field, form[name].initial)} »."
            )
    data[form.add_prefix(MERGE_BASE_FIELD)] = signing.dumps(stored, salt=_MERGE_SALT, compress=True)
    form.data = data
    return conflicts


def _merge_after_stale(form, extra_forms, posted_version) -> list[str] | None:
    """Merge every form of the page after a StaleObjectError (see merge_form); None when
    they cannot be merged (a form without the values its page started from: the plain
    stale warning). Moves the form's version to the one its stored values are of."""
    every = (form, *extra_forms)
    if not all(isinstance(f, MergeableFormMixin) for f in every):
        return None
    bases = [f.submitted_base() for f in every]
    if any(base is None for base in bases) or "version" not in form.fields:
        return None
    loaded_version = form["version"].initial
    if loaded_version == posted_version:
        # Someone saved after this request read the record: its stored values are not
        # newer than the page's. The warning alone; the next submit merges.
        return [STALE_MESSAGE]
    conflicts = []
    # One page, one post: the forms posted together read the same merged data.
    posted, shared = form.data, form.data.copy()
    for f, base in zip(every, bases, strict=True):
        conflicts += merge_form(f, base, shared if f.data is posted else None)
    form.data[form.add_prefix("version")] = str(loaded_version)
    return [CONFLICT_INTRO, *conflicts] if conflicts else []


def save_versioned(
    request, form, save, *, success, extra_forms=(), on_error=add_service_errors
) -> bool:
    """The POST half of an edit page with optimistic locking (VersionedFormMixin).

    When `request` is a POST and `form` (and every form of `extra_forms`) is valid, calls
    `save(data, version)` (`form`'s cleaned data without "version", and that version, None
    for a first save whose form has no version yet) — a service that raises
    StaleObjectError when someone saved first, ValidationError when it refuses. Answers
    True once saved, with the French `success` message queued (a string, a function of
    what `save` returned, or None for no message); otherwise False with the stale warning
    on `form` or the service's errors placed by `on_error(form, error)` (default: per field
    of `form`, else at its top), for the view to render the page again with the input kept.

    Someone saved first and every form carries the values its page started from
    (MergeableFormMixin): the forms are merged field by field (merge_form). Without a
    conflict the merged data is saved at once (with a notice that both changes are kept);
    with one, nothing is written and the conflicts are listed at the top of `form`, the
    user's input kept: the next submit writes it.
    """
    if request.method != "POST":
        return False
    every = (form, *extra_forms)
    valid = [f.is_valid() for f in every]
    if not all(valid):
        return False
    merged = False
    while True:
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            result = save(data, version)
        except StaleObjectError as error:
            if merged:
                # Beaten again while merging: the warning alone, the next submit merges.
                form.add_error(None, error)
                return False
            conflicts = _merge_after_stale(form, extra_forms, version)
            if conflicts is None:
                form.add_stale_error(error)
                return False
            if conflicts:
                form.add_error(None, conflicts)
                return False
            merged = True
            # The merged data, validated again (a field another person changed).
            for f in every:
                f._errors = None
            valid = [f.is_valid() for f in every]  # every form's errors, not the first's
            if not all(valid):
                return False
        except ValidationError as error:
            on_error(form, error)
            return False
        else:
            message = success(result) if callable(success) else success
            if message:
                messages.success(request, message)
            if merged:
                messages.info(request, MERGED_NOTICE)
            return True


def save_form(request, form, save, *, success: str):
    """The POST half of a page whose form hands its data to a service (a create page).

    When `request` is a POST and `form` is valid, calls `save(data)` (a copy of the cleaned
    data) — a service that answers the object it saved, or raises ValidationError (French)
    when it refuses. Answers that object once saved (with the French `success` message
    queued); otherwise None, the service's errors on the form, for the view to render it
    again. `save_versioned` is the same for an edit page with optimistic locking.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(dict(form.cleaned_data))
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, success)
    return saved


class DocumentRequestForm(DsfrForm):
    """A "produce this document" button (a Celery job): a key per page load makes a double
    click harmless (the service answers the job of a key already seen)."""

    request_key = forms.UUIDField(widget=forms.HiddenInput)

    @classmethod
    def fresh(cls) -> "DocumentRequestForm":
        return cls(initial={"request_key": uuid.uuid4()})


def start_document(request, start):
    """Read the posted DocumentRequestForm and call `start(request_key)`, a service answering
    (job, created). Returns the job, or None once a French error message is queued (form
    unreadable, or the service's ValidationError)."""
    form = DocumentRequestForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "La demande n'a pas pu être lue : rechargez la page et recommencez."
        )
        return None
    try:
        job, _created = start(form.cleaned_data["request_key"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    return job


def restrict_choices(form, name: str, allowed) -> None:
    """Narrow the choices of field `name` to `allowed` (a queryset for a model choice field,
    a list of (value, label) for a plain choice field) for what the user may *pick*, while
    keeping the value(s) the edited object already holds: a value outside the list stays
    offered and selected, so that saving never replaces it with the first allowed one
    (tests/core/test_role_filtered_choices.py checks every form that filters by role).
    """
    field = form.fields[name]
    current = _current_values(form, name)
    if isinstance(field, forms.ModelChoiceField):
        model = allowed.model
        keep = [pk for pk in current if pk not in (None, "")]
        field.queryset = (
            (allowed | model.objects.filter(pk__in=keep)).distinct() if keep else allowed
        )
        return
    choices = list(allowed)
    offered = {str(value) for value, _label in choices}
    labels = dict(field.choices)
    for value in current:
        if value not in (None, "") and str(value) not in offered:
            choices.append((value, labels.get(value, str(value))))
    field.choices = choices


def _current_values(form, name: str) -> list:
    """The value(s) the edited object holds for `name` (pks for model fields), or []."""
    instance = getattr(form, "instance", None)
    if instance is None or instance.pk is None:
        initial = form.initial.get(name)
    else:
        model_field = instance._meta.get_field(name)
        if model_field.many_to_many:
            return list(getattr(instance, name).values_list("pk", flat=True))
        initial = getattr(instance, model_field.attname)
    if initial is None:
        return []
    return list(initial) if isinstance(initial, (list, tuple, set)) else [initial]
