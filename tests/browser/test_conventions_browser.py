"""A project team completes its data, generates, edits and compares versions, collects the
signatures; the pilot ARS agent records the approval."""

from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from conventions.models import Convention, MemberTerms, VersionFiles
from conventions.tasks import generate_version_files
from tests.conventions.factories import complete
from tests.conventions.test_documents import text_of_pdf


def test_convention_from_missing_data_to_approval(
    world, page, browser_login, live_server, screenshot, tmp_path
):
    complete(world.coop_ara)
    beta = world.coop_ara.memberships.get(establishment=world.et_b)
    MemberTerms.objects.filter(membership=beta).update(rights_share=None)

    browser_login(page, world.referent_a)
    page.goto(f"{live_server.url}{world.coop_ara.get_absolute_url()}")
    page.get_by_role("navigation", name="Outils de la coopération").get_by_role(
        "link", name="Convention"
    ).click()
    missing = page.locator("#donnees-manquantes").inner_text()
    assert "La part des droits statutaires de CLINIQUE BETA est manquante." in missing
    screenshot(page, "conventions-missing-data")
    page.get_by_role("link", name="Compléter les données de la convention").click()
    assert page.get_by_label("Siège").input_value().startswith("Centre hospitalier")
    screenshot(page, "conventions-data-form")
    page.go_back()

    page.get_by_role(
        "link", name="compléter : La part des droits statutaires de CLINIQUE BETA"
    ).click()
    page.get_by_label("Part des droits statutaires (%)").fill("70")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("text=Les engagements de CLINIQUE BETA ont été enregistrés.")
    rules = page.locator("#regles").inner_text()
    assert "La somme des parts des droits statutaires des membres est de 120 %" in rules
    page.get_by_role("button", name="Générer la convention").click()
    page.wait_for_selector("text=La convention n'a pas été générée")
    assert not Convention.objects.exists()

    page.get_by_role("link", name="Modifier les engagements de CLINIQUE BETA").click()
    page.get_by_label("Part des droits statutaires (%)").fill("50")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("button", name="Générer la convention").click()
    page.wait_for_selector("text=La version 1 de la convention a été générée.")

    page.get_by_role("link", name="Modifier le texte").click()
    page.get_by_label("Texte de la clause « Comité restreint »").fill(
        "Le comité restreint réunit les deux directeurs chaque trimestre."
    )
    page.get_by_label("Retenir la clause « Règlement des litiges »").uncheck(force=True)
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    page.wait_for_selector("text=La version 2 a été enregistrée.")
    screenshot(page, "conventions-detail-draft")
    _follow_the_files_of_version_2(page, world, live_server, screenshot, tmp_path)

    page.get_by_role("button", name="Comparer").click()
    expect(page.locator("main")).to_contain_text("2 clauses modifiées")
    assert page.locator("#clause-comite-restreint ins").first.is_visible()
    assert "RETIRÉE" in page.locator("#clause-litiges").inner_text().upper()
    screenshot(page, "conventions-diff")

    page.go_back()
    page.get_by_role("button", name="Soumettre la version 2 à la signature").click()
    page.wait_for_selector("text=La convention est soumise à la signature des membres.")
    signed = tmp_path / "exemplaire.pdf"
    signed.write_bytes(b"%PDF-1.4 exemplaire signe")
    wrong = tmp_path / "exemplaire.docx"
    wrong.write_bytes(b"PK\x03\x04 word")
    for index, name in enumerate(["CH ALPHA", "CLINIQUE BETA"]):
        page.get_by_role("link", name=f"Enregistrer la signature de {name}").click()
        page.get_by_label("Date de signature").fill(timezone.localdate().isoformat())
        if index == 0:
            page.get_by_label("Exemplaire signé (PDF)").set_input_files(str(wrong))
            page.get_by_role("button", name="Enregistrer la signature").click()
            page.wait_for_selector("text=n'est pas un PDF")
            screenshot(page, "conventions-signature-error")
        page.get_by_label("Exemplaire signé (PDF)").set_input_files(str(signed))
        page.get_by_role("button", name="Enregistrer la signature").click()
        page.wait_for_selector(f"text=La signature de {name} est enregistrée.")
    main = page.locator("main").inner_text()
    assert "Tous les membres ont signé" in main
    # What was signed stays as signed: the engagements are no longer editable.
    assert "ne se modifient plus que par un avenant" in main
    assert page.get_by_role("link", name="Modifier les engagements de CLINIQUE BETA").count() == 0
    assert "Échéance de la décision" in main

    page.context.clear_cookies()
    browser_login(page, world.agent_ara)
    page.goto(f"{live_server.url}/conventions/{world.coop_ara.pk}/")
    page.get_by_role("link", name="Enregistrer la décision").click()
    assert "directeur général de l'agence régionale de santé" in page.locator("main").inner_text()
    page.get_by_label("Approbation", exact=True).check(force=True)
    page.get_by_label("Date de la décision").fill(timezone.localdate().isoformat())
    page.get_by_label("Numéro de l'arrêté").fill("2026-0142")
    arrete = tmp_path / "arrete.pdf"
    arrete.write_bytes(b"%PDF-1.4 arrete signe")
    page.get_by_label("Arrêté signé (PDF)").set_input_files(str(arrete))
    screenshot(page, "conventions-decision-form")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_selector("text=La décision sur la convention est enregistrée.")
    assert "Approuvée par l'arrêté n° 2026-0142" in page.locator("main").inner_text()
    screenshot(page, "conventions-approved")
    assert Convention.objects.get().status == "approved"
    assert MemberTerms.objects.get(membership=beta).rights_share == Decimal("50")


