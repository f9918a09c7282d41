"""Business rules of conventions, without HTTP."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conventions import diff, exports, services
from conventions.models import (
    Clause,
    Convention,
    ConventionTemplate,
    ConventionVersion,
    Status,
    Transition,
)
from conventions.rendering import unknown_placeholders
from core.locking import StaleObjectError
from tests.accounts.factories import referent_of
from tests.conventions.factories import complete
from tests.cooperations.factories import CooperationFactory, MembershipFactory, legal_form
from tests.territories.factories import EstablishmentFactory, LegalEntityFactory

pytestmark = pytest.mark.django_db

TEMPLATE_CODES = [
    "convention-cooperation",
    "partenariat-esms",
    "gcs-moyens",
    "gcs-exploitant",
    "gcs-es",
    "gcs-es-prive",
    "gcsms",
    "gtsms",
    "ght",
    "gip",
]


def _pdf(name="signee.pdf", content=b"%PDF-1.4 exemplaire signe"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def cooperation_for(template_code: str):
    """A cooperation of the template's legal form with three public members and full data."""
    template = ConventionTemplate.objects.get(code=template_code, is_current=True)
    kwargs = {"ehpad": True} if template_code in ("partenariat-esms", "gcsms", "gtsms") else {}
    if template_code == "gcs-es-prive":
        kwargs = {"private_clinic": True}
    cooperation = CooperationFactory(legal_form=template.legal_form)
    members = [
        MembershipFactory(
            cooperation=cooperation,
            establishment=EstablishmentFactory(**kwargs),
            role="porteur" if index == 0 else "membre",
        )
        for index in range(3)
    ]
    complete(
        cooperation,
        shares=[Decimal("40"), Decimal("35"), Decimal("25")],
        template=template,
        law_nature="prive" if template_code == "gcs-es-prive" else "public",
        support_membership=members[0],
    )
    return cooperation, members, template


@pytest.mark.parametrize("code", TEMPLATE_CODES)
def test_every_mandatory_clause_appears_with_the_members_data(code, world):
    cooperation, members, template = cooperation_for(code)

    version = services.convention_generate(cooperation=cooperation, user=world.referent_a)

    clauses = {c.key: c for c in version.clauses.all()}
    mandatory = list(template.clauses.filter(mandatory=True))
    assert mandatory, "the seeded template has mandatory clauses"
    for clause in mandatory:
        generated = clauses[clause.key]
        assert generated.included and generated.title == clause.title
        assert "[à compléter" not in generated.body, (clause.key, generated.body)
        assert "{{" not in generated.body
        assert generated.legal_reference == clause.legal_reference
    member_clause = next(
        c for c in version.clauses.all() if "{{ membres }}" in template.clauses.get(key=c.key).body
    )
    for membership in members:
        assert membership.establishment.name in member_clause.body
        assert f"FINESS {membership.establishment.finess}" in member_clause.body
    text = "\n".join(c.body for c in clauses.values())
    if "droits" in clauses:
        assert f"- {members[1].establishment.name} : 35 %" in clauses["droits"].body
    if code == "ght":
        assert members[0].establishment.name in clauses["support"].body
    assert cooperation.title in version.title or cooperation.title in text
    assert [p["name"] for p in version.parties] == [m.establishment.name for m in members]


def test_generation_refuses_and_lists_the_missing_data(world):
    coop = world.coop_ara  # a GCS de moyens with CH ALPHA and CLINIQUE BETA, no data yet

    with pytest.raises(services.NotReadyError) as raised:
        services.convention_generate(cooperation=coop, user=world.referent_a)

    messages = raised.value.result.messages
    assert "La part des droits statutaires de CH ALPHA est manquante." in messages
    assert "La part des charges de CLINIQUE BETA est manquante." in messages
    assert "Le siège n'est pas renseigné." in messages
    assert "La date d'effet de la coopération n'est pas renseignée." in messages
    assert "Il faut indiquer si le groupement a un capital." in messages
    urls = [m.url for m in raised.value.result.missing]
    terms = world.coop_ara.memberships.get(establishment=world.et_a).pk
    assert f"/conventions/{coop.pk}/membres/{terms}/#id_rights_share" in urls
    assert not Convention.objects.filter(cooperation=coop).exists()


