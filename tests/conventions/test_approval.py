"""Approval per legal form (issue 12 items 1, 9, 10, 12): approver, clocks with time travel,
decisions with a reason, the arrêté PDF, placeholders refused, read-only after signature,
DOCX as a lawyer opens it."""

import io
from datetime import date, timedelta
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conventions import approval, exports, services
from conventions.models import (
    ApprovalDecision,
    Clause,
    Convention,
    ConventionTemplate,
    MemberTerms,
    Status,
    Transition,
)
from conventions.rendering import DATA_FIELDS, placeholders_in
from cooperations.models import LegalForm
from cooperations.signals import cooperation_event
from core.locking import StaleObjectError
from tests.conventions.factories import complete

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"conventions:{name}", args=args)


def _pdf(name="signe.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 signed copy", "application/pdf")


def _signed(world, on_commit=None) -> Convention:
    """coop_ara (a GCS de moyens) generated, submitted and signed by every party."""
    complete(world.coop_ara)
    version = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    convention = version.convention
    services.signature_start(convention=convention, user=world.referent_a, expected_version=1)
    for party in version.parties:
        services.signature_record(
            convention=convention,
            membership_id=party["membership"],
            user=world.referent_a,
            signatory=party["representative"],
            signed_on=timezone.localdate(),
            signed_copy=_pdf(),
        )
    convention.refresh_from_db()
    assert convention.status == Status.SIGNED
    return convention


def _approve(world, convention, *, reference: str) -> None:
    """The pilot ARS agent approves the signed convention today (arrêté `reference`);
    `convention` is refreshed."""
    services.approval_decide(
        convention=convention,
        user=world.agent_ara,
        decision="approved",
        decided_on=timezone.localdate(),
        reference=reference,
        expected_version=convention.version,
    )
    convention.refresh_from_db()


@pytest.fixture
def events():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    cooperation_event.connect(receiver, weak=False)
    yield received
    cooperation_event.disconnect(receiver)


def _with_form(convention, code: str) -> None:
    """Point the convention at the current template of another legal form (to read the
    approval texts of that form on the same signed convention)."""
    template = ConventionTemplate.objects.current().filter(legal_form__code=code).first()
    assert template is not None, code
    Convention.objects.filter(pk=convention.pk).update(template=template)
    convention.refresh_from_db()


# --- the approver per legal form -------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected", "basis"),
    [
        ("gcs-moyens", "directeur général de l'agence régionale de santé", "R6133-1-1"),
        ("ght", "directeur général de l'agence régionale de santé", "R6132-6"),
        ("gcsms", "représentant de l'État dans le département du siège", "R312-194-18"),
        ("gip", "arrêté conjoint des ministres", "décret 2012-91"),
    ],
)
def test_each_form_names_its_own_approver_in_the_catalogue_and_the_documents(
    world, code, expected, basis
):
    form = LegalForm.objects.get(code=code)
    assert form.requires_approval and expected in form.approver
    assert basis in form.approval_legal_basis
    convention = Convention(
        cooperation=world.coop_ara, template=ConventionTemplate(legal_form=form)
    )
    text = exports.approval_rule_text(convention)
    assert expected in text and basis in text
    if code in ("gcsms", "gip"):
        assert "agence régionale de santé" not in text


def test_simple_convention_has_no_approver_and_no_clock(world):
    form = LegalForm.objects.get(code="convention")
    assert not form.requires_approval and form.approval_authority == "none"
    convention = Convention(
        cooperation=world.coop_ara,
        template=ConventionTemplate(legal_form=form),
        status=Status.APPROVAL_NOT_REQUIRED,
    )
    text = exports.approval_rule_text(convention)
    assert "n'est pas soumise à approbation" in text and "pour information" in text
    clock = approval.clock_for(convention)
    assert clock.deadline is None and not clock.tacit_reached


def test_approval_screen_pdf_and_docx_show_the_approver_of_the_form(
    world, login, django_capture_on_commit_callbacks
):
    from docx import Document

    convention = _signed(world)
    client = login(world.agent_ara)
    html = unescape(client.get(url("approval", world.coop_ara.pk)).content.decode())
    assert "directeur général de l'agence régionale de santé de la région du siège" in html
    assert "CSP R6133-1-1" in html
    _with_form(convention, "gip")
    html = unescape(client.get(url("approval", world.coop_ara.pk)).content.decode())
    assert "arrêté conjoint des ministres" in html and "non du DG ARS" in html
    version = convention.versions.get(number=1)
    docx = Document(io.BytesIO(exports.version_docx(version)))
    body = "\n".join(p.text for p in docx.paragraphs)
    assert "soumise à l'approbation de l'État : arrêté conjoint des ministres" in body
    _with_form(convention, "gcsms")
    assert "représentant de l'État dans le département du siège" in exports.approval_rule_text(
        convention
    )