def _follow_the_files_of_version_2(page, world, live_server, screenshot, tmp_path):
    """The files are produced by Celery: the page follows the progress, then offers them."""
    files = VersionFiles.objects.get(version__number=2)
    assert files.is_ready  # eager Celery: produced right after the version was saved
    detail = page.url
    # As a user would find it while the worker is still on it.
    VersionFiles.objects.filter(pk=files.pk).update(status="running", progress=50)
    page.get_by_role("link", name="Lire la version 2").click()
    expect(page.locator("#version-files")).to_contain_text(
        "Fichiers PDF et DOCX en cours de génération"
    )
    assert page.locator("#version-files-bar").get_attribute("value") == "50"
    assert page.locator("#version-files-news").get_attribute("role") == "status"
    screenshot(page, "conventions-version-generating")
    # The worker takes the job and finishes it: the poll shows the downloads. (A running job
    # with a fresh heartbeat belongs to another worker, which core.documents.start leaves
    # alone: the job is handed over as pending.)
    VersionFiles.objects.filter(pk=files.pk).update(status="pending")
    generate_version_files.run(files.pk)
    expect(page.locator("#version-files")).to_contain_text("Télécharger le PDF", timeout=10000)
    expect(page.locator("#version-files-news")).to_have_text(
        "Les fichiers PDF et DOCX de la version 2 sont prêts à télécharger."
    )
    screenshot(page, "conventions-version-ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le PDF de la version 2").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == f"convention-{world.coop_ara.file_stem}-v2.pdf"
    text = text_of_pdf(path.read_bytes())
    assert "Le comité restreint réunit les deux directeurs chaque trimestre" in text

    # A failed run says so and can be started again from the keyboard.
    VersionFiles.objects.filter(pk=files.pk).update(
        status="failed", error="La production des fichiers PDF et DOCX de cette version a échoué."
    )
    page.reload()
    expect(page.locator("#version-files")).to_contain_text("a échoué")
    screenshot(page, "conventions-version-failed")
    page.get_by_role("button", name="Relancer la génération").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("La génération des fichiers PDF et DOCX est lancée.")).to_be_visible()
    expect(page.locator("#version-files")).to_contain_text("Télécharger le DOCX")
    page.goto(detail)
