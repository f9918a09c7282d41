"""The SI checklist: catalogue files, generation from the themes, items, KIT 3 deliverables."""

from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from cooperations.models import Theme
from core.catalogues import load_all
from si import services
from si.models import Category, ChecklistItem, GuideItem, ItemStatus, Mode, ThemeGuide
from suivi.models import Activity, Deliverable
from tests.fiches.helpers import steps_of
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

REQUIRED_THEMES = {"biologie", "imagerie", "pharmacie", "sterilisation", "achats", "rh"}


def test_the_catalogue_covers_the_required_themes_and_dimensions():
    guides = {g.theme.code: g for g in ThemeGuide.objects.select_related("theme")}
    assert set(guides) >= REQUIRED_THEMES
    for code in REQUIRED_THEMES:
        categories = set(guides[code].items.values_list("category", flat=True))
        # Processes, SI activities, data, constraints, and the five kinds of context.
        assert categories == set(Category.values), (code, set(Category.values) - categories)
    assert list(Mode.objects.values_list("code", flat=True)) == [
        "cooperation",
        "association",
        "mutualisation",
        "externalisation",
        "centralisation",
    ]


def test_loading_the_files_twice_changes_nothing():
    report = load_all(["si_checklist"])
    assert not report.changed, report.lines()


def test_an_admin_edit_round_trips_through_the_files(tmp_path, settings):
    from core.catalogues import export_all

    item = GuideItem.objects.get(guide__theme__code="imagerie", code="ris-pacs")
    item.label = "Outils RIS et PACS retenus (libellé revu)"
    item.save()
    export_all(["si_checklist"], root=tmp_path)
    text = (tmp_path / "si" / "themes" / "imagerie.yaml").read_text()
    assert "Outils RIS et PACS retenus (libellé revu)" in text
    item.label = "autre"
    item.save()
    load_all(["si_checklist"], root=tmp_path)
    item.refresh_from_db()
    assert item.label == "Outils RIS et PACS retenus (libellé revu)"


def test_a_point_removed_from_its_file_is_retired_not_deleted(tmp_path):
    import shutil

    from django.conf import settings

    shutil.copytree(settings.CATALOGUES_DIR, tmp_path / "c")
    path = tmp_path / "c" / "si" / "themes" / "rh.yaml"
    text = path.read_text()
    start = text.index("- code: paie")
    end = text.index("- code: donnees-personnels")
    path.write_text(text[:start] + text[end:])
    load_all(["si_checklist"], root=tmp_path / "c")
    paie = GuideItem.objects.get(guide__theme__code="rh", code="paie")
    assert paie.is_active is False


def test_a_typo_in_a_file_stops_the_load(tmp_path):
    import shutil

    from django.conf import settings

    from core.catalogues import CatalogueError

    shutil.copytree(settings.CATALOGUES_DIR, tmp_path / "c")
    path = tmp_path / "c" / "si" / "themes" / "rh.yaml"
    path.write_text(path.read_text().replace("category: processus", "category: procesus", 1))
    with pytest.raises(CatalogueError, match="dimension « procesus » inconnue"):
        load_all(["si_checklist"], root=tmp_path / "c")


def test_generation_follows_the_themes_and_is_idempotent(world):
    coop = world.coop_ara
    coop.themes.set(Theme.objects.filter(code__in=["imagerie", "rh", "pds"]))
    added = services.checklist_generate(cooperation=coop)
    expected = GuideItem.objects.filter(guide__theme__code__in=["imagerie", "rh"], is_active=True)
    assert len(added) == expected.count()
    assert services.checklist_generate(cooperation=coop) == []
    coop.themes.add(Theme.objects.get(code="biologie"))
    more = services.checklist_generate(cooperation=coop)
    assert {i.theme.code for i in more} == {"biologie"}
    # Processes come first within a theme, the contractual context last.
    imaging = list(ChecklistItem.objects.filter(cooperation=coop, theme__code="imagerie"))
    assert imaging[0].category == Category.PROCESS
    assert imaging[-1].category == Category.CONTRACTUAL
    assert imaging[0].history.count() == 1  # traced


