"""What users see on the convention pages."""

import io
from decimal import Decimal
from html import unescape

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conventions import services
from conventions.models import Convention, ConventionData, MemberTerms, Status, VersionFiles
from core.forms import CONFLICT_INTRO, MERGED_NOTICE
from core.registry import COPIL_SECTIONS
from tests.conventions.factories import complete
from tests.cooperations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"conventions:{name}", args=args)


def _generated(world):
    complete(world.coop_ara)
    return services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)


def test_generate_without_data_lists_the_missing_items_with_links(world, login):
    client = login(world.referent_a)
    membership = world.coop_ara.memberships.get(establishment=world.et_a)

    response = client.post(url("generate", world.coop_ara.pk))

    assert response.status_code == 422
    html = response.content.decode()
    assert "La convention n'a pas été générée" in unescape(html)
    assert "La part des droits statutaires de CH ALPHA est manquante." in html
    assert (
        f'href="/conventions/{world.coop_ara.pk}/membres/{membership.pk}/#id_rights_share"' in html
    )
    assert "Le siège n&#x27;est pas renseigné." in html
    assert not Convention.objects.exists()


def test_without_legal_form_the_team_is_sent_to_the_cooperation_form(world, login):
    world.coop_ara.legal_form = None
    world.coop_ara.save()
    html = login(world.referent_a).get(url("detail", world.coop_ara.pk)).content.decode()
    assert "Choisissez d&#x27;abord la forme juridique" in html or "Choisissez d'abord" in html
    assert f"/cooperations/{world.coop_ara.pk}/modifier/#id_legal_form" in html
    guest = login(world.copil).get(url("detail", world.coop_ara.pk)).content.decode()
    assert "/modifier/" not in guest


def test_generate_then_read_the_version(world, login):
    complete(world.coop_ara)
    client = login(world.referent_a)

    response = client.post(url("generate", world.coop_ara.pk), follow=True)

    html = response.content.decode()
    assert "La version 1 de la convention a été générée." in html
    assert "Projet" in html
    page = client.get(url("version", world.coop_ara.pk, 1)).content.decode()
    assert "Article 3 — Membres et qualité" in page
    # The reference sits next to the clause, with its item.
    assert "CSP R6133-1 I 3° ; CSP L6133-2</span>" in page
    assert (
        f"CLINIQUE BETA, établissement de statut privé à but lucratif, FINESS {world.et_b.finess}"
        in page
    )


