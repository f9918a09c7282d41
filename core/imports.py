"""The web pages of the file imports (FINESS in territories, Hospi Diag in evalimpact).

A national admin uploads a file on the import's page (`ImportFileForm`, checked before
anything is stored); the kit's service stores it on a pending core.models.BackgroundJob
(`store_upload`) and enqueues its task; the browser is sent to the job's page, which the
htmx poll refreshes (`job_page`: the fragment alone for htmx) until the import ends, and
which offers "Relancer" on a stalled run or a transient failure (`retry`), or asks for a
corrected file when the file itself failed the import (core.models.ImportJob). The kits
keep their wording, services and templates; the steps both imports share live here.

Views: `upload_page`, `job_page` and `retry` return the response of a kit's view, which
stays a thin function (decorated with core.idempotency.once_per_submission for the upload).
Errors: a user other than a national admin gets PermissionDenied (403); a refused file comes
back on the form with a French message, and nothing is stored.
"""

import contextlib
import tempfile
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core import documents
from core.forms import DsfrForm
from core.idempotency import SubmissionKeyMixin
from core.tabular import FormatError, detect
from core.uploads import human_size

NOT_ALLOWED = "Réservé aux administrateurs nationaux."


def require_national_admin(user) -> None:
    """The import pages are for national admins only (others: 403)."""
    if not user.is_national_admin:
        raise PermissionDenied(NOT_ALLOWED)


def max_import_bytes() -> int:
    """The size limit of an uploaded import file, the same on every import page (setting
    IMPORT_MAX_BYTES)."""
    return settings.IMPORT_MAX_BYTES


def size_limit_text() -> str:
    """The limit as the upload pages state it: « Taille maximale : 200 Mo. »"""
    return f"Taille maximale : {human_size(max_import_bytes())}."


class ImportFileForm(SubmissionKeyMixin, DsfrForm):
    """An import's upload form: a `file` field (a subclass declares it, with its label) and
    a submission key (a second post of the same page goes to the first job).

    `clean_file` refuses, in French, a file over the size limit, with an extension not in
    `accepted_extensions` (message `extension_error`), or that the importers' detector
    (core.tabular.detect) cannot read (empty, binary, PDF, Excel 97-2003): refused here, it
    never waits in the queue. A readable file of another kind (a JSON where a table is
    expected) is the importer's business: its job fails with the importer's message.
    `self.detected` is the detector's answer.
    """

    submit_label = "Lancer l'import"
    accepted_extensions: tuple[str, ...] = ()
    extension_error = ""
    # Column names that help the detector find the header line (as the importer asks).
    expected_columns: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.help_text = f"{field.help_text} {size_limit_text()}".strip()
        # The bound field, made by the DSFR form's own __init__, keeps its own copy.
        self["file"].help_text = field.help_text

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        limit = max_import_bytes()
        if uploaded.size > limit:
            raise forms.ValidationError(
                f"Le fichier pèse {human_size(uploaded.size)} : la taille maximale est de "
                f"{human_size(limit)}."
            )
        name = (uploaded.name or "").lower()
        if not name.endswith(self.accepted_extensions):
            raise forms.ValidationError(self.extension_error)
        with _on_disk(uploaded) as path:
            try:
                self.detected = detect(
                    path, name=uploaded.name, expected_columns=self.expected_columns
                )
            except FormatError as error:
                raise forms.ValidationError(str(error)) from error
        uploaded.seek(0)
        return uploaded


@contextlib.contextmanager
def _on_disk(uploaded):
    """A path to the upload's bytes for the detector: the file Django already wrote to disk
    for a large upload (TemporaryUploadedFile, over FILE_UPLOAD_MAX_MEMORY_SIZE), never
    copied again; a small upload held in memory is written out in chunks."""
    if hasattr(uploaded, "temporary_file_path"):
        # Asked before the yield: an AttributeError raised by the caller's block must not be
        # taken for "held in memory" (the generator would then yield twice).
        yield uploaded.temporary_file_path()
        return
    # InMemoryUploadedFile: at most FILE_UPLOAD_MAX_MEMORY_SIZE.
    with tempfile.NamedTemporaryFile(suffix=Path(uploaded.name or "").suffix) as copy:
        for chunk in uploaded.chunks():
            copy.write(chunk)
        copy.flush()
        yield copy.name


def stored_name(prefix: str, original: str, suffixes: tuple[str, ...]) -> str:
    """The storage name of an uploaded file: never the user's own name (no path tricks),
    dated for the admin who browses the storage, with its known suffix (else `.dat`):
    `finess-20260309-141500-1a2b3c4d.json.gz`."""
    lower = (original or "").lower()
    suffix = next((s for s in suffixes if lower.endswith(s)), ".dat")
    return f"{prefix}-{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}{suffix}"


def store_upload(job, uploaded, *, prefix: str, suffixes: tuple[str, ...]):
    """Save `job` (an unsaved BackgroundJob with a `file` field) with the uploaded file,
    and enqueue its task after commit (a broker that cannot be reached fails the job with
    a French message, never the request). Returns the job.

    The storage writes the upload in chunks (UploadedFile.chunks()), or moves Django's own
    temporary file of a large upload into place: the file is never held whole in memory."""
    job.file.save(stored_name(prefix, uploaded.name, suffixes), uploaded, save=False)
    job.save()
    documents.enqueue_on_commit(type(job), job.pk)
    return job


def upload_page(request, form_class, create, *, detail: str, template: str, context: dict):
    """The upload page: on a valid post, `create(cleaned_data)` makes the job and the
    browser goes to its page (URL name `detail`, with the job's pk); otherwise the page
    with the form (its errors summarised at the top) and `context`."""
    require_national_admin(request.user)
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = create(form.cleaned_data)
        return redirect(detail, pk=job.pk)
    return render(request, template, {**context, "form": form})


def job_page(request, model, pk: int, *, template: str, fragment: str, context=None):
    """A job's page, or its progress fragment alone for the htmx poll. `context(job)` gives
    the page's other variables (the job is `run`)."""
    require_national_admin(request.user)
    job = get_object_or_404(model, pk=pk)
    extra = context(job) if context else {}
    return render(request, fragment if request.htmx else template, {**extra, "run": job})


def retry(request, model, pk: int, *, detail: str, name: str):
    """ "Relancer": import a failed or stalled job's file again (core.documents.restart;
    an import is all or nothing, so nothing is imported twice). Refused when the file
    itself failed the import (`needs_new_file`). `name`: "import FINESS"."""
    require_national_admin(request.user)
    job = get_object_or_404(model, pk=pk)
    if documents.restart(job):
        messages.success(request, f"L'{name} est relancé.")
    elif job.needs_new_file:
        messages.error(
            request, f"Relancer cet {name} échouerait de même : déposez un fichier corrigé."
        )
    else:
        messages.info(request, f"Cet {name} est terminé ou en cours.")
    return redirect(detail, pk=job.pk)