def test_shares_not_adding_up_to_100_are_refused(world):
    complete(world.coop_ara, shares=[Decimal("40"), Decimal("50")])

    with pytest.raises(services.NotReadyError) as raised:
        services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)

    assert raised.value.result.missing == []
    assert raised.value.result.messages == [
        "La somme des parts des droits statutaires des membres est de 90 % : elle doit être égale à 100 %.",
        "La somme des parts des charges des membres est de 90 % : elle doit être égale à 100 %.",
    ]
    assert not Convention.objects.exists()


@pytest.mark.parametrize("nature", ["public", "prive"])
def test_a_mixed_gcs_takes_the_nature_its_members_choose(nature, world):
    # CH ALPHA is public, CLINIQUE BETA private for profit: the members choose (CSP L6133-3 I),
    # whatever the split of rights.
    complete(world.coop_ara, shares=[Decimal("30"), Decimal("70")], law_nature=nature)
    version = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    body = version.clauses.get(key="nature").body
    label = "droit public" if nature == "public" else "droit privé"
    assert body.startswith(f"Le groupement est une personne morale de {label}.")
    assert "ses membres choisissent sa nature juridique dans la convention constitutive" in body
    assert version.clauses.get(key="nature").legal_reference == "CSP R6133-1 I 4° ; CSP L6133-3 I"


def test_a_private_law_gcs_with_only_public_members_is_refused(world):
    coop = CooperationFactory(gcs=True, members=2)
    complete(coop, law_nature="prive")
    with pytest.raises(services.NotReadyError) as raised:
        services.convention_generate(cooperation=coop, user=world.referent_a)
    assert raised.value.result.messages == [
        "Le groupement ne réunit que des personnes publiques : le groupement est de droit public "
        "(CSP L6133-3 I). Choisissez cette nature juridique."
    ]


def test_public_members_and_liberal_professionals_make_a_public_law_gcs(world):
    coop = CooperationFactory(gcs=True)
    MembershipFactory(cooperation=coop, role="porteur")
    liberal = MembershipFactory(
        cooperation=coop, establishment=EstablishmentFactory(private_clinic=True)
    )
    complete(coop, law_nature="prive")
    liberal.convention_terms.liberal_professional = True
    liberal.convention_terms.save()
    with pytest.raises(services.NotReadyError) as raised:
        services.convention_generate(cooperation=coop, user=world.referent_a)
    assert raised.value.result.messages == [
        "Le groupement ne réunit que des personnes publiques et des professionnels libéraux : "
        "le groupement est de droit public (CSP L6133-3 I). Choisissez cette nature juridique."
    ]


def test_a_gcs_of_private_members_only_is_of_private_law(world):
    coop = CooperationFactory(gcs=True)
    for index in range(2):
        MembershipFactory(
            cooperation=coop,
            establishment=EstablishmentFactory(private_clinic=True),
            role="porteur" if index == 0 else "membre",
        )
    complete(coop, law_nature="public")
    with pytest.raises(services.NotReadyError) as raised:
        services.convention_generate(cooperation=coop, user=world.referent_a)
    assert raised.value.result.messages == [
        "Le groupement ne réunit que des personnes privées : le groupement est de droit privé "
        "(CSP L6133-3 I). Choisissez cette nature juridique."
    ]


def test_a_form_needs_its_minimum_number_of_members(world):
    coop = CooperationFactory(gcs=True, members=1)
    complete(coop)
    with pytest.raises(services.NotReadyError) as raised:
        services.convention_generate(cooperation=coop, user=world.referent_a)
    assert (
        "La forme « GCS de moyens » exige au moins 2 membres : la coopération n'en compte que 1."
        in raised.value.result.messages
    )


def test_a_ght_needs_a_public_support_and_private_members_only_as_associates(world):
    coop = CooperationFactory(ght=True)
    public = MembershipFactory(cooperation=coop, role="porteur")
    clinic = MembershipFactory(
        cooperation=coop, establishment=EstablishmentFactory(private_clinic=True)
    )
    complete(coop, support_membership=None)
    with pytest.raises(services.NotReadyError) as raised:
        services.convention_generate(cooperation=coop, user=world.referent_a)
    assert raised.value.result.messages == [
        "L'établissement support n'est pas désigné.",
        f"{clinic.establishment.name} n'est pas un établissement public : il ne peut être "
        "qu'associé ou partenaire du groupement.",
    ]
    clinic.role = "associe"
    clinic.save()
    coop.convention_data.support_membership = public
    coop.convention_data.save()
    version = services.convention_generate(cooperation=coop, user=world.referent_a)
    assert public.establishment.name in version.clauses.get(key="support").body