def test_kit1_step_13_shows_the_approver_of_the_cooperation_form(world, login):
    step = world.coop_ara.kit1_steps.get(number=approval.APPROVAL_FICHE_NUMBER)
    html = unescape(
        login(world.referent_a).get(reverse("fiches:step", args=[step.pk])).content.decode()
    )
    assert "Qui approuve la convention de cette coopération ?" in html
    assert "le directeur général de l'agence régionale de santé de la région du siège" in html
    assert "CSP R6133-1-1" in html
    other = world.coop_ara.kit1_steps.get(number=12)
    html = login(world.referent_a).get(reverse("fiches:step", args=[other.pk])).content.decode()
    assert "Qui approuve la convention" not in unescape(html)


# --- clocks and tacit approval (time travel through `today=`) --------------------------


def test_gcs_clock_deadline_tacit_approval_and_publication(
    world, events, django_capture_on_commit_callbacks
):
    convention = _signed(world)
    Convention.objects.filter(pk=convention.pk).update(submitted_on=date(2026, 1, 10))
    convention.refresh_from_db()

    before = approval.clock_for(convention, today=date(2026, 3, 9))
    assert before.deadline == date(2026, 3, 10) and before.days_left == 1
    assert before.waiting and not before.tacit_reached
    assert "au plus tard le 10 mars 2026" in before.summary
    # Computed on read: reached on the deadline even before the task runs.
    on_read = approval.clock_for(convention, today=date(2026, 3, 10))
    assert on_read.tacit_reached and on_read.tacit_on == date(2026, 3, 10)
    assert on_read.publication_due == date(2026, 3, 25)

    assert services.approval_tacit_apply(today=date(2026, 3, 9)) == []
    with django_capture_on_commit_callbacks(execute=True):
        done = services.approval_tacit_apply(today=date(2026, 3, 12))
    assert [c.pk for c in done] == [convention.pk]
    convention.refresh_from_db()
    assert convention.status == Status.APPROVED and convention.approval_mode == "tacit"
    assert convention.approved_on == date(2026, 3, 10)
    decision = convention.decisions.get()
    assert decision.kind == ApprovalDecision.Kind.TACIT
    log = Transition.objects.filter(convention=convention).first()
    assert "Approbation tacite acquise le 10/03/2026" in log.comment and "R6133-1-1" in log.comment
    assert [e["kind"] for e in events if e["kind"].startswith("convention_tacit")] == [
        "convention_tacit_approval"
    ]
    # Idempotent: a second run finds nothing to do.
    assert services.approval_tacit_apply(today=date(2026, 4, 1)) == []
    assert "approuvée tacitement le 10 mars 2026" in approval.decision_sentence(convention)


def test_after_a_tacit_approval_the_certificate_and_publication_are_added(
    world, login, django_capture_on_commit_callbacks
):
    convention = _signed(world)
    submitted = timezone.localdate() - timedelta(days=75)
    Convention.objects.filter(pk=convention.pk).update(submitted_on=submitted)
    services.approval_tacit_apply()
    convention.refresh_from_db()
    tacit_on = convention.approved_on
    client = login(world.agent_ara)
    target = url("approval_complete", world.coop_ara.pk)
    too_early = client.post(
        target,
        {"published_on": (tacit_on - timedelta(days=1)).isoformat(), "version": convention.version},
        follow=True,
    )
    assert "comprise entre l'approbation" in unescape(too_early.content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            target,
            {
                "published_on": timezone.localdate().isoformat(),
                "arrete": _pdf("certificat.pdf"),
                "version": convention.version,
            },
            follow=True,
        )
    assert "La décision d'approbation est complétée." in unescape(response.content.decode())
    convention.refresh_from_db()
    decision = convention.decisions.get(kind=ApprovalDecision.Kind.TACIT)
    assert (
        convention.published_on == timezone.localdate() and decision.arrete_name == "certificat.pdf"
    )
    assert "Publiée le" in approval.decision_sentence(convention)
    page = unescape(response.content.decode())
    assert "Approbation tacite" in page and "arrêté signé (PDF)" in page


def test_no_decision_once_the_tacit_approval_is_acquired(world):
    convention = _signed(world)
    Convention.objects.filter(pk=convention.pk).update(
        submitted_on=timezone.localdate() - timedelta(days=70)
    )
    convention.refresh_from_db()
    with pytest.raises(ValidationError, match="approbation tacite est acquise"):
        services.approval_decide(
            convention=convention,
            user=world.agent_ara,
            decision="refused",
            decided_on=timezone.localdate(),
            reason="Trop tard",
            expected_version=convention.version,
        )