def test_an_item_becomes_a_kit3_deliverable_once(world):
    coop = world.coop_ara
    coop.themes.add(Theme.objects.get(code="imagerie"))
    item = services.checklist_generate(cooperation=coop)[0]
    item.due_on = date(2027, 3, 31)
    item.save()
    deliverable, created = services.checklist_item_to_deliverable(item=item)
    assert created and deliverable.planned_on == date(2027, 3, 31)
    assert deliverable.activity.title == "Système d'information"
    assert deliverable.activity.cooperation == coop
    assert deliverable.title.startswith("SI Imagerie : ")
    again, created_again = services.checklist_item_to_deliverable(item=item)
    assert again == deliverable and not created_again
    item.refresh_from_db()
    assert item.deliverable == deliverable and item.status == ItemStatus.IN_PROGRESS
    second = ChecklistItem.objects.filter(cooperation=coop).exclude(pk=item.pk).first()
    other, _ = services.checklist_item_to_deliverable(item=second)
    assert other.activity == deliverable.activity  # one work stream for the checklist
    assert Activity.objects.filter(cooperation=coop).count() == 1
    assert Deliverable.objects.filter(activity__cooperation=coop).count() == 2


def _si_step(coop):
    return steps_of(coop)[10]


def test_the_si_step_shows_the_checklist_and_other_steps_do_not(world, login):
    coop = world.coop_ara
    coop.themes.add(Theme.objects.get(code="imagerie"))
    client = login(world.referent_a)
    step = _si_step(coop)
    page = client.get(reverse("fiches:step", args=[step.pk])).content.decode()
    assert "Check-list du système d'information" in page and "Générer la check-list SI" in page
    other = client.get(reverse("fiches:step", args=[steps_of(coop)[9].pk])).content.decode()
    assert "Check-list du système d'information" not in other

    response = client.post(reverse("si:generate", args=[coop.pk]))
    assert response["Location"].endswith(f"/kit1/etapes/{step.pk}/#si-checklist")
    page = unescape(client.get(reverse("fiches:step", args=[step.pk])).content.decode())
    assert "Outils de gestion de l'imagerie (RIS)" in page
    assert "En faire un livrable KIT 3" in page and "Générer la check-list SI" not in page
    # A COPIL guest reads the checklist, without the buttons.
    copil = unescape(
        login(world.copil).get(reverse("fiches:step", args=[step.pk])).content.decode()
    )
    assert "Outils de gestion de l'imagerie (RIS)" in copil
    assert "En faire un livrable KIT 3" not in copil


def test_editing_an_item_keeps_input_on_errors_and_detects_stale_forms(world, login):
    coop = world.coop_ara
    coop.themes.add(Theme.objects.get(code="rh"))
    item = services.checklist_generate(cooperation=coop)[0]
    client = login(world.referent_a)
    url = reverse("si:item_edit", args=[item.pk])
    bad = client.post(
        url, {"status": "inconnu", "owner": "DRH", "due_on": "31/02/2027", "version": 1}
    )
    page = bad.content.decode()
    assert bad.status_code == 200 and "DRH" in page
    ok = client.post(
        url,
        {
            "status": "traite",
            "owner": "DRH du CH Alpha",
            "due_on": "2027-01-15",
            "answer": "Fait.",
            "version": 1,
        },
    )
    assert ok.status_code == 302
    item.refresh_from_db()
    assert item.status == "traite" and item.owner == "DRH du CH Alpha" and item.version == 2
    stale = client.post(url, {"status": "en_cours", "owner": "Autre", "version": 1})
    assert stale.status_code == 200
    item.refresh_from_db()
    assert item.owner == "DRH du CH Alpha"


def test_the_si_step_page_query_count_does_not_grow(world, login):
    coop = world.coop_ara
    coop.themes.add(Theme.objects.get(code="imagerie"))
    services.checklist_generate(cooperation=coop)
    client = login(world.referent_a)
    url = reverse("fiches:step", args=[_si_step(coop).pk])
    small = count_queries(client, url)
    coop.themes.add(*Theme.objects.filter(code__in=["rh", "biologie", "achats"]))
    for item in services.checklist_generate(cooperation=coop)[:5]:
        services.checklist_item_to_deliverable(item=item)
    assert count_queries(client, url) == small