def test_a_gip_needs_a_public_majority_of_rights(world):
    coop = CooperationFactory(legal_form=legal_form("gip"))
    MembershipFactory(cooperation=coop, role="porteur")
    MembershipFactory(cooperation=coop, establishment=EstablishmentFactory(private_clinic=True))
    complete(coop, shares=[Decimal("50"), Decimal("50")])
    with pytest.raises(services.NotReadyError) as raised:
        services.convention_generate(cooperation=coop, user=world.referent_a)
    assert raised.value.result.messages == [
        "Les personnes publiques et les personnes privées chargées d'une mission de service "
        "public doivent détenir ensemble plus de la moitié des droits (loi n° 2011-525, art. 103) "
        ": elles n'en détiennent que 50 %."
    ]


def test_a_gip_counts_private_members_with_a_public_service_mission(world):
    # 45 % public + 55 % ESPIC (private, in charge of a public-service mission): accepted.
    coop = CooperationFactory(legal_form=legal_form("gip"))
    MembershipFactory(cooperation=coop, role="porteur")
    espic = MembershipFactory(
        cooperation=coop,
        establishment=EstablishmentFactory(legal_status="prive_non_lucratif"),
    )
    complete(coop, shares=[Decimal("45"), Decimal("55")])
    espic.convention_terms.public_service_mission = True
    espic.convention_terms.save()
    version = services.convention_generate(cooperation=coop, user=world.referent_a)
    assert "45 %" in version.clauses.get(key="droits").body


def test_legal_entity_members_are_named_with_their_finess(world):
    coop = CooperationFactory(legal_form=legal_form("convention"))
    entity = LegalEntityFactory(name="CENTRE HOSPITALIER DE BELLEY")
    MembershipFactory(cooperation=coop, establishment=None, legal_entity=entity, role="porteur")
    MembershipFactory(cooperation=coop)
    complete(coop)
    version = services.convention_generate(cooperation=coop, user=world.referent_a)
    parties = version.clauses.get(key="parties").body
    assert (
        f"- CENTRE HOSPITALIER DE BELLEY, entité juridique de statut public, FINESS {entity.finess}"
        in parties
    )


def test_optional_clauses_are_editable_and_mandatory_ones_stay(world):
    complete(world.coop_ara)
    first = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    convention = first.convention
    second = services.version_edit(
        convention=convention,
        user=world.referent_a,
        preamble="Les membres travaillent ensemble depuis 2019.",
        clauses={
            "litiges": {"included": False, "body": ""},
            "comite-restreint": {
                "included": True,
                "body": "Le comité restreint réunit les directeurs chaque trimestre.",
            },
            # A mandatory clause cannot be dropped or rewritten through an edit.
            "objet": {"included": False, "body": "Autre chose"},
        },
        expected_version=convention.version,
    )
    assert second.number == 2 and second.author == world.referent_a
    kept = {c.key: c for c in second.clauses.all()}
    assert kept["litiges"].included is False
    assert (
        kept["comite-restreint"].body
        == "Le comité restreint réunit les directeurs chaque trimestre."
    )
    assert kept["comite-restreint"].edited
    assert kept["objet"].included and kept["objet"].body == first.clauses.get(key="objet").body

    # Regenerating keeps the team's optional choices and re-renders the mandatory clauses.
    world.coop_ara.convention_data.seat = "Hôpital Fleyriat, Bourg-en-Bresse"
    world.coop_ara.convention_data.save()
    convention.refresh_from_db()
    third = services.convention_generate(
        cooperation=world.coop_ara, user=world.referent_a, expected_version=convention.version
    )
    kept = {c.key: c for c in third.clauses.all()}
    assert "Hôpital Fleyriat, Bourg-en-Bresse" in kept["denomination"].body
    assert (
        kept["comite-restreint"].body
        == "Le comité restreint réunit les directeurs chaque trimestre."
    )
    assert kept["litiges"].included is False
    assert third.preamble == "Les membres travaillent ensemble depuis 2019."


def test_a_stale_edit_is_refused_and_writes_nothing(world):
    complete(world.coop_ara)
    version = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    convention = version.convention
    stale = convention.version
    services.version_edit(
        convention=convention,
        user=world.referent_a,
        preamble="A",
        clauses={},
        expected_version=stale,
    )
    with pytest.raises(StaleObjectError):
        services.version_edit(
            convention=convention,
            user=world.referent_a,
            preamble="B",
            clauses={},
            expected_version=stale,
        )
    assert list(convention.versions.values_list("number", flat=True)) == [2, 1]