def test_member_terms_form_refuses_a_share_over_100_and_keeps_the_input(world, login):
    client = login(world.referent_a)
    membership = world.coop_ara.memberships.get(establishment=world.et_a)

    response = client.post(
        url("member_terms", world.coop_ara.pk, membership.pk),
        {"representative": "M. Martin, directeur", "rights_share": "120", "charges_share": "50"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Une part ne peut pas dépasser 100 %." in html
    assert 'value="M. Martin, directeur"' in html
    assert not MemberTerms.objects.exists()


def test_data_form_refuses_a_stale_edit_and_keeps_the_input(world, login):
    client = login(world.referent_a)
    ConventionData.objects.create(cooperation=world.coop_ara, seat="Ancien siège")
    stale = {"seat": "Siège concurrent", "has_capital": "unknown", "version": "1"}
    data = ConventionData.objects.get()
    services.convention_data_save(
        cooperation=world.coop_ara, data={"seat": "Autre siège"}, version=data.version
    )

    response = client.post(url("data", world.coop_ara.pk), stale)

    html = response.content.decode()
    assert "Quelqu&#x27;un d&#x27;autre a enregistré cette fiche" in html
    assert 'value="Siège concurrent"' in html
    assert ConventionData.objects.get().seat == "Autre siège"


def _summary(html: str) -> str:
    """The error summary at the top of the form (kitcoop_dsfr/errors.html)."""
    start = html.index("kc-error-summary")
    return unescape(html[start : html.index("</div>", start)])


STALE = "Quelqu'un d'autre a enregistré cette fiche pendant que vous la modifiiez."


def test_data_form_stale_warning_sits_in_the_summary_and_the_next_submit_goes_through(world, login):
    """Two people edit the data at once: the second gets the French warning at the top,
    keeps their input and overwrites nothing; once warned, submitting again saves."""
    complete(world.coop_ara)
    data = ConventionData.objects.get()
    client = login(world.referent_a)
    services.convention_data_save(
        cooperation=world.coop_ara, data={"seat": "Siège de l'autre"}, version=data.version
    )
    post = {"seat": "Mon siège", "has_capital": "unknown", "version": str(data.version)}
    post["denomination"] = data.denomination
    response = client.post(url("data", world.coop_ara.pk), post)
    assert response.status_code == 200
    html = response.content.decode()
    assert STALE in _summary(html)
    assert 'value="Mon siège"' in html
    assert ConventionData.objects.get().seat == "Siège de l'autre"
    # The form now carries the stored version: the user decides to keep their text.
    assert response.context["form"].data["version"] == str(data.version + 1)
    again = client.post(url("data", world.coop_ara.pk), dict(response.context["form"].data))
    assert again.status_code == 302
    assert ConventionData.objects.get().seat == "Mon siège"


def test_data_form_two_first_saves_at_once_answer_the_warning_not_a_500(world, login, monkeypatch):
    """Both pages were opened before any data existed; the other person's first save lands
    between this request's lookup and its insert (the unique row refuses the second)."""
    assert not ConventionData.objects.exists()
    create_once = services._create_once

    def beaten(instance):
        if isinstance(instance, ConventionData):
            ConventionData.objects.create(cooperation=world.coop_ara, seat="Siège de l'autre")
        return create_once(instance)

    monkeypatch.setattr(services, "_create_once", beaten)
    response = login(world.referent_a).post(
        url("data", world.coop_ara.pk), {"seat": "Mon siège", "has_capital": "unknown"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert STALE in _summary(html)
    assert 'value="Mon siège"' in html
    # Nothing of this request was written (in this one-connection test the other person's
    # row, inserted inside the same transaction, is rolled back with it).
    assert not ConventionData.objects.filter(seat="Mon siège").exists()


def test_member_terms_form_refuses_a_stale_edit_and_keeps_the_input(world, login):
    complete(world.coop_ara)
    membership = world.coop_ara.memberships.get(establishment=world.et_a)
    terms = MemberTerms.objects.get(membership=membership)
    services.member_terms_save(
        membership=membership,
        data={"representative": "Mme Autre, directrice"},
        version=terms.version,
    )
    response = login(world.referent_a).post(
        url("member_terms", world.coop_ara.pk, membership.pk),
        {
            "representative": "M. Martin, directeur",
            "rights_share": str(terms.rights_share),
            "charges_share": str(terms.charges_share),
            "version": str(terms.version),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert STALE in _summary(html)
    assert 'value="M. Martin, directeur"' in html
    assert MemberTerms.objects.get(pk=terms.pk).representative == "Mme Autre, directrice"


def test_version_edit_refuses_a_stale_edit_and_keeps_the_input(world, login):
    first = _generated(world)
    convention = first.convention
    stale = convention.version
    services.version_edit(
        convention=convention,
        user=world.referent_a,
        preamble="Préambule de l'autre",
        clauses={},
        expected_version=stale,
    )
    client = login(world.referent_a)
    response = client.post(
        url("edit", world.coop_ara.pk),
        {"preamble": "Mon préambule", "note": "Ma note", "version": str(stale)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert STALE in _summary(html)
    assert "Mon préambule" in html and 'value="Ma note"' in html
    assert list(convention.versions.values_list("number", flat=True)) == [2, 1]
    assert convention.versions.get(number=2).preamble == "Préambule de l'autre"
    # Warned, the user may save their text on top of the other's.
    assert response.context["form"].data["version"] == str(stale + 1)


def _edit_page_post(client, cooperation) -> dict:
    """What the text edit page, loaded now, posts when submitted untouched."""
    form = client.get(url("edit", cooperation.pk)).context["form"]
    post = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(form.fields[name].widget, forms.CheckboxInput):
            if value:
                post[name] = "on"
        else:
            post[name] = "" if value is None else value
    return post


def _optional_clauses(version, count=2):
    return [c for c in version.clauses.order_by("order") if not c.mandatory][:count]


def test_version_edit_beaten_on_other_clauses_keeps_both_changes(world, login):
    """Two people edit the text at once, each a different clause: the second save keeps
    the first one's clause (and inclusion choice) and writes its own, with the notice."""
    first = _generated(world)
    convention = first.convention
    mine, theirs = _optional_clauses(first)
    client = login(world.referent_a)
    post = _edit_page_post(client, world.coop_ara)
    services.version_edit(
        convention=convention,
        user=world.admin,
        preamble="Préambule de l'autre",
        clauses={theirs.key: {"included": False, "body": "Clause réécrite par l'autre."}},
        expected_version=convention.version,
    )
    post[f"body_{mine.key}"] = "Ma clause réécrite."

    response = client.post(url("edit", world.coop_ara.pk), post, follow=True)

    assert response.redirect_chain, response.context["form"].errors
    assert MERGED_NOTICE in [str(m) for m in response.context["messages"]]
    latest = convention.versions.order_by("-number").first()
    assert latest.number == 3
    assert latest.preamble == "Préambule de l'autre"
    assert latest.clauses.get(key=mine.key).body == "Ma clause réécrite."
    other = latest.clauses.get(key=theirs.key)
    assert other.body == "Clause réécrite par l'autre." and other.included is False


def test_version_edit_beaten_on_the_same_clause_is_a_conflict_then_the_next_submit_writes(
    world, login
):
    first = _generated(world)
    convention = first.convention
    clause, other = _optional_clauses(first)
    client = login(world.referent_a)
    post = _edit_page_post(client, world.coop_ara)
    services.version_edit(
        convention=convention,
        user=world.admin,
        preamble=first.preamble,
        clauses={
            clause.key: {"included": True, "body": "Texte de l'autre."},
            other.key: {"included": False, "body": other.body},
        },
        expected_version=convention.version,
    )
    post[f"body_{clause.key}"] = "Mon texte."

    response = client.post(url("edit", world.coop_ara.pk), post)

    assert response.status_code == 200
    summary = _summary(response.content.decode())
    assert CONFLICT_INTRO in summary
    assert (
        f"« Texte de la clause « {clause.title} » » : l'autre personne a enregistré "
        "« Texte de l'autre. »."
    ) in summary
    assert f"Retenir la clause « {other.title} »" not in summary
    assert convention.versions.count() == 2  # nothing written
    form = response.context["form"]
    assert form[f"body_{clause.key}"].value() == "Mon texte."  # input kept
    assert not form[f"included_{other.key}"].value()  # their other change taken

    again = client.post(url("edit", world.coop_ara.pk), dict(form.data.items()))

    assert again.status_code == 302
    latest = convention.versions.order_by("-number").first()
    assert latest.number == 3
    assert latest.clauses.get(key=clause.key).body == "Mon texte."
    assert latest.clauses.get(key=other.key).included is False


def test_data_form_refuses_both_kinds_of_duration(world, login):
    client = login(world.referent_a)
    response = client.post(
        url("data", world.coop_ara.pk),
        {"indefinite_duration": "on", "duration_years": "5", "has_capital": "unknown"},
    )
    assert "Choisissez une durée indéterminée ou un nombre d&#x27;années, pas les deux." in (
        response.content.decode()
    )
    assert not ConventionData.objects.exists()


def test_diff_page_shows_only_the_changed_clause(world, login):
    first = _generated(world)
    data = world.coop_ara.convention_data
    data.dissolution = "Dissolution à l'unanimité des membres."
    data.save()
    services.convention_generate(
        cooperation=world.coop_ara, user=world.referent_a, expected_version=first.convention.version
    )

    html = (
        login(world.copil).get(url("diff", world.coop_ara.pk), {"de": 1, "a": 2}).content.decode()
    )

    assert "1 clause modifiée" in html
    assert html.count(">Modifiée</span>") == 1
    assert "Afficher les 19 clauses inchangées" in html
    assert '<section class="fr-mb-3w" id="clause-dissolution">' in html
    assert "<ins" in html and "unanimité" in html


def test_diff_page_refuses_unknown_versions(world, login):
    _generated(world)
    client = login(world.referent_a)
    response = client.get(url("diff", world.coop_ara.pk), {"de": "1", "a": "7"})
    assert "Il faut au moins deux versions pour les comparer." in response.content.decode()
    services.version_edit(
        convention=world.coop_ara.convention,
        user=world.referent_a,
        preamble="x",
        clauses={},
        expected_version=world.coop_ara.convention.version,
    )
    response = client.get(url("diff", world.coop_ara.pk), {"de": "1", "a": "abc"})
    assert response.status_code == 400
    assert "Les numéros de version doivent être des nombres entiers." in response.content.decode()


def test_pdf_and_docx_are_served_from_the_stored_files(
    world, login, django_capture_on_commit_callbacks
):
    from docx import Document

    from tests.conventions.test_documents import pdf_text

    complete(world.coop_ara)
    with django_capture_on_commit_callbacks(execute=True):
        version = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    client = login(world.copil)
    page = client.get(url("version", world.coop_ara.pk, 1)).content.decode()
    assert "Télécharger le PDF" in page and "Télécharger le DOCX" in page
    assert "hx-trigger" not in page  # nothing to follow: the files are ready

    pdf = client.get(url("pdf", world.coop_ara.pk, 1))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert 'filename="convention-' in pdf["Content-Disposition"]
    assert pdf["X-Content-Type-Options"] == "nosniff"
    raw = b"".join(pdf.streaming_content)
    assert raw.startswith(b"%PDF-")
    files = VersionFiles.objects.get(version=version)
    text = pdf_text(files.pdf)
    for index, clause in enumerate(version.clauses.filter(included=True), start=1):
        assert f"Article {index} — {clause.title}" in text
    docx = client.get(url("docx", world.coop_ara.pk, 1))
    assert docx["Content-Type"].endswith("wordprocessingml.document")
    document = Document(io.BytesIO(b"".join(docx.streaming_content)))
    assert document.paragraphs[0].text.startswith("Convention constitutive du groupement")
    assert client.get(url("pdf", world.coop_ara.pk, 9)).status_code == 404


def test_files_not_ready_are_never_rendered_on_get(world, login):
    _generated(world)  # on_commit does not run here: the files stay pending
    client = login(world.copil)
    response = client.get(url("pdf", world.coop_ara.pk, 1), follow=True)
    assert response.redirect_chain == [(url("version", world.coop_ara.pk, 1), 302)]
    html = unescape(response.content.decode())
    assert "Le fichier PDF de la version 1 n'est pas encore disponible" in html
    assert "Fichiers PDF et DOCX en cours de génération" in html
    assert f'hx-get="{url("files", world.coop_ara.pk, 1)}"' in html
    assert 'role="status"' in html and 'id="version-files-news"' in html
    files = VersionFiles.objects.get()
    assert files.status == VersionFiles.Status.PENDING and not files.pdf


def test_the_htmx_poll_follows_the_progress_then_announces_the_download(
    world, login, django_capture_on_commit_callbacks
):
    version = _generated(world)
    VersionFiles.objects.filter(version=version).update(
        status=VersionFiles.Status.RUNNING, progress=50
    )
    client = login(world.referent_a)
    poll = url("files", world.coop_ara.pk, 1)
    fragment = client.get(poll, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div id="version-files" hx-get=')
    assert 'hx-trigger="every 1s"' in fragment and 'value="50"' in fragment
    assert "<html" not in fragment and "hx-swap-oob" not in fragment
    # Without htmx, the poll URL is the version page.
    assert client.get(poll)["Location"] == url("version", world.coop_ara.pk, 1)

    from conventions.tasks import generate_version_files

    # The worker that takes the job (a running job with a fresh heartbeat belongs to another
    # worker, which core.documents.start leaves alone).
    VersionFiles.objects.filter(version=version).update(status=VersionFiles.Status.PENDING)
    generate_version_files.run(version.files.pk)
    fragment = client.get(poll, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment  # polling stops
    assert "Télécharger le PDF" in fragment
    # The live region, outside the swapped zone, is told once.
    assert (
        '<p id="version-files-news" hx-swap-oob="innerHTML">Les fichiers PDF et DOCX de la '
        "version 1 sont prêts à télécharger.</p>" in fragment
    )


def test_missing_or_failed_files_are_generated_on_request(
    world, login, monkeypatch, django_capture_on_commit_callbacks
):
    from conventions import exports

    version = _generated(world)
    VersionFiles.objects.all().delete()  # a version made before stored files existed
    # The read-only COPIL guest reads the version but may not start a document job.
    guest = login(world.copil)
    page = unescape(guest.get(url("version", world.coop_ara.pk, 1)).content.decode())
    assert "Les fichiers PDF et DOCX de la version 1 n'ont pas encore été produits." in page
    assert "Générer les fichiers PDF et DOCX" not in page
    assert guest.post(url("files_generate", world.coop_ara.pk, 1)).status_code == 403
    client = login(world.referent_a)
    page = unescape(client.get(url("version", world.coop_ara.pk, 1)).content.decode())
    assert "Générer les fichiers PDF et DOCX" in page

    def broken(v):
        raise RuntimeError("WeasyPrint indisponible")

    monkeypatch.setattr(exports, "version_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("files_generate", world.coop_ara.pk, 1))
    assert response["Location"] == url("version", world.coop_ara.pk, 1)
    html = unescape(client.get(response["Location"]).content.decode())
    assert "La production des fichiers PDF et DOCX de cette version a échoué." in html
    assert "Relancer la génération" in html
    assert VersionFiles.objects.get().status == VersionFiles.Status.FAILED

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("files_generate", world.coop_ara.pk, 1))
    html = unescape(client.get(response["Location"]).content.decode())
    assert "La génération des fichiers PDF et DOCX est lancée." in html
    assert "Télécharger le PDF" in html
    files = VersionFiles.objects.get(version=version)
    assert files.is_ready and files.requested_by == world.referent_a
    # Asking again changes nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(url("files_generate", world.coop_ara.pk, 1))
    assert callbacks == []
    assert client.get(url("files_generate", world.coop_ara.pk, 1)).status_code == 405


def test_files_of_another_region_are_not_found(world, login):
    _generated(world)
    client = login(world.referent_c)
    for name, method in (
        ("pdf", "get"),
        ("docx", "get"),
        ("files", "get"),
        ("files_generate", "post"),
    ):
        response = getattr(client, method)(
            url(name, world.coop_ara.pk, 1), headers={"HX-Request": "true"}
        )
        assert response.status_code == 404, name
    assert VersionFiles.objects.get().status == VersionFiles.Status.PENDING


def test_versions_table_says_which_files_are_ready(
    world, login, django_capture_on_commit_callbacks
):
    version = _generated(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.version_edit(
            convention=version.convention,
            user=world.referent_a,
            preamble="x",
            clauses={},
            expected_version=version.convention.version,
        )
    html = login(world.referent_a).get(url("detail", world.coop_ara.pk)).content.decode()
    versions = html.split('id="versions"', 1)[1]
    assert 'En cours de génération<span class="fr-sr-only"> (version 1)' in versions
    assert f'href="{url("pdf", world.coop_ara.pk, 2)}"' in versions
    # The current version's block offers its downloads.
    current = html.split('id="texte"', 1)[1].split("</section>", 1)[0]
    assert 'Télécharger le PDF<span class="fr-sr-only"> de la version 2' in current


def test_signature_through_the_form_and_download_of_the_signed_copy(world, login):
    version = _generated(world)
    convention = version.convention
    services.signature_start(convention=convention, user=world.referent_a, expected_version=1)
    client = login(world.referent_a)
    party = world.coop_ara.memberships.get(establishment=world.et_a)

    bad = client.post(
        url("signature_add", world.coop_ara.pk, party.pk),
        {
            "signatory": "Mme A",
            "signed_on": timezone.localdate().isoformat(),
            "signed_copy": SimpleUploadedFile("copie.png", b"\x89PNG\r\n\x1a\nxx"),
        },
    )
    assert "n&#x27;est pas un PDF" in bad.content.decode()
    assert not convention.versions.get().signatures.exists()

    good = client.post(
        url("signature_add", world.coop_ara.pk, party.pk),
        {
            "signatory": "Mme A, directrice",
            "signed_on": timezone.localdate().isoformat(),
            "signed_copy": SimpleUploadedFile("copie signée.pdf", b"%PDF-1.4 signed"),
        },
        follow=True,
    )
    html = good.content.decode()
    assert "La signature de CH ALPHA est enregistrée." in html
    assert "Mme A, directrice" in html
    signature = convention.versions.get().signatures.get()
    assert signature.signed_copy.name != "conventions/signatures/copie signée.pdf"
    download = login(world.copil).get(url("signed_copy", world.coop_ara.pk, signature.pk))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == b"%PDF-1.4 signed"
    version_page = login(world.copil).get(url("version", world.coop_ara.pk, 1)).content.decode()
    assert (
        f"CH ALPHA : signée le {timezone.localdate():%d/%m/%Y} par Mme A, directrice"
        in version_page
    )


def test_only_the_pilot_ars_agent_records_the_approval(world, login):
    version = _generated(world)
    convention = version.convention
    services.signature_start(convention=convention, user=world.referent_a, expected_version=1)
    for party in version.parties:
        services.signature_record(
            convention=convention,
            membership_id=party["membership"],
            user=world.referent_a,
            signatory="X",
            signed_on=timezone.localdate(),
            signed_copy=SimpleUploadedFile("s.pdf", b"%PDF-1.4"),
        )
    convention.refresh_from_db()
    assert login(world.referent_a).get(url("approval", world.coop_ara.pk)).status_code == 403
    client = login(world.agent_ara)
    data = {
        "decision": "approved",
        "decided_on": timezone.localdate().isoformat(),
        "reference": "Arrêté ARS ARA n° 2026-0142",
        "version": convention.version,
    }
    # The field takes the number only: the documents write "arrêté n°" themselves.
    refused = client.post(url("approval", world.coop_ara.pk), data)
    assert refused.status_code == 200
    assert "Indiquez le numéro seul" in unescape(refused.content.decode())
    response = client.post(
        url("approval", world.coop_ara.pk), {**data, "reference": "2026-0142"}, follow=True
    )
    assert "La décision sur la convention est enregistrée." in unescape(response.content.decode())
    convention.refresh_from_db()
    assert convention.status == Status.APPROVED
    assert convention.approval_reference == "2026-0142"
    assert "Approuvée par l'arrêté n° <strong>2026-0142</strong>" in unescape(
        response.content.decode()
    )


def test_cooperation_page_shows_the_convention_status(world, login):
    _generated(world)
    html = login(world.copil).get(world.coop_ara.get_absolute_url()).content.decode()
    assert f'href="/conventions/{world.coop_ara.pk}/"' in html
    assert "Projet" in html and "Version 1 du" in html


def test_copil_section_is_none_without_convention(world):
    section = next(s for s in COPIL_SECTIONS if s.key == "conventions")
    assert section.get_context(world.coop_occ) is None
    _generated(world)
    context = section.get_context(world.coop_ara)
    assert context["parties"] == 2 and context["signed"] == 0
    assert context["convention"].get_status_display() == "Projet"


def test_detail_page_runs_a_constant_number_of_queries(world, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _generated(world)
    client = login(world.referent_a)
    page = url("detail", world.coop_ara.pk)
    with CaptureQueriesContext(connection) as small:
        assert client.get(page).status_code == 200
    for _ in range(6):
        membership = MembershipFactory(cooperation=world.coop_ara)
        MemberTerms.objects.create(membership=membership, rights_share=Decimal("1"))
    for _ in range(4):
        services.version_edit(
            convention=world.coop_ara.convention,
            user=world.referent_a,
            preamble="x",
            clauses={},
            expected_version=Convention.objects.get().version,
        )
    with CaptureQueriesContext(connection) as large:
        html = client.get(page).content.decode()
    assert "Version 5" in html and html.count("FINESS") >= 8
    assert len(large) == len(small)


def test_copil_fragment_renders_the_signature_progress(world):
    from django.template.loader import render_to_string

    version = _generated(world)
    services.signature_start(
        convention=version.convention, user=world.referent_a, expected_version=1
    )
    section = next(s for s in COPIL_SECTIONS if s.key == "conventions")
    html = render_to_string(section.template, section.get_context(world.coop_ara))
    assert "En signature" in html
    assert "<caption>État de la convention</caption>" in html
    assert "0 sur 2" in html and "En attente" in html


def test_data_form_shows_only_what_the_model_convention_needs(world, login):
    from tests.accounts.factories import referent_of
    from tests.cooperations.factories import CooperationFactory

    gcs_form = login(world.referent_a).get(url("data", world.coop_ara.pk)).content.decode()
    assert "Montant du capital" in gcs_form and "Projet médical partagé" not in gcs_form
    # One field per concept: a GCS asks for its administrator and deputy, not for résiliation.
    assert "Administrateur adjoint" in gcs_form and "Résiliation" not in gcs_form
    assert "Personnels des parties" not in gcs_form
    # The nature rule of CSP L6133-3 I for these members (CH ALPHA public, CLINIQUE BETA private).
    assert (
        "Selon les membres actuels : le groupement réunit des personnes publiques et des "
        "personnes privées : ses membres choisissent sa nature juridique dans la convention "
        "constitutive (CSP L6133-3 I)."
    ) in unescape(gcs_form)

    ght = CooperationFactory(ght=True)
    member = MembershipFactory(cooperation=ght, role="porteur")
    team = referent_of(member.establishment)
    ght_form = login(team).get(url("data", ght.pk)).content.decode()
    assert "Projet médical partagé" in ght_form and "Établissement support" in ght_form
    assert "Montant du capital" not in ght_form
    assert "Instances du GHT" in ght_form and "Administrateur" not in ght_form
    assert f"{member.establishment.name} (FINESS {member.establishment.finess})" in ght_form


def test_home_page_lists_conventions_waiting_for_the_agent_approval(world, login):
    version = _generated(world)
    convention = version.convention
    services.signature_start(convention=convention, user=world.referent_a, expected_version=1)
    home = unescape(login(world.agent_ara).get("/").content.decode())
    assert "Aucune convention signée n'attend votre approbation." in home
    for party in version.parties:
        services.signature_record(
            convention=convention,
            membership_id=party["membership"],
            user=world.referent_a,
            signatory="X",
            signed_on=timezone.localdate(),
            signed_copy=SimpleUploadedFile("s.pdf", b"%PDF-1.4"),
        )
    html = login(world.agent_ara).get("/").content.decode()
    assert f'href="/conventions/{world.coop_ara.pk}/approbation/"' in html
    assert "Conventions à approuver" not in login(world.referent_a).get("/").content.decode()
    other = login(world.agent_occ).get("/").content.decode()
    assert world.coop_ara.title not in other


@pytest.mark.parametrize(
    ("user", "offered"),
    [("copil", False), ("agent_concerned", True), ("referent_a", True), ("agent_ara", True)],
)
def test_the_generate_files_button_is_offered_only_to_who_may_ask(world, login, user, offered):
    """The convention page, the version page and the htmx poll read the view's `caps` (the one
    door): the read-only COPIL guest is not offered a button that would answer 403."""
    version = _generated(world)
    VersionFiles.objects.filter(version=version).delete()
    client = login(getattr(world, user))
    pk, number = world.coop_ara.pk, version.number
    pages = [
        client.get(url("detail", pk)),
        client.get(url("version", pk, number)),
        client.get(url("files", pk, number), headers={"HX-Request": "true"}),
    ]
    for response in pages:
        html = unescape(response.content.decode())
        assert response.status_code == 200
        assert "pas encore été produits" in html
        assert ("Générer les fichiers PDF et DOCX" in html) is offered


def _edit_text(world, times: int) -> None:
    for index in range(times):
        services.version_edit(
            convention=world.coop_ara.convention,
            user=world.referent_a,
            preamble=f"Préambule {index}",
            clauses={},
            expected_version=Convention.objects.get().version,
            note=f"Retouche {index}",
        )


def _log(convention, entries: int) -> None:
    from conventions.models import Transition

    Transition.objects.bulk_create(
        Transition(
            convention=convention,
            from_state=Status.DRAFT,
            to_state=Status.DRAFT,
            actor=world_actor,
            comment=f"Entrée {n}",
        )
        for n, world_actor in entries
    )


@pytest.mark.parametrize("page", ["version", "journal", "diff"])
def test_version_journal_and_diff_pages_run_a_constant_number_of_queries(world, login, page):
    """The same number of queries with 2 versions (and journal entries) as with 6: each
    version's author, amended version and clauses, and each entry's actor, are read with
    their rows (tests.queries.count_queries: a warm page)."""
    from tests.queries import count_queries

    _generated(world)
    convention = Convention.objects.get()
    _edit_text(world, 1)
    _log(convention, [(1, world.referent_a)])
    client = login(world.referent_a)

    def address(versions: int) -> str:
        if page == "version":
            return url("version", world.coop_ara.pk, versions)
        if page == "diff":
            return url("diff", world.coop_ara.pk) + f"?de=1&a={versions}"
        return url("journal", world.coop_ara.pk)

    small = count_queries(client, address(2))
    _edit_text(world, 4)
    _log(convention, [(n, world.agent_ara if n % 2 else world.referent_a) for n in range(2, 6)])
    assert convention.versions.count() == 6 and convention.transitions.count() == 6
    large = count_queries(client, address(6))
    html = client.get(address(6)).content.decode()
    if page == "journal":
        assert html.count("Entrée ") == 5
    elif page == "diff":
        assert "Version 6" in html and "Préambule 3" in html
    else:
        assert "Version 6" in html and "Préambule 3" in html
    assert large == small