def test_forms_without_tacit_rule_are_never_approved_by_silence(world):
    convention = _signed(world)
    _with_form(convention, "gcsms")
    Convention.objects.filter(pk=convention.pk).update(submitted_on=date(2025, 1, 1))
    assert services.approval_tacit_apply(today=date(2026, 6, 1)) == []
    convention.refresh_from_db()
    clock = approval.clock_for(convention, today=date(2026, 6, 1))
    assert convention.status == Status.SIGNED and not clock.tacit_reached
    assert "ne fixent pas de délai" in clock.summary


def test_convention_page_and_ars_home_show_the_clock(world, login):
    convention = _signed(world)
    deadline = approval.clock_for(convention).deadline
    assert convention.submitted_on == timezone.localdate()
    html = unescape(login(world.referent_a).get(url("detail", world.coop_ara.pk)).content.decode())
    assert "Échéance de la décision" in html and f"{deadline:%d/%m/%Y}" in html
    home = unescape(login(world.agent_ara).get(reverse("home")).content.decode())
    assert f"échéance le {deadline:%d/%m/%Y}" in home and "silence vaut approbation" in home


# --- decisions: approve, refuse, send back --------------------------------------------


@pytest.mark.parametrize("decision", ["refused", "sent_back"])
def test_refusal_and_send_back_require_a_reason(
    world, login, events, decision, django_capture_on_commit_callbacks
):
    convention = _signed(world)
    with pytest.raises(ValidationError) as error:
        services.approval_decide(
            convention=convention,
            user=world.agent_ara,
            decision=decision,
            decided_on=timezone.localdate(),
            reason="  ",
            expected_version=convention.version,
        )
    assert "reason" in error.value.message_dict
    client = login(world.agent_ara)
    data = {"decision": decision, "decided_on": timezone.localdate().isoformat(), "reason": ""}
    response = client.post(url("approval", world.coop_ara.pk), {**data, "version": 1})
    assert response.status_code == 200
    assert "Indiquez" in unescape(response.content.decode())
    convention.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("approval", world.coop_ara.pk),
            {**data, "reason": "La clause de répartition des charges est incomplète.",
             "version": convention.version},
        )  # fmt: skip
    assert response.status_code == 302
    convention.refresh_from_db()
    assert convention.status == (Status.REFUSED if decision == "refused" else Status.SENT_BACK)
    assert f"convention_{decision}" in [e["kind"] for e in events]
    # The team reads the reason, and the data are editable again for a corrected version.
    html = unescape(login(world.referent_a).get(url("detail", world.coop_ara.pk)).content.decode())
    assert "La clause de répartition des charges est incomplète." in html
    membership = world.coop_ara.memberships.get(establishment=world.et_a)
    services.member_terms_save(
        membership=membership,
        data={"representative": "M. Nouveau directeur"},
        version=membership.convention_terms.version,
    )


