"""core.imports: the upload of an import file, on both import pages (FINESS, Hospi Diag).

The file is checked before anything is stored (size, extension, detector), streamed to
storage in chunks, and a large upload that Django already wrote to disk is read from there,
not copied again."""

import html
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import imports
from evalimpact.models import HospidiagImport
from territories.models import ImportRun

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PAGES = {
    "finess": (
        "territories:import_start",
        ImportRun,
        ROOT / "tests" / "fixtures_data" / "finess_sample.csv",
        "extrait.csv",
    ),
    "hospidiag": (
        "evalimpact:hospidiag_import_start",
        HospidiagImport,
        ROOT / "fixtures" / "hospidiag-2022" / "pdmreg_2022-demo.csv",
        "pdmreg_2022.csv",
    ),
}


def _post(client, page: str):
    url, _model, sample, name = PAGES[page]
    upload = SimpleUploadedFile(name, sample.read_bytes(), "text/csv")
    return client.post(reverse(url), {"file": upload, "submission_key": str(uuid.uuid4())})


def _stored_files() -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.mark.parametrize("page", PAGES)
def test_a_file_over_the_limit_is_refused_in_french_and_nothing_is_stored(
    world, client, settings, page
):
    settings.IMPORT_MAX_BYTES = 1024
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    response = _post(client, page)
    assert response.status_code == 200
    assert "la taille maximale est de 1 Ko." in html.unescape(response.content.decode())
    assert not PAGES[page][1].objects.exists()
    assert _stored_files() == []


@pytest.mark.parametrize("in_memory", [True, False])
@pytest.mark.parametrize("page", PAGES)
def test_a_good_file_is_stored_identical(world, client, settings, monkeypatch, page, in_memory):
    # Django holds an upload up to FILE_UPLOAD_MAX_MEMORY_SIZE in memory, a larger one on disk.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024 if in_memory else 100
    read = []
    detect = imports.detect

    def detect_spy(path, **kwargs):
        read.append(Path(path).name)
        return detect(path, **kwargs)

    monkeypatch.setattr(imports, "detect", detect_spy)
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    response = _post(client, page)
    assert response.status_code == 302
    _url, model, sample, _name = PAGES[page]
    run = model.objects.get()
    with run.file.open("rb") as stored:
        assert stored.read() == sample.read_bytes()
    assert _stored_files() == [Path(run.file.path)]
    # A large upload is read by the detector where Django wrote it, not copied once more.
    assert (".upload" in read[0]) is not in_memory


@pytest.mark.parametrize("on_disk", [False, True])
def test_an_error_of_the_detector_reaches_the_caller_as_it_was_raised(tmp_path, on_disk):
    """The upload's path is asked before the detector runs: an AttributeError of the
    detector is its own, not taken for "held in memory" (which made the context manager
    yield twice and raise a RuntimeError instead)."""
    from django.core.files.uploadedfile import TemporaryUploadedFile

    if on_disk:
        upload = TemporaryUploadedFile("finess.csv", "text/csv", 4, "utf-8")
        upload.write(b"a;b\n")
        upload.seek(0)
    else:
        upload = SimpleUploadedFile("finess.csv", b"a;b\n")
    with pytest.raises(AttributeError, match="détecteur"), imports._on_disk(upload) as path:
        assert Path(path).read_bytes() == b"a;b\n"
        raise AttributeError("détecteur")
