"""The Hospi Diag import as a core.documents job, without real workers: the heartbeat is
time-travelled (`updated_at` moved back) as a killed worker would leave it."""

import html
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from core import documents
from evalimpact.models import HospidiagImport, HospidiagValue
from evalimpact.services.hospidiag import hospidiag_run_execute
from evalimpact.tasks import run_hospidiag_import
from tests.core.jobs import assert_import_page, import_page_states, silent_for

pytestmark = pytest.mark.django_db

GOOD = (
    b"finess,rs,P1,RH8\n"
    b'010780054,CH BOURG EN BRESSE,"       1,108","         9,4"\n'
    b'ABC,MAUVAIS FINESS,"       1,0",\n'
)


def _run(content: bytes = GOOD, name: str = "hd2022.csv", **fields) -> HospidiagImport:
    run = HospidiagImport(file_name=name, **fields)
    run.file.save(name, ContentFile(content), save=False)
    run.save()
    return run


def _page(client, run, **headers) -> str:
    url = reverse("evalimpact:hospidiag_import", args=[run.pk])
    return html.unescape(client.get(url, **headers).content.decode())


def test_the_command_hands_the_file_to_celery_and_the_run_reports(
    tmp_path, world, client, django_capture_on_commit_callbacks
):
    path = tmp_path / "hd2022.csv"
    path.write_bytes(GOOD)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_hospidiag", str(path), "--en-tache", stdout=out)
    run = HospidiagImport.objects.get()
    assert f"/evalimpact/imports/hospidiag/{run.pk}/" in out.getvalue()
    assert (run.status, run.year, run.values_stored, run.attempts) == ("done", 2022, 2, 1)
    assert run.skipped == [{"ligne": 3, "motif": "numéro FINESS invalide « ABC »."}]
    assert HospidiagValue.objects.count() == 2
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    page = _page(client, run)
    assert "Import terminé" in page and "Ligne 3 écartée : numéro FINESS invalide" in page
    assert 'role="status"' in page and 'hx-trigger="every 1s"' not in page


@pytest.mark.django_db(transaction=True)
def test_the_command_in_eager_mode_prints_the_same_report_as_at_once(tmp_path):
    """Without a broker the task runs inside the command (autocommit, as `manage.py`): the
    operator reads the report there, as without --en-tache, not only a page address."""
    path = tmp_path / "hd2022.csv"
    path.write_bytes(GOOD)
    out = StringIO()
    call_command("import_hospidiag", str(path), "--en-tache", stdout=out)
    run = HospidiagImport.objects.get()
    assert run.status == "done"
    printed = out.getvalue()
    assert f"/evalimpact/imports/hospidiag/{run.pk}/" in printed and "(Terminé" in printed
    assert "2 valeurs enregistrées, 1 lignes écartées." in printed
    assert "Ligne 3 écartée : numéro FINESS invalide « ABC »." in printed
    assert run.summary in printed