def test_arrete_pdf_is_stored_and_downloadable_only_in_scope(
    world, login, events, django_capture_on_commit_callbacks
):
    convention = _signed(world)
    client = login(world.agent_ara)
    data = {
        "decision": "approved",
        "decided_on": timezone.localdate().isoformat(),
        "reference": "2026-0142",
        "version": convention.version,
    }
    bad = client.post(
        url("approval", world.coop_ara.pk),
        {**data, "arrete": SimpleUploadedFile("arrete.pdf", b"not a pdf", "application/pdf")},
    )
    assert "ne correspond pas à son extension" in unescape(bad.content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(url("approval", world.coop_ara.pk), {**data, "arrete": _pdf("arrete.pdf")})
    assert ok.status_code == 302
    decision = ApprovalDecision.objects.get(convention=convention)
    assert (
        decision.arrete_name == "arrete.pdf" and "arrete" not in decision.arrete.name.split("/")[-1]
    )
    assert "convention_approved" in [e["kind"] for e in events]
    download = url("decision_arrete", world.coop_ara.pk, decision.pk)
    for user, status in [
        (world.agent_ara, 200),
        (world.referent_a, 200),
        (world.copil, 200),
        (world.agent_occ, 404),
        (world.referent_c, 404),
        (world.outsider, 404),
    ]:
        response = login(user).get(download)
        assert response.status_code == status, user
        if status == 200:
            assert response["Content-Disposition"].startswith("attachment")
            assert b"".join(response.streaming_content).startswith(b"%PDF")
    page = unescape(login(world.agent_ara).get(url("approval", world.coop_ara.pk)).content.decode())
    assert "arrêté n° 2026-0142" in page and "arrêté signé (PDF)" in page
    convention.refresh_from_db()
    assert approval.decision_sentence(convention).startswith(
        "Convention approuvée par arrêté n° 2026-0142 du "
    )
    assert "arrêté arrêté" not in approval.decision_sentence(convention)


def test_reference_takes_a_number_only():
    assert services.clean_reference("n° 2026-0142") == "2026-0142"
    assert services.clean_reference("Arrêté n° DOS/2026/142") == "DOS/2026/142"
    for bad in ["arrêté ARS ARA 2026", "sans numéro", "2026<script>"]:
        with pytest.raises(ValidationError):
            services.clean_reference(bad)


# --- item 9: no placeholder may be signed ----------------------------------------------


def _optional_clause(world):
    """An optional clause reading a text field no mandatory clause of the template reads."""
    template = services.template_for(world.coop_ara)
    used = set()
    for clause in template.clauses.filter(mandatory=True):
        used.update(placeholders_in(clause.body))
    text_fields = {"comite_suivi", "projet_soins", "praticiens", "equipements", "personnels"}
    name = next(n for n in sorted(text_fields) if n in DATA_FIELDS and n not in used)
    clause = Clause.objects.create(
        template=template,
        order=999,
        key="test-facultative",
        title="Clause facultative d'essai",
        body=f"Texte : {{{{ {name} }}}}.",
        mandatory=False,
    )
    return clause, DATA_FIELDS[name][0]


def test_an_optional_clause_without_data_is_left_out_then_cannot_be_signed(world, login):
    clause, field = _optional_clause(world)
    complete(world.coop_ara, **{field: ""})
    version = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    kept = version.clauses.get(key=clause.key)
    assert not kept.included and "[à compléter" in kept.body
    html = unescape(login(world.referent_a).get(url("detail", world.coop_ara.pk)).content.decode())
    assert "Clauses facultatives non retenues faute de données" in html
    assert f"#id_{field}" in html
    # The team keeps it anyway: the text holds a placeholder, the signature is refused.
    convention = version.convention
    version = services.version_edit(
        convention=convention,
        user=world.referent_a,
        preamble="",
        clauses={clause.key: {"included": True, "body": kept.body}},
        expected_version=convention.version,
    )
    with pytest.raises(ValidationError, match="ne peut pas être soumise à la signature"):
        services.signature_start(
            convention=convention, user=world.referent_a, expected_version=convention.version
        )
    html = unescape(login(world.referent_a).get(url("detail", world.coop_ara.pk)).content.decode())
    assert "Éléments « à compléter » dans la version" in html
    assert f"/conventions/{world.coop_ara.pk}/donnees/#id_{field}" in html
    # Generation with the clause kept and its data missing is refused too, with the link.
    with pytest.raises(services.NotReadyError) as error:
        services.convention_generate(
            cooperation=world.coop_ara, user=world.referent_a, expected_version=convention.version
        )
    assert any(f"#id_{field}" in item.url for item in error.value.result.missing)
    # Filled in, regenerated: the clause reads the data and the version can be signed.
    data = world.coop_ara.convention_data
    setattr(data, field, "Texte complet de la clause.")
    data.save()
    convention.refresh_from_db()
    latest = services.convention_generate(
        cooperation=world.coop_ara, user=world.referent_a, expected_version=convention.version
    )
    assert latest.clauses.get(key=clause.key).body == "Texte : Texte complet de la clause.."
    convention.refresh_from_db()
    services.signature_start(
        convention=convention, user=world.referent_a, expected_version=convention.version
    )


# --- item 10: what was signed stays as signed ------------------------------------------


def test_shares_are_read_only_from_signature_until_an_amendment(world, login):
    complete(world.coop_ara)
    version = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    convention = version.convention
    services.signature_start(convention=convention, user=world.referent_a, expected_version=1)
    membership = world.coop_ara.memberships.get(establishment=world.et_a)
    terms = MemberTerms.objects.get(membership=membership)
    with pytest.raises(services.ConventionLockedError, match="préparez un avenant"):
        services.member_terms_save(
            membership=membership, data={"rights_share": 51}, version=terms.version
        )
    with pytest.raises(services.ConventionLockedError):
        services.convention_data_save(
            cooperation=world.coop_ara, data={"seat": "Ailleurs"}, version=1
        )
    client = login(world.referent_a)
    page = client.get(url("member_terms", world.coop_ara.pk, membership.pk))
    html = unescape(page.content.decode())
    assert page.status_code == 200 and "Lecture seule" in html
    assert (
        'name="rights_share"' in html and "disabled" in html.split('name="rights_share"')[1][:200]
    )
    assert "Enregistrer" not in html.split("Lecture seule")[1].split("Retour à la convention")[0]
    response = client.post(
        url("member_terms", world.coop_ara.pk, membership.pk),
        {"rights_share": "51", "charges_share": "50", "version": terms.version},
    )
    assert response.status_code == 403
    assert "préparez un avenant" in unescape(response.content.decode())
    terms.refresh_from_db()
    assert terms.rights_share == 50
    assert client.post(url("data", world.coop_ara.pk), {"seat": "X"}).status_code == 403
    detail = unescape(client.get(url("detail", world.coop_ara.pk)).content.decode())
    assert "ne se modifient plus que par un avenant" in detail


# --- item 12: DOCX as a lawyer opens it ------------------------------------------------


def test_docx_is_a4_in_french_with_page_numbers_and_the_draft_notice(world):
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm

    complete(world.coop_ara)
    world.coop_ara.short_name = "GCS Imagerie Ain"
    world.coop_ara.save()
    version = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    document = Document(io.BytesIO(exports.version_docx(version)))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    langs = [e.get(qn("w:val")) for e in document.styles.element.iter(qn("w:lang"))]
    assert langs and set(langs) == {"fr-FR"}
    assert document.core_properties.language == "fr-FR"
    footer = section.footer.paragraphs[0]
    instructions = [e.text.strip() for e in footer._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"] and "Page" in footer.text
    body = "\n".join(p.text for p in document.paragraphs)
    assert exports.DRAFT_NOTICE in body
    assert exports.filename(version, "docx") == "convention-gcs-imagerie-ain-v1.docx"
    assert exports.filename(version, "pdf") == "convention-gcs-imagerie-ain-v1.pdf"


def test_approval_page_runs_a_constant_number_of_queries(world, login):
    """Past decisions (with their version and author) and the signatures of the latest version
    are read in a fixed number of queries, however many there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    convention = _signed(world)
    version = convention.versions.get()
    client = login(world.agent_ara)
    page = url("approval", world.coop_ara.pk)
    client.get(page)  # the first request of a session warms per-user caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(page).status_code == 200
    for day in range(5):
        ApprovalDecision.objects.create(
            convention=convention,
            version=version,
            kind=ApprovalDecision.Kind.SENT_BACK,
            decided_on=date(2026, 1, 1 + day),
            reason="Mettre en conformité",
            arrete=_pdf("arrete.pdf"),
            recorded_by=world.agent_ara,
        )
    with CaptureQueriesContext(connection) as large:
        html = client.get(page).content.decode()
    assert html.count("motif : Mettre en conformité") == 5
    assert len(large) == len(small)


def test_an_approval_without_its_arrete_number_is_refused_on_the_field(world, login):
    convention = _signed(world)
    before = convention.version
    data = {"decision": "approved", "decided_on": timezone.localdate().isoformat()}
    data["version"] = before
    response = login(world.agent_ara).post(url("approval", world.coop_ara.pk), data)
    assert response.status_code == 200
    assert response.context["form"].errors["reference"] == ["Indiquez le numéro de l'arrêté."]
    convention.refresh_from_db()
    assert convention.status == Status.SIGNED and convention.version == before


def test_gcs_es_has_no_publication_delay_the_sources_do_not_state(world):
    """legal-forms.md gives 15 days of RAA publication for a GCS de moyens, none for the
    GCS-ES's single decision (R6133-17): no delay is invented, the procedure says to check."""
    convention = _signed(world)
    _with_form(convention, "gcs-es")
    form = convention.template.legal_form
    assert form.publication_delay_days is None
    assert "à vérifier" in form.approval_procedure
    assert "publiée dans les" not in exports.approval_rule_text(convention)
    _approve(world, convention, reference="2026-0001")
    assert approval.clock_for(convention).publication_due is None
    # The GCS de moyens keeps its 15 days (CSP R6133-1-1, legal-forms.md).
    assert LegalForm.objects.get(code="gcs-moyens").publication_delay_days == 15


def test_decision_options_are_the_model_kinds_an_agent_records(world, login):
    """The radio buttons are ApprovalDecision.Kind (value and label), without "tacit"."""
    import re

    _signed(world)
    html = unescape(login(world.agent_ara).get(url("approval", world.coop_ara.pk)).content.decode())
    values = re.findall(r'name="decision" value="([^"]+)"', html)
    expected = [k for k in ApprovalDecision.Kind if k != ApprovalDecision.Kind.TACIT]
    assert values == [k.value for k in expected]
    for kind in expected:
        assert f">{kind.label}<" in re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))
    assert ApprovalDecision.Kind.TACIT.label not in html.split('name="decision"', 1)[1][:2000]


