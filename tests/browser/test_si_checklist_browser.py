"""The SI checklist of the demo's imaging GCS, generated in KIT 1's SI step, and one of its
points turned into a KIT 3 deliverable, in a real browser."""

from io import StringIO

from django.core.management import call_command

from cooperations.models import Cooperation
from demo.cooperations import DEMO_PASSWORD
from si.models import ChecklistItem
from suivi.models import Deliverable


def test_checklist_of_the_demo_imaging_gcs(page, live_server, screenshot):
    call_command("load_demo", stdout=StringIO())
    gcs = Cooperation.objects.get(external_code="DEMO-GCS-IMAGERIE-31")
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Identifiant").fill("directeur.chu-toulouse")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/kit1/cooperations/{gcs.pk}/etapes/")
    page.get_by_role("link", name="Système d'information").first.click()
    page.get_by_role("heading", name="Check-list du système d'information").wait_for()
    page.get_by_role("button", name="Générer la check-list SI").click()
    page.locator("#si-theme-imagerie").wait_for()
    assert page.locator("#si-theme-rh").is_visible()
    assert "Pas de repères SI au catalogue pour : Permanence des soins" in page.content()
    generated = ChecklistItem.objects.filter(cooperation=gcs)
    assert generated.filter(theme__code="imagerie").count() >= 10
    screenshot(page, "si-01-checklist-generated")

    item = generated.get(theme__code="imagerie", source__code="ris-pacs")
    page.locator(f"#si-item-{item.pk}").get_by_role("link").click()
    page.get_by_label("Statut").select_option("en_cours")
    page.get_by_label("Responsable").fill("DSI du CHU de Toulouse")
    page.get_by_label("Échéance").fill("2027-06-30")
    page.get_by_label("Réponse ou décision").fill(
        "PACS commun hébergé par le CHU, RIS de chaque site relié."
    )
    page.get_by_role("button", name="Enregistrer").click()
    row = page.locator(f"#si-item-{item.pk}")
    row.wait_for()
    assert "DSI du CHU de Toulouse" in row.inner_text() and "30/06/2027" in row.inner_text()

    row.get_by_role("button", name="En faire un livrable KIT 3").click()
    page.get_by_text("du suivi KIT 3 (date planifiée : 30/06/2027)").wait_for()
    screenshot(page, "si-02-item-turned-into-deliverable")
    deliverable = Deliverable.objects.get(si_checklist_item__pk=item.pk)
    assert deliverable.planned_on.isoformat() == "2027-06-30"
    assert deliverable.activity.title == "Système d'information"

    page.locator(f"#si-item-{item.pk}").get_by_role("link", name="Livrable").click()
    page.get_by_role("heading", name="Système d'information").first.wait_for()
    assert "SI Imagerie : Outils de gestion de l'imagerie" in page.content()
    screenshot(page, "si-03-deliverable-in-kit3")
