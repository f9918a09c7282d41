import html
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from territories.models import Establishment, ImportRun
from tests.conftest import wait_until

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures_data" / "finess_sample.csv"


def _upload(name="extrait.csv", content=None):
    return SimpleUploadedFile(
        name, content if content is not None else SAMPLE.read_bytes(), "text/csv"
    )


def test_national_admin_imports_from_the_web_through_celery(celery_runner, world, client):
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("territories:import_start"), {"file": _upload()})
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("territories:import_detail", args=[run.pk])
    run = wait_until(lambda: ImportRun.objects.filter(pk=run.pk, status="done").first())
    assert (run.created_count, run.rejected_count) == (4, 4)
    assert run.started_by == world.admin
    assert Establishment.objects.filter(finess="010000024").exists()
    page = client.get(reverse("territories:import_detail", args=[run.pk])).content.decode()
    assert "Import terminé" in page
    assert "4 établissements créés" in page
    assert "Ligne 7 :" in page
    # The htmx poll gets the fragment only.
    fragment = client.get(
        reverse("territories:import_detail", args=[run.pk]), HTTP_HX_REQUEST="true"
    )
    assert fragment.content.decode().strip().startswith('<div id="import-progress"')


def test_web_import_of_a_wrong_file_fails_cleanly(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    before = Establishment.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("territories:import_start"), {"file": _upload(content=b"a;b\n1;2\n")})
    run = ImportRun.objects.get()
    assert run.status == "failed"
    assert "n'est pas un extrait FINESS" in run.error
    assert Establishment.objects.count() == before
    # The file itself is at fault: no "Relancer", a corrected file is asked for.
    assert run.permanent_failure and not run.can_retry
    detail = reverse("territories:import_detail", args=[run.pk])
    page = html.unescape(client.get(detail).content.decode())
    assert "Import refusé" in page and "Relancer l'import" not in page
    upload = reverse("territories:import_start")
    assert f'<a href="{upload}">Déposez un fichier corrigé</a>' in page
    response = client.post(reverse("territories:import_retry", args=[run.pk]))
    run.refresh_from_db()
    assert (run.status, run.generation) == ("failed", 1)
    assert "Relancer cet import FINESS échouerait de même : déposez un fichier corrigé." in (
        html.unescape(client.get(response["Location"]).content.decode())
    )


def test_a_transient_failure_keeps_relancer(world, client, django_capture_on_commit_callbacks):
    run = ImportRun.objects.create(
        original_name="extrait.csv", status="failed", error=ImportRun.QUEUE_DOWN_MESSAGE
    )
    run.file.save("extrait.csv", SimpleUploadedFile("extrait.csv", SAMPLE.read_bytes()))
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    detail = reverse("territories:import_detail", args=[run.pk])
    page = html.unescape(client.get(detail).content.decode())
    assert "Relancer l'import" in page and "Déposez un fichier corrigé" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("territories:import_retry", args=[run.pk]))
    run.refresh_from_db()
    assert (run.status, run.generation, run.created_count) == ("done", 2, 4)


def test_web_import_refuses_binary_and_wrong_extension_files(world, client):
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("territories:import_start"), {"file": _upload("tableau.pdf", b"%PDF-1.4 xx")}
    )
    assert "doit être un flux FINESS (.json, .json.gz) ou un extrait" in response.content.decode()
    response = client.post(
        reverse("territories:import_start"), {"file": _upload("tableau.xlsx", b"PK\x03\x04xx")}
    )
    assert "pas un classeur Excel (.xlsx) lisible" in response.content.decode()
    response = client.post(
        reverse("territories:import_start"),
        {"file": _upload("extrait.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1xx")},
    )
    assert "Excel 97-2003 (.xls)" in response.content.decode()
    response = client.post(
        reverse("territories:import_start"), {"file": _upload("extrait.csv", b"ab\x00\x01\x02cd")}
    )
    assert "fichier binaire non reconnu" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_web_import_refuses_a_file_over_the_size_limit(world, client, settings):
    settings.IMPORT_MAX_BYTES = 1024  # the sample weighs 1.6 Ko
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("territories:import_start")).content.decode()
    assert "Taille maximale : 1 Ko." in page  # the limit is stated before the upload
    response = client.post(reverse("territories:import_start"), {"file": _upload()})
    assert "Le fichier pèse 2 Ko : la taille maximale est de 1 Ko." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_the_page_states_the_default_size_limit(world, client):
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("territories:import_start")).content.decode()
    assert "Taille maximale : 200 Mo." in page