def test_ars_home_lists_only_the_approvals_its_user_may_decide(world, login, rf):
    """The home's "Conventions à approuver" follows the scope's rule (only an agent of the
    pilot ARS decides, as the approval page): the pilot agent sees coop_ara's signed
    convention and may open its decision page; the agent of a concerned ARS reads coop_ara
    but neither sees it in that list nor decides (403); nobody else gets a list."""
    from conventions.hooks import home_approvals
    from tests.accounts.factories import UserFactory

    _signed(world)
    link = url("approval", world.coop_ara.pk)
    pilot = login(world.agent_ara)
    section = lambda html: html[html.index('id="conventions-approbations"') :]  # noqa: E731
    home = section(unescape(pilot.get(reverse("home")).content.decode()))
    assert f'href="{link}"' in home and world.coop_ara.title in home
    assert pilot.get(link).status_code == 200

    concerned = login(world.agent_concerned)
    assert concerned.get(url("detail", world.coop_ara.pk)).status_code == 200
    home = section(unescape(concerned.get(reverse("home")).content.decode()))
    assert link not in home and "Aucune convention signée n'attend votre approbation." in home
    assert concerned.get(link).status_code == 403

    # Not an ARS agent, though attached to the pilot ARS: nothing to decide.
    referent = UserFactory(role="referent", ars=world.coop_ara.pilot_ars)
    request = rf.get("/")
    request.user = referent
    assert home_approvals(request)["conventions"] == []
    request.user = world.agent_ara
    assert [c.cooperation_id for c in home_approvals(request)["conventions"]] == [world.coop_ara.pk]