def test_diff_shows_exactly_the_changed_clauses(world):
    complete(world.coop_ara)
    first = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    data = world.coop_ara.convention_data
    data.seat = "Clinique Beta, 12 rue des Lilas, 01000 Bourg-en-Bresse"
    data.save()
    terms = world.coop_ara.memberships.get(establishment=world.et_b).convention_terms
    terms.contribution = "Un scanner et deux manipulateurs."
    terms.save()
    second = services.convention_generate(
        cooperation=world.coop_ara, user=world.referent_a, expected_version=first.convention.version
    )

    diffs = diff.compare(first, second)

    assert diff.changed_titles(diffs) == ["Dénomination et siège", "Capital et apports"]
    seat = next(d for d in diffs if d.key == "denomination")
    assert any(op == "ins" and "Clinique Beta, 12 rue des Lilas" in t for op, t in seat.segments)
    assert any(op == "del" and "Centre hospitalier" in t for op, t in seat.segments)
    # The untouched end of the sentence is shown as unchanged text.
    assert any(op == "equal" and "Son siège est fixé à" in t for op, t in seat.segments)
    assert all(d.status == "unchanged" for d in diffs if d.key not in {"denomination", "capital"})


def test_diff_reports_added_and_removed_clauses(world):
    complete(world.coop_ara)
    first = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    second = services.version_edit(
        convention=first.convention,
        user=world.referent_a,
        preamble="",
        clauses={"litiges": {"included": False, "body": "x"}},
        expected_version=first.convention.version,
    )
    diffs = diff.compare(first, second)
    assert [(d.title, d.status) for d in diffs if d.status != "unchanged"] == [
        ("Règlement des litiges", "removed")
    ]
    assert [
        (d.title, d.status) for d in diff.compare(second, first) if d.status != "unchanged"
    ] == [("Règlement des litiges", "added")]


def test_docx_opens_and_holds_the_same_clauses_as_the_version(world):
    from docx import Document

    complete(world.coop_ara)
    version = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    services.version_edit(
        convention=version.convention,
        user=world.referent_a,
        preamble="",
        clauses={"litiges": {"included": False, "body": ""}},
        expected_version=version.convention.version,
    )
    version = version.convention.versions.order_by("-number").first()

    document = Document(io.BytesIO(exports.version_docx(version)))

    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    included = [c for c in version.clauses.all() if c.included]
    # Articles, then the approval rule of the form, then the signatures.
    assert headings[-2:] == ["Approbation", "Signatures des parties"]
    assert headings[:-2] == [f"Article {i} — {c.title}" for i, c in enumerate(included, start=1)]
    assert "Article" not in " ".join(h for h in headings if "Règlement des litiges" in h)
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Mise à disposition de locaux et d'un temps de secrétariat." in body
    table = document.tables[0]
    assert [row.cells[0].text.split("\n")[0] for row in table.rows[1:]] == [
        "CH ALPHA",
        "CLINIQUE BETA",
    ]


def test_pdf_has_the_clauses_page_numbers_and_a_signature_block(world):
    from pypdf import PdfReader

    complete(world.coop_ara)
    version = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)

    reader = PdfReader(io.BytesIO(exports.version_pdf(version)))

    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for index, clause in enumerate(version.clauses.filter(included=True), start=1):
        assert f"Article {index} — {clause.title}" in flat
    assert f"Page 1 sur {len(reader.pages)}" in flat
    assert "Signatures des parties" in flat
    assert "CH ALPHA" in flat and "CLINIQUE BETA" in flat


def _sign_all(convention, user):
    version = convention.versions.order_by("-number").first()
    for party in version.parties:
        services.signature_record(
            convention=convention,
            membership_id=party["membership"],
            user=user,
            signatory=party["representative"],
            signed_on=timezone.localdate(),
            signed_copy=_pdf(),
        )


