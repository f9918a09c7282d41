"""The Hospi Diag upload page: a national admin uploads an ATIH file, which a Celery job
imports (eagerly here, no REDIS_URL) while its page follows it; bad files are refused on the
form before anything is stored."""

import gzip
import html
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from evalimpact.models import HospidiagImport, HospidiagValue
from tests.accounts.factories import UserFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
# The smallest real 2022 file, as sliced in the repository (fixtures/README.md).
PDMREG = FIXTURES / "hospidiag-2022" / "pdmreg_2022-demo.csv"
FINESS_JSON = FIXTURES / "finess-2026" / "finess-structures-sample-20260309.json"
START = "evalimpact:hospidiag_import_start"


def _upload(name="pdmreg_2022.csv", content=None):
    return SimpleUploadedFile(name, PDMREG.read_bytes() if content is None else content)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _post(client, *, key=None, **data):
    data.setdefault("file", _upload())
    data["submission_key"] = str(key or uuid.uuid4())
    return client.post(reverse(START), data)


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("agent_ara", 403), ("referent_a", 403), ("copil", 403)],
)
def test_only_national_admins_reach_the_page_and_its_menu_entry(world, login, role, status):
    client = login(getattr(world, role))
    response = client.get(reverse(START))
    assert response.status_code == status
    home = client.get(reverse("home")).content.decode()
    assert (reverse(START) in home) is (status == 200)
    # A post is refused alike, and creates nothing.
    assert _post(client).status_code == (302 if status == 200 else 403)
    assert HospidiagImport.objects.exists() is (status == 200)


def test_the_real_2022_file_is_imported_and_its_page_says_done(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.admin)
    page = _text(client.get(reverse(START)))
    assert "Fichier Hospi Diag" in page and 'enctype="multipart/form-data"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client)
    run = HospidiagImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evalimpact:hospidiag_import", args=[run.pk])
    run.refresh_from_db()
    assert (run.status, run.file_name, run.year, run.started_by) == (
        "done",
        "pdmreg_2022.csv",
        2022,
        world.admin,
    )
    assert run.file_kind == "parts de marché régionales"
    assert (run.lines_read, run.values_stored) == (184, 667)
    assert HospidiagValue.objects.count() == 667
    # The stored copy never bears the user's name.
    assert Path(run.file.name).name.startswith("hospidiag-") and run.file.name.endswith(".csv")
    page = _text(client.get(response["Location"]))
    assert "Statut : <strong>Terminé</strong>" in page and "Import terminé" in page
    assert "184 lignes lues, 667 valeurs enregistrées, 0 lignes écartées" in page
    assert 'hx-trigger="every 1s"' not in page and "Relancer l'import" not in page
    # The start page lists it.
    assert "pdmreg_2022.csv (2022)" in _text(client.get(reverse(START)))


def _as_xlsx() -> bytes:
    """The real slice as a spreadsheet user saves it: .xlsx, a title sheet before the data."""
    import csv
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Lisez-moi"
    book.active.append(["Parts de marché régionales 2022 (ATIH)"])
    sheet = book.create_sheet("pdmreg_2022")
    text = PDMREG.read_bytes().decode("utf-8-sig")
    for row in csv.reader(io.StringIO(text), delimiter=";" if ";" in text[:500] else ","):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "upload",
    [
        lambda: _upload("pdmreg_2022.xlsx", _as_xlsx()),
        lambda: _upload("pdmreg_2022.csv.gz", gzip.compress(PDMREG.read_bytes())),
    ],
    ids=["xlsx", "csv.gz"],
)
def test_a_spreadsheet_or_compressed_copy_imports_the_same_values(
    world, login, django_capture_on_commit_callbacks, upload
):
    client = login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, file=upload())
    run = HospidiagImport.objects.get()
    assert (run.status, run.year, run.values_stored) == ("done", 2022, 667), run.error
    assert HospidiagValue.objects.filter(year=2022).count() == 667


def test_the_year_asked_for_wins_over_a_name_without_one(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, file=_upload("export.txt"), year="2022")
    run = HospidiagImport.objects.get()
    assert (run.status, run.year, run.values_stored) == ("done", 2022, 667)
    assert HospidiagValue.objects.filter(year=2022).count() == 667


def test_without_a_year_anywhere_the_run_fails_in_french_and_asks_for_a_new_upload(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, file=_upload("export.csv"))
    run = HospidiagImport.objects.get()
    assert run.status == "failed"
    page = _text(client.get(response["Location"]))
    assert "Impossible de déduire l'année" in page and "champ « Année des données »" in page
    assert "Relancer l'import" not in page and "Déposez un fichier corrigé" in page
    assert not HospidiagValue.objects.exists()