def test_a_refused_completion_shows_the_form_again_with_its_errors_and_the_typed_date(world, login):
    """approval_complete refused (a date outside the allowed range, nothing given, a stale
    version): the decision page again, the error summary at the top of the completion form,
    the typed date kept, nothing recorded."""
    convention = _signed(world)
    _approve(world, convention, reference="2026-0142")
    client = login(world.agent_ara)
    target = url("approval_complete", world.coop_ara.pk)
    too_early = (convention.approved_on - timedelta(days=3)).isoformat()

    response = client.post(target, {"published_on": too_early, "version": convention.version})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    section = html[html.index('id="completer"') :]
    summary = section[section.index("kc-error-summary") : section.index("</div>")]
    assert "La date de publication est comprise entre l'approbation" in summary
    assert 'href="#id_published_on"' in summary
    assert f'value="{too_early}"' in section
    assert not response.context["messages"] or not list(response.context["messages"])

    nothing = unescape(client.post(target, {"version": convention.version}).content.decode())
    assert "Indiquez une date de publication ou déposez le document signé." in nothing

    Convention.objects.filter(pk=convention.pk).update(version=convention.version + 1)
    today = timezone.localdate().isoformat()
    stale = client.post(target, {"published_on": today, "version": convention.version})
    stale_html = unescape(stale.content.decode())
    assert stale.status_code == 200
    assert "Quelqu'un d'autre a enregistré cette fiche" in stale_html
    assert f'value="{today}"' in stale_html
    convention.refresh_from_db()
    assert convention.published_on is None


def _history_and_log(convention) -> tuple[int, int]:
    return convention.history.count(), convention.transitions.count()


def test_each_move_of_the_convention_is_one_save_one_history_row_one_log_row(world):
    """Every move goes through core.workflow.transition() with the fields it changes and the
    form's version: one save of the convention (one django-simple-history row), one
    Transition. Before, signature, decisions, the tacit approval and the amendment each
    saved the convention two or three times."""
    complete(world.coop_ara)
    convention = services.convention_generate(
        cooperation=world.coop_ara, user=world.referent_a
    ).convention

    def moved(before, to_status):
        convention.refresh_from_db()
        assert convention.status == to_status
        assert _history_and_log(convention) == (before[0] + 1, before[1] + 1)

    before = _history_and_log(convention)
    services.signature_start(
        convention=convention, user=world.referent_a, expected_version=convention.version
    )
    moved(before, Status.IN_SIGNATURE)
    version = convention.versions.order_by("-number").first()
    for party in version.parties[:-1]:
        services.signature_record(
            convention=convention,
            membership_id=party["membership"],
            user=world.referent_a,
            signatory=party["representative"],
            signed_on=timezone.localdate(),
            signed_copy=_pdf(),
        )
    before = _history_and_log(convention)
    last = version.parties[-1]
    services.signature_record(
        convention=convention,
        membership_id=last["membership"],
        user=world.referent_a,
        signatory=last["representative"],
        signed_on=timezone.localdate(),
        signed_copy=_pdf(),
    )
    moved(before, Status.SIGNED)
    assert convention.submitted_on == timezone.localdate()

    # The tacit approval (beat task): one save with its approval fields.
    submitted = timezone.localdate() - timedelta(days=75)
    Convention.objects.filter(pk=convention.pk).update(submitted_on=submitted)
    before = _history_and_log(convention)
    assert [c.pk for c in services.approval_tacit_apply()] == [convention.pk]
    moved(before, Status.APPROVED)
    assert convention.approval_mode == "tacit" and convention.approved_on is not None
    assert convention.history.first().approval_mode == "tacit"

    # The amendment: one save, the approval fields cleared with the move.
    before = _history_and_log(convention)
    services.amendment_start(
        convention=convention, user=world.referent_a, expected_version=convention.version
    )
    moved(before, Status.AMENDED)
    assert convention.approved_on is None and convention.approval_mode == ""
    newest = convention.history.first()
    assert newest.status == Status.AMENDED and newest.approved_on is None