def test_signature_then_approval_then_amendment(world):
    complete(world.coop_ara)
    version = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    convention = version.convention
    services.signature_start(
        convention=convention, user=world.referent_a, expected_version=convention.version
    )
    assert convention.status == Status.IN_SIGNATURE
    with pytest.raises(ValidationError, match="ne peut plus être modifié"):
        services.version_edit(
            convention=convention,
            user=world.referent_a,
            preamble="x",
            clauses={},
            expected_version=convention.version,
        )

    _sign_all(convention, world.referent_a)
    convention.refresh_from_db()
    assert convention.status == Status.SIGNED  # a GCS needs the ARS approval

    services.approval_record(
        convention=convention,
        user=world.agent_ara,
        decided_on=timezone.localdate(),
        reference="ARS-ARA 2026-0142",
        expected_version=convention.version,
    )
    convention.refresh_from_db()
    assert convention.status == Status.APPROVED
    assert convention.approval_reference == "ARS-ARA 2026-0142"

    amendment = services.amendment_start(
        convention=convention,
        user=world.referent_a,
        expected_version=convention.version,
        note="Entrée d'un troisième membre",
    )
    convention.refresh_from_db()
    assert convention.status == Status.AMENDED
    assert amendment.kind == ConventionVersion.Kind.AMENDMENT and amendment.amends == version
    edited = services.version_edit(
        convention=convention,
        user=world.referent_a,
        preamble="Avenant n° 1",
        clauses={},
        expected_version=convention.version,
    )
    assert edited.kind == ConventionVersion.Kind.AMENDMENT and edited.amends == version
    assert list(
        Transition.objects.filter(convention=convention)
        .order_by("at", "pk")
        .values_list("from_state", "to_state")
    ) == [
        ("", "draft"),
        ("draft", "in_signature"),
        ("in_signature", "signed"),
        ("signed", "approved"),
        ("approved", "amended"),
    ]


def test_a_simple_convention_needs_no_approval(world):
    coop = CooperationFactory(legal_form=legal_form("convention"), members=2)
    complete(coop)
    version = services.convention_generate(cooperation=coop, user=world.referent_a)
    convention = version.convention
    services.signature_start(convention=convention, user=world.referent_a, expected_version=1)
    _sign_all(convention, world.referent_a)
    convention.refresh_from_db()
    assert convention.status == Status.APPROVAL_NOT_REQUIRED
    with pytest.raises(ValidationError, match="ne requiert pas d'approbation"):
        services.approval_record(
            convention=convention,
            user=world.agent_ara,
            decided_on=timezone.localdate(),
            reference="X",
            expected_version=convention.version,
        )


def test_signature_checks_file_type_dates_and_duplicates(world):
    complete(world.coop_ara)
    version = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    convention = version.convention
    services.signature_start(convention=convention, user=world.referent_a, expected_version=1)
    party = version.parties[0]["membership"]

    def record(**kwargs):
        values = {
            "convention": convention,
            "membership_id": party,
            "user": world.referent_a,
            "signatory": "Mme A",
            "signed_on": timezone.localdate(),
            "signed_copy": _pdf(),
        }
        values.update(kwargs)
        return services.signature_record(**values)

    with pytest.raises(ValidationError) as raised:
        record(signed_copy=_pdf("signee.docx", b"PK\x03\x04 word"))
    assert "n'est pas un PDF" in raised.value.message_dict["signed_copy"][0]
    with pytest.raises(ValidationError) as raised:
        record(signed_copy=_pdf("signee.pdf", b"MZ not a pdf"))
    assert "ne correspond pas à son extension" in raised.value.message_dict["signed_copy"][0]
    with pytest.raises(ValidationError) as raised:
        record(signed_on=timezone.localdate() + timedelta(days=1))
    assert raised.value.message_dict["signed_on"] == [
        "La date de signature ne peut pas être dans le futur."
    ]
    assert not version.signatures.exists()
    record()
    with pytest.raises(ValidationError, match="déjà enregistrée"):
        record()
    assert version.signatures.count() == 1


def test_approval_date_cannot_precede_the_last_signature(world):
    complete(world.coop_ara)
    version = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    convention = version.convention
    services.signature_start(convention=convention, user=world.referent_a, expected_version=1)
    _sign_all(convention, world.referent_a)
    convention.refresh_from_db()
    with pytest.raises(ValidationError) as raised:
        services.approval_record(
            convention=convention,
            user=world.agent_ara,
            decided_on=timezone.localdate() - timedelta(days=3),
            reference="ARS 1",
            expected_version=convention.version,
        )
    assert (
        "ne peut pas précéder la dernière signature" in raised.value.message_dict["decided_on"][0]
    )
    convention.refresh_from_db()
    assert convention.status == Status.SIGNED


