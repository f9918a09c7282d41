"""Catalogues as reviewable files: load, export, idempotence, admin edits, errors."""

import ast
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from cooperations.models import LegalForm
from core.catalogues import CatalogueError, load_all, read_markdown, registered, write_markdown
from fiches.models import CatalogueVersion, Fiche, Question, Step
from tests.cooperations.factories import CooperationFactory

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in {".yaml", ".md"} and p.name != "README.md"
    }


def test_exporting_the_loaded_catalogues_gives_back_the_files_in_the_repository(tmp_path):
    # The test database was loaded from the files: writing it back must not change a byte,
    # so a lawyer's diff only ever shows real changes.
    call_command("export_catalogues", dir=str(tmp_path), stdout=StringIO())
    assert _tree(tmp_path) == _tree(Path(settings.CATALOGUES_DIR))


def test_loading_twice_changes_nothing():
    report = load_all()
    assert not report.changed
    assert "inchangé" in "\n".join(report.lines())


def test_every_catalogue_the_issue_names_is_registered():
    names = {c.name for c in registered()}
    assert {"legal_forms", "chooser", "conventions", "fiches", "indicators"} <= names


def test_missing_only_keeps_an_admin_edit_and_a_full_load_restores_the_files():
    gcs = LegalForm.objects.get(code="gcs-moyens")
    original = gcs.description
    gcs.description = "Texte revu dans l'administration"
    gcs.save()
    call_command("load_catalogues", missing_only=True, stdout=StringIO())
    gcs.refresh_from_db()
    assert gcs.description == "Texte revu dans l'administration"
    out = StringIO()
    call_command("load_catalogues", "legal_forms", stdout=out)
    gcs.refresh_from_db()
    assert gcs.description == original
    assert "formes juridiques : 0 créé(s), 1 modifié(s)" in out.getvalue()


def test_a_load_is_traced_in_the_history_of_the_rows_it_changes():
    from fiches.models import KnowledgePage

    page = KnowledgePage.objects.get(slug="forme-gcs")
    page.title = "Titre modifié"
    page.save()
    load_all(["knowledge"])
    assert page.history.first().history_change_reason == "chargement du catalogue"


def test_missing_only_creates_what_is_absent():
    LegalForm.objects.filter(code="cpts").delete()
    load_all(["legal_forms"], missing_only=True)
    assert LegalForm.objects.filter(code="cpts").exists()


def test_a_file_with_an_unknown_field_is_refused_and_nothing_is_written(tmp_path):
    copy = tmp_path / "catalogues"
    shutil.copytree(settings.CATALOGUES_DIR, copy)
    path = copy / "legal_forms" / "gip.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "aprobateur: le préfet\n", encoding="utf-8")
    (copy / "themes.yaml").write_text("- code: nouveau-theme\n  name: Nouveau\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("load_catalogues", dir=str(copy), stdout=StringIO())
    assert "Aucun changement enregistré" in str(error.value)
    assert "aprobateur" in str(error.value)
    from cooperations.models import Theme

    assert not Theme.objects.filter(code="nouveau-theme").exists()


def test_a_broken_yaml_file_names_the_file(tmp_path):
    copy = tmp_path / "catalogues"
    shutil.copytree(settings.CATALOGUES_DIR, copy)
    (copy / "risk_categories.yaml").write_text("- code: [non fermé\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="risk_categories.yaml : YAML illisible"):
        load_all(["risk_categories"], root=copy)


def test_a_changed_fiche_in_use_goes_into_a_new_version_and_answered_steps_keep_theirs(tmp_path):
    cooperation = CooperationFactory()
    used = CatalogueVersion.objects.current()
    assert Step.objects.filter(cooperation=cooperation, fiche__version=used).exists()
    copy = tmp_path / "catalogues"
    shutil.copytree(settings.CATALOGUES_DIR, copy)
    path = copy / "kit1" / "fiches" / "01.yaml"
    text = path.read_text(encoding="utf-8")
    first = Fiche.objects.get(version=used, number=1)
    path.write_text(
        text.replace(first.title, "Diagnostic partagé du territoire (revu)", 1), "utf-8"
    )
    report = load_all(["fiches"], root=copy)
    current = CatalogueVersion.objects.current()
    assert current.number == used.number + 1
    assert Fiche.objects.get(version=current, number=1).title.endswith("(revu)")
    assert Fiche.objects.get(version=used, number=1).title == first.title
    assert (
        Question.objects.filter(fiche__version=current).count()
        == Question.objects.filter(fiche__version=used).count()
    )
    assert any("nouvelle version" in note for note in report.notes)


def test_markdown_front_matter_round_trip(tmp_path):
    data = {"slug": "x", "title": "Titre : avec deux-points", "body": "## Partie\n\nTexte."}
    write_markdown(tmp_path / "x.md", data)
    assert read_markdown(tmp_path / "x.md") == data


def test_no_migration_imports_a_live_module_of_the_project():
    """Migrations only import Django, the standard library, and what Django itself writes
    into a schema migration (model modules, field validators): catalogues come from files,
    never from live code."""
    # validate_finess, a field validator; AddConstraintNotValid, a schema operation.
    schema_refs = {"territories.finess", "core.migration_operations"}
    apps = {p.parent.parent.name for p in ROOT.glob("*/migrations/__init__.py")}
    offenders = []
    for path in ROOT.glob("*/migrations/0*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in apps | {"core", "config"} and not name.endswith(".models"):
                    if name in schema_refs:
                        continue
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_the_readme_of_the_catalogues_lists_every_catalogue():
    readme = (Path(settings.CATALOGUES_DIR) / "README.md").read_text(encoding="utf-8")
    for catalogue in registered():
        assert f"`{catalogue.name}`" in readme, catalogue.name