def test_a_stale_amendment_writes_nothing(world):
    convention = _signed(world)
    services.approval_tacit_apply(today=timezone.localdate() + timedelta(days=75))
    convention.refresh_from_db()
    assert convention.status == Status.APPROVED
    before = (_history_and_log(convention), convention.versions.count())
    with pytest.raises(StaleObjectError):
        services.amendment_start(
            convention=convention, user=world.referent_a, expected_version=convention.version - 1
        )
    convention.refresh_from_db()
    assert convention.status == Status.APPROVED and convention.approved_on is not None
    assert (_history_and_log(convention), convention.versions.count()) == before


def test_a_stale_decision_is_warned_at_the_top_keeps_the_input_then_goes_through(world, login):
    convention = _signed(world)
    opened = convention.version
    Convention.objects.filter(pk=convention.pk).update(version=opened + 1)  # someone saved
    client = login(world.agent_ara)
    data = {
        "decision": "approved",
        "decided_on": timezone.localdate().isoformat(),
        "reference": "2026-0777",
        "version": opened,
    }
    response = client.post(url("approval", world.coop_ara.pk), data)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    summary = html[html.index("kc-error-summary") :]
    assert "Quelqu'un d'autre a enregistré cette fiche" in summary[: summary.index("</div>")]
    assert 'value="2026-0777"' in html
    convention.refresh_from_db()
    assert convention.status == Status.SIGNED and not convention.decisions.exists()
    again = dict(response.context["form"].data.items())
    assert again["version"] == str(opened + 1)
    assert client.post(url("approval", world.coop_ara.pk), again).status_code == 302
    convention.refresh_from_db()
    assert convention.status == Status.APPROVED and convention.approval_reference == "2026-0777"


def test_a_decision_beaten_by_another_agents_decision_is_warned_with_the_input_kept(world, login):
    """Two agents open the decision page; one approves, the other then sends a refusal: the
    second sees the stale warning at the top of the decision form with the reason typed,
    instead of a page without the form where the refusal silently vanished."""
    convention = _signed(world)
    opened = convention.version
    services.approval_record(
        convention=convention,
        user=world.agent_ara,
        decided_on=timezone.localdate(),
        reference="2026-0142",
        expected_version=opened,
    )
    client = login(world.agent_ara)
    response = client.post(
        url("approval", world.coop_ara.pk),
        {
            "decision": "refused",
            "decided_on": timezone.localdate().isoformat(),
            "reason": "Motif tapé dans le second onglet",
            "version": opened,
        },
    )
    assert response.status_code == 200
    html = unescape(response.content.decode())
    summary = html[html.index("kc-error-summary") :]
    assert "Quelqu'un d'autre a enregistré cette fiche" in summary[: summary.index("</div>")]
    assert "Motif tapé dans le second onglet" in html
    convention.refresh_from_db()
    assert convention.status == Status.APPROVED
    assert list(convention.decisions.values_list("kind", flat=True)) == ["approved"]