def test_a_finess_file_fails_with_the_importers_message(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, file=_upload("finess_2022.txt", FINESS_JSON.read_bytes()))
    run = HospidiagImport.objects.get()
    assert run.status == "failed"
    assert "Ce fichier est au format JSON, pas un tableau (CSV ou Excel)" in run.error
    page = _text(client.get(response["Location"]))
    assert "Import refusé" in page and "format JSON, pas un tableau" in page
    assert "Relancer l'import" not in page and "Déposez un fichier corrigé" in page
    assert not HospidiagValue.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            ("hd2022.pdf", b"%PDF-1.4 xx"),
            "Le fichier doit être un fichier Hospi Diag au format CSV (.csv ou .txt), un classeur",
        ),
        (("hd2022.json", FINESS_JSON.read_bytes()), "au format CSV (.csv ou .txt)"),
        (("hd2022.zip", b"PK\x03\x04xx"), "un CSV compressé (.csv.gz)"),
        (("hd2022.csv", b""), "Le fichier soumis est vide."),
        (("hd2022.csv", b"   \n"), "Le fichier est vide : aucune donnée n'a été importée."),
        (("hd2022.csv", b"ab\x00\x01\x02cd"), "fichier binaire non reconnu"),
    ],
)
def test_bad_files_are_refused_at_the_top_of_the_form(world, login, upload, message):
    client = login(world.admin)
    response = _post(client, file=_upload(*upload))
    assert response.status_code == 200
    page = _text(response)
    summary = page.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert message in summary and "Fichier Hospi Diag :" in summary
    assert not HospidiagImport.objects.exists()


def test_the_page_text_names_every_format_the_form_accepts(world, login):
    # The introduction once said "un fichier CSV" while the form took .xlsx and .gz too.
    from evalimpact.forms import HospidiagImportForm

    page = _text(login(world.admin).get(reverse(START)))
    intro = page.split("Déposez", 1)[1].split("</p>", 1)[0]
    for suffix in (".csv", ".txt", ".gz", ".xlsx"):
        assert suffix in intro
    for suffix in HospidiagImportForm.accepted_extensions:
        assert suffix in page


def test_a_year_out_of_range_is_refused(world, login):
    response = _post(login(world.admin), year="1999")
    assert "Année des données (facultatif) :" in _text(response)
    assert not HospidiagImport.objects.exists()


def test_a_file_over_the_import_size_limit_is_refused_and_the_page_states_it(
    world, login, settings
):
    settings.IMPORT_MAX_BYTES = 1024
    client = login(world.admin)
    assert "Taille maximale : 1 Ko." in _text(client.get(reverse(START)))
    response = _post(client)
    assert "la taille maximale est de 1 Ko." in _text(response)
    assert not HospidiagImport.objects.exists()
    settings.IMPORT_MAX_BYTES = 200 * 1024 * 1024
    assert "Taille maximale : 200 Mo." in _text(client.get(reverse(START)))


def test_a_double_submit_creates_one_run(world, login, django_capture_on_commit_callbacks):
    client = login(world.admin)
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(client, key=key)
    second = _post(client, key=key)
    run = HospidiagImport.objects.get()
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert "déjà été envoyé" in _text(client.get(second["Location"]))
    assert run.status == "done" and HospidiagValue.objects.count() == 667


def test_the_page_query_count_does_not_grow_with_the_runs(world, login):
    client = login(world.admin)
    url = reverse(START)

    def add_runs(count):
        for _ in range(count):
            HospidiagImport.objects.create(
                file_name="hd2022.csv", status="done", started_by=UserFactory(national_admin=True)
            )

    add_runs(1)
    few = count_queries(client, url)
    add_runs(12)
    assert count_queries(client, url) == few
    assert User.objects.count() > 12


def test_the_list_of_last_imports_says_interrompu_for_a_silent_run(world, login):
    """A run whose worker went silent reads « Interrompu » on its own page (with
    « Relancer »): the list of last imports says the same, not « En cours »."""
    from tests.core.jobs import silent_for

    run = HospidiagImport.objects.create(
        file_name="pdmreg_2022.csv", status=HospidiagImport.Status.RUNNING, attempts=1
    )
    silent_for(run, HospidiagImport.STALLED_AFTER * 2)
    page = _text(login(world.admin).get(reverse(START)))
    line = page[page.index("Derniers imports") :]
    line = line[line.index("pdmreg_2022.csv") :]
    line = line[: line.index("</li>")]
    assert "Interrompu" in line and "En cours" not in line


def test_a_queue_out_of_reach_fails_the_run_in_french_never_the_page(
    world, login, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from evalimpact.tasks import run_hospidiag_import

    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setitem(run_hospidiag_import.app.conf, "task_always_eager", False)
    monkeypatch.setattr(run_hospidiag_import, "delay", unreachable)
    client = login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client)
    assert response.status_code == 302
    assert HospidiagImport.objects.get().status == "failed"
    page = _text(client.get(response["Location"]))
    assert "momentanément indisponible" in page and "Relancer l'import" in page
