"""The stored PDF and DOCX of each convention version, produced by Celery.

`version_files_request` is called by the services that create a version (generation,
edit, amendment) and by those that change what the documents show besides the text
(`force=True`: submission to signature, each signature); users call it (POST) for a
version whose files are missing or failed. `version_files_generate` is the task's work.
"""

from conventions import exports
from conventions.models import ConventionVersion, VersionFiles
from core import documents

FAILED_MESSAGE = (
    "La production des fichiers PDF et DOCX de cette version a échoué. Relancez-la ; "
    "si le problème persiste, contactez l'administration nationale."
)


def version_files_request(
    *, version: ConventionVersion, user=None, force: bool = False
) -> tuple[VersionFiles, bool]:
    """Make sure the files of `version` are produced; returns (files, enqueued).

    Idempotent: files already ready, or being produced, are left alone (a double click
    enqueues nothing); `force` renders them again (what they show has changed).
    Enqueued after commit, so the worker sees the version.
    """
    user = user if user is not None and user.is_authenticated else None
    # A broker that cannot be reached must not turn the user's (committed) write into an
    # error page: the job fails with a French message and can be restarted.
    return documents.ensure(
        VersionFiles,
        {"version": version},
        defaults={"requested_by": user} if user is not None else None,
        force=force,
    )


def storage_name(files: VersionFiles, extension: str) -> str:
    version = files.version
    return (
        f"conventions/versions/{version.convention.cooperation_id}/"
        f"convention-v{version.number}-{files.token.hex}-g{files.generation}.{extension}"
    )


def version_files_generate(*, files_id: int) -> VersionFiles | None:
    files = documents.start(VersionFiles, files_id)
    if files is None:
        return None
    version = (
        ConventionVersion.objects.select_related(
            "convention__cooperation__pilot_ars", "convention__template__legal_form", "amends"
        )
        .prefetch_related("clauses", "signatures")
        .get(pk=files.version_id)
    )
    files.version = version
    pdf = exports.version_pdf(version)
    documents.set_progress(files, 50)
    docx = exports.version_docx(version)
    documents.set_progress(files, 80)
    names = {
        "pdf": documents.store(files, "pdf", storage_name(files, "pdf"), pdf),
        "docx": documents.store(files, "docx", storage_name(files, "docx"), docx),
    }
    return documents.finish(files, names)


def files_of(version: ConventionVersion) -> VersionFiles | None:
    try:
        return version.files
    except VersionFiles.DoesNotExist:
        return None