def test_the_completion_address_opened_again_leads_back_to_the_approval_page(world, login):
    """A refused completion leaves the browser on …/approbation/completer/: Back or a reopened
    tab (a GET) comes to the approval page, not to the 405 page."""
    _signed(world)
    client = login(world.agent_ara)
    pk = world.coop_ara.pk
    response = client.get(reverse("conventions:approval_complete", args=[pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("conventions:approval", args=[pk])
    # Out of the scope, the address answers 404 as the page would (the redirect says nothing).
    for user in (world.agent_occ, world.outsider):
        response = login(user).get(reverse("conventions:approval_complete", args=[pk]))
        assert response.status_code == 404


def test_a_decision_on_a_convention_decided_since_is_the_stale_warning(world):
    """Two agents opened the signed convention; the first approves it: the second's decision
    (its page's version) is the stale warning, not "not signed" about a state it never saw;
    a decision on the approved convention as it stands is that refusal."""
    convention = _signed(world)
    opened = convention.version
    _approve(world, convention, reference="2026-0001")
    decision = {
        "convention": convention,
        "user": world.agent_ara,
        "decision": "refused",
        "decided_on": timezone.localdate(),
        "reason": "Clause manquante",
    }
    with pytest.raises(StaleObjectError):
        services.approval_decide(**decision, expected_version=opened)
    with pytest.raises(ValidationError, match="ne s'enregistre que sur une convention signée"):
        services.approval_decide(**decision, expected_version=convention.version)
    convention.refresh_from_db()
    assert convention.status == Status.APPROVED and convention.decisions.count() == 1


def _arretes(settings) -> list[str]:
    """The arrêtés now in the storage (the test's own media root)."""
    folder = settings.MEDIA_ROOT / "conventions" / "arretes"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_stale_or_refused_decision_leaves_no_arrete_in_the_storage(world, settings, monkeypatch):
    """The signed arrêté reaches the storage only once every check passed: before, the
    decision's save wrote it and the version check that followed refused the decision,
    leaving the file without any decision pointing at it."""
    convention = _signed(world)
    opened = convention.version
    decision = {
        "convention": convention,
        "user": world.agent_ara,
        "decision": "approved",
        "decided_on": timezone.localdate(),
        "reference": "2026-0142",
    }
    Convention.objects.filter(pk=convention.pk).update(version=opened + 1)  # someone saved
    with pytest.raises(StaleObjectError):
        services.approval_decide(**decision, expected_version=opened, arrete=_pdf("arrete.pdf"))
    assert _arretes(settings) == []
    with pytest.raises(ValidationError, match="numéro"):
        services.approval_decide(
            **{**decision, "reference": ""}, expected_version=opened + 1, arrete=_pdf("arrete.pdf")
        )
    assert _arretes(settings) == []

    # A failure after the decision's save (the transaction writes nothing): the file goes too.
    def broken(*args, **kwargs):
        raise RuntimeError("panne")

    with monkeypatch.context() as patch:
        patch.setattr(services, "_event", broken)
        with pytest.raises(RuntimeError):
            services.approval_decide(
                **decision, expected_version=opened + 1, arrete=_pdf("arrete.pdf")
            )
    assert _arretes(settings) == []
    convention.refresh_from_db()
    assert convention.status == Status.SIGNED and not convention.decisions.exists()

    record = services.approval_decide(
        **decision, expected_version=opened + 1, arrete=_pdf("arrete.pdf")
    )
    assert _arretes(settings) == [record.arrete.name.split("/")[-1]]


def test_a_refused_completion_leaves_no_arrete_in_the_storage(world, settings, monkeypatch):
    """A completion refused as stale, or failing after the decision's save, leaves no file in
    the storage; a good one exactly one."""
    convention = _signed(world)
    _approve(world, convention, reference="2026-0142")
    completion = {"convention": convention, "user": world.agent_ara}
    with pytest.raises(StaleObjectError):
        services.approval_complete(
            **completion,
            expected_version=convention.version - 1,
            published_on=timezone.localdate(),
            arrete=_pdf("arrete.pdf"),
        )
    with monkeypatch.context() as patch:
        patch.setattr(services, "version_files_request", lambda **kwargs: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            services.approval_complete(
                **completion,
                expected_version=convention.version,
                published_on=timezone.localdate(),
                arrete=_pdf("arrete.pdf"),
            )
    assert _arretes(settings) == []
    convention.refresh_from_db()
    assert convention.published_on is None
    decision = services.approval_complete(
        **completion, expected_version=convention.version, arrete=_pdf("arrete.pdf")
    )
    assert _arretes(settings) == [decision.arrete.name.split("/")[-1]]


def test_a_completion_saves_the_convention_once(world):
    """The publication date and the form's version go into one save of the convention: one
    history row (before, two: the version's, then the date's)."""
    convention = _signed(world)
    _approve(world, convention, reference="2026-0142")
    before = _history_and_log(convention)
    services.approval_complete(
        convention=convention,
        user=world.agent_ara,
        expected_version=convention.version,
        published_on=timezone.localdate(),
    )
    convention.refresh_from_db()
    assert convention.published_on == timezone.localdate()
    assert _history_and_log(convention) == (before[0] + 1, before[1] + 1)
    assert convention.history.first().published_on == timezone.localdate()