def test_a_killed_import_is_reaped_requeued_and_stored_once(django_capture_on_commit_callbacks):
    run = _run(status=HospidiagImport.Status.RUNNING, attempts=1)
    silent_for(run, HospidiagImport.STALLED_AFTER * 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert documents.reap() == {"requeued": 1, "failed": 0}
    run.refresh_from_db()
    assert (run.status, run.attempts, run.generation) == ("done", 2, 2)
    assert HospidiagValue.objects.count() == 2
    # A late delivery of the lost message: nothing to do.
    run_hospidiag_import.run(run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 2)
    assert HospidiagValue.objects.count() == 2


def test_attempts_are_bounded_then_the_run_fails_in_french():
    run = _run(status=HospidiagImport.Status.RUNNING, attempts=HospidiagImport.MAX_ATTEMPTS)
    silent_for(run, HospidiagImport.STALLED_AFTER * 2)
    assert documents.reap() == {"requeued": 0, "failed": 1}
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error.startswith("L'import Hospi Diag a été interrompu à plusieurs reprises")
    assert not HospidiagValue.objects.exists()


def test_a_duplicate_delivery_while_a_live_worker_imports_does_nothing():
    run = _run(status=HospidiagImport.Status.RUNNING, attempts=1)  # fresh heartbeat
    hospidiag_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("running", 1)
    assert not HospidiagValue.objects.exists()


def test_a_wrong_file_fails_in_french_and_asks_for_a_corrected_file_not_relancer(
    world, client, django_capture_on_commit_callbacks
):
    run = _run(content=b"nom;valeur\nA;1\n", name="export2022.csv")
    run_hospidiag_import.delay(run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and "pas de colonne « finess »" in run.error
    assert run.attempts == 1 and not HospidiagValue.objects.exists()
    # The file itself is at fault: running it again would fail the same way.
    assert run.permanent_failure and not run.can_retry
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    page = _page(client, run)
    assert "Import refusé" in page and "Relancer l'import" not in page
    upload = reverse("evalimpact:hospidiag_import_start")
    assert f'<a href="{upload}">Déposez un fichier corrigé</a>' in page
    # A "Relancer" posted anyway (a page loaded before) is refused in French.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evalimpact:hospidiag_import_retry", args=[run.pk]))
    run.refresh_from_db()
    assert (run.status, run.generation) == ("failed", 1)
    assert "Relancer cet import Hospi Diag échouerait de même : déposez un fichier corrigé." in (
        html.unescape(client.get(response["Location"]).content.decode())
    )


def test_a_transient_failure_keeps_relancer_which_starts_the_run_again(
    world, client, django_capture_on_commit_callbacks
):
    # Failed for a reason outside the file (here: the broker was down).
    run = _run(status="failed", error=HospidiagImport.QUEUE_DOWN_MESSAGE)
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    page = _page(client, run)
    assert "Relancer l'import" in page and "Déposez un fichier corrigé" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("evalimpact:hospidiag_import_retry", args=[run.pk]))
    run.refresh_from_db()
    assert (run.status, run.generation, run.values_stored) == ("done", 2, 2)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("evalimpact:hospidiag_import_retry", args=[run.pk]))
    run.refresh_from_db()
    assert run.generation == 2
    assert "Cet import Hospi Diag est terminé ou en cours." in _page(client, run)


@pytest.mark.django_db(transaction=True)
def test_the_command_says_when_the_queue_is_down(tmp_path, broker_down):
    broker_down(run_hospidiag_import)
    path = tmp_path / "hd2022.csv"
    path.write_bytes(GOOD)
    # Outside a transaction, as on a server: on_commit runs at once.
    with pytest.raises(CommandError, match="momentanément indisponible"):
        call_command("import_hospidiag", str(path), "--en-tache")
    assert HospidiagImport.objects.get().status == "failed"


@pytest.mark.parametrize(
    ("state", "polls", "shown", "relancer"), import_page_states("Avancement : 20 %")
)
def test_the_import_page_shows_each_state(world, client, state, polls, shown, relancer):
    fields = {
        "pending": {},
        "running": {"status": "running", "attempts": 1, "progress": 20},
        "stalled": {"status": "running", "attempts": 1},
        "failed": {"status": "failed", "error": HospidiagImport.QUEUE_DOWN_MESSAGE},
        "refused": {
            "status": "failed",
            "error": "Le fichier n'a pas de colonne « finess ».",
            "permanent_failure": True,
        },
        "done": {"status": "done", "lines_read": 2, "values_stored": 2},
    }[state]
    run = _run(**fields)
    if state == "stalled":
        silent_for(run, HospidiagImport.STALLED_AFTER * 2)
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("evalimpact:hospidiag_import", args=[run.pk])
    assert_import_page(client, url, "hospidiag", shown=shown, polls=polls, relancer=relancer)