def test_admin_edit_archives_the_previous_template_text(world):
    template = ConventionTemplate.objects.get(code="gcs-moyens", is_current=True)
    complete(world.coop_ara)
    first = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    snapshot = services.template_snapshot(template)
    Clause.objects.filter(template=template, key="denomination").update(
        body="Le groupement a son siège à {{ siege }}."
    )
    services.template_archive(template=template, snapshot=snapshot)

    template.refresh_from_db()
    assert template.version == 2 and template.is_current
    archive = ConventionTemplate.objects.get(code="gcs-moyens", version=1)
    assert not archive.is_current
    assert "Son siège est fixé à {{ siege }}" in archive.clauses.get(key="denomination").body
    assert archive.clauses.count() == template.clauses.count()
    second = services.convention_generate(
        cooperation=world.coop_ara, user=world.referent_a, expected_version=first.convention.version
    )
    assert (first.template_version, second.template_version) == (1, 2)
    assert second.clauses.get(key="denomination").body.startswith(
        "Le groupement a son siège à Centre"
    )


def test_clause_bodies_cannot_run_template_code(world):
    assert unknown_placeholders("{{ nom }} {{ cooperation }} {{settings}}") == [
        "cooperation",
        "settings",
    ]
    clause = Clause(
        template=ConventionTemplate.objects.get(code="gcs-moyens", is_current=True),
        key="piege",
        title="Piège",
        body="{{ settings.SECRET_KEY }} {% load static %} {{ nom }}",
    )
    complete(world.coop_ara)
    from conventions.checks import facts_for
    from conventions.rendering import render_body

    rendered = render_body(clause.body, facts_for(world.coop_ara))
    assert rendered == "{{ settings.SECRET_KEY }} {% load static %} Imagerie partagée de l'Ain"
    with pytest.raises(
        ValidationError, match="Champ\\(s\\) inconnu\\(s\\) : \\{\\{ cooperation \\}\\}"
    ):
        Clause(template=clause.template, key="x", title="x", body="{{ cooperation }}").full_clean()


def test_member_terms_refuse_a_share_over_100(world):
    membership = world.coop_ara.memberships.first()
    with pytest.raises(ValidationError) as raised:
        services.member_terms_save(
            membership=membership, data={"rights_share": Decimal("120")}, version=None
        )
    assert "rights_share" in raised.value.message_dict


def test_referent_scope_matches_the_team(world):
    # The project team of coop_ara is referent_a; a referent of CLINIQUE BETA joins it.
    beta = referent_of(world.et_b)
    from cooperations.scoping import is_project_team

    assert is_project_team(beta, world.coop_ara)
    assert not is_project_team(world.referent_c, world.coop_ara)


def test_a_concurrent_first_save_reads_as_stale_not_as_a_crash(world):
    from conventions.models import ConventionData

    ConventionData.objects.create(cooperation=world.coop_ara, seat="Premier siège")
    with pytest.raises(StaleObjectError):
        services._create_once(ConventionData(cooperation=world.coop_ara, seat="Second siège"))
    assert ConventionData.objects.get().seat == "Premier siège"


def test_a_gcs_needs_a_health_establishment_among_its_members(world):
    coop = CooperationFactory(gcs=True)
    MembershipFactory(
        cooperation=coop, role="porteur", establishment=EstablishmentFactory(ehpad=True)
    )
    MembershipFactory(cooperation=coop, establishment=EstablishmentFactory(ehpad=True))
    complete(coop, law_nature="public")
    with pytest.raises(services.NotReadyError) as raised:
        services.convention_generate(cooperation=coop, user=world.referent_a)
    assert raised.value.result.messages == [
        "Un groupement de coopération sanitaire doit compter au moins un établissement de "
        "santé parmi ses membres."
    ]
    # A whole legal entity counts through the health establishments it runs.
    entity = LegalEntityFactory()
    EstablishmentFactory(legal_entity=entity)
    MembershipFactory(cooperation=coop, establishment=None, legal_entity=entity)
    complete_terms = coop.memberships.get(legal_entity=entity)
    from conventions.models import MemberTerms

    MemberTerms.objects.filter(membership__cooperation=coop).update(
        rights_share=Decimal("30"), charges_share=Decimal("30")
    )
    MemberTerms.objects.create(
        membership=complete_terms,
        representative="M. Z",
        contribution="Aucun apport",
        rights_share=Decimal("40"),
        charges_share=Decimal("40"),
    )
    version = services.convention_generate(cooperation=coop, user=world.referent_a)
    assert entity.finess in version.clauses.get(key="membres").body
