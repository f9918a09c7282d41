"""The read API: scope per role and per token, filters, pagination, content of each endpoint,
authentication rules (token, same-origin session only), throttling and the OpenAPI schema."""

from datetime import timedelta
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.tokens import api_token_create, api_token_revoke
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.evalimpact.factories import create_evaluation
from tests.suivi.factories import ActivityFactory, DeliverableFactory, RiskFactory

pytestmark = pytest.mark.django_db

LIST = reverse("api:cooperation_list")


def bearer(client, user):
    _token, raw = api_token_create(user=user, name="Tableau de bord", days=30)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def titles(response) -> set:
    assert response.status_code == 200, response.content[:300]
    return {row["title"] for row in response.json()["results"]}


def test_each_role_lists_its_own_scope(world, login):
    expected = {
        "admin": {world.coop_ara.title, world.coop_occ.title},
        "agent_ara": {world.coop_ara.title},
        "agent_occ": {world.coop_occ.title},
        # Reads coop_ara through the Saône-et-Loire, a département of its region.
        "agent_concerned": {world.coop_ara.title},
        "referent_a": {world.coop_ara.title},
        "referent_c": {world.coop_occ.title},
        "copil": {world.coop_ara.title},
        "outsider": set(),
    }
    for role, user in world.users().items():
        assert titles(login(user).get(LIST)) == expected[role], role


def test_a_token_carries_its_owner_scope(world, client):
    bearer(client, world.agent_occ)
    assert titles(client.get(LIST)) == {world.coop_occ.title}
    assert (
        client.get(reverse("api:cooperation_detail", args=[world.coop_occ.pk])).status_code == 200
    )
    for name in ("cooperation_detail", "cooperation_deliverables", "cooperation_convention"):
        response = client.get(reverse(f"api:{name}", args=[world.coop_ara.pk]))
        assert response.status_code == 404, name
    assert client.get(reverse("api:cooperation_detail", args=[999999])).status_code == 404


def test_bad_revoked_and_missing_tokens_get_401_in_french(world, client):
    token, raw = api_token_create(user=world.agent_ara, name="Outil", days=30)
    response = client.get(LIST, HTTP_AUTHORIZATION="Bearer kc_00000000_faux")
    assert response.status_code == 401
    assert response.json()["detail"] == "Jeton invalide, expiré ou révoqué."
    assert response["WWW-Authenticate"].startswith("Bearer")
    api_token_revoke(token=token)
    assert client.get(LIST, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    anonymous = client.get(LIST)
    assert anonymous.status_code == 401
    assert "Informations d'authentification non fournies" in anonymous.json()["detail"]


def test_the_session_counts_only_from_kitcoop_itself(world, login):
    client = login(world.agent_ara)
    assert client.get(LIST).status_code == 200
    assert client.get(LIST, HTTP_SEC_FETCH_SITE="same-origin").status_code == 200
    assert client.get(LIST, HTTP_ORIGIN="http://testserver").status_code == 200
    assert client.get(LIST, HTTP_ORIGIN="https://autre-site.example").status_code == 401
    assert client.get(LIST, HTTP_SEC_FETCH_SITE="cross-site").status_code == 401
    assert client.get(LIST, HTTP_SEC_FETCH_SITE="same-site").status_code == 401
    # No CORS: a browser on another site cannot read the answer even with a token.
    _token, raw = api_token_create(user=world.agent_ara, name="Outil", days=30)
    response = client.get(
        LIST, HTTP_ORIGIN="https://autre-site.example", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_read_only(world, login):
    client = login(world.admin)
    assert client.post(LIST, {}, content_type="application/json").status_code == 405
    detail = reverse("api:cooperation_detail", args=[world.coop_ara.pk])
    assert client.delete(detail).status_code == 405


def test_rate_limited_per_user(world, client, settings):
    settings.API_RATE_LIMIT = "3/min"
    bearer(client, world.agent_ara)
    assert [client.get(LIST).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get(LIST)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert "Requête ralentie" in limited.json()["detail"]


def test_portfolio_filters_and_pagination(world, login):
    client = login(world.admin)
    CooperationFactory(title="Pharmacie à usage intérieur", phase="decider")
    assert titles(client.get(LIST, {"phase": "decider"})) == {"Pharmacie à usage intérieur"}
    gcs = world.coop_ara.legal_form
    assert titles(client.get(LIST, {"legal_form": gcs.pk})) == {world.coop_ara.title}
    assert titles(client.get(LIST, {"establishment": world.et_c.finess})) == {world.coop_occ.title}
    assert titles(client.get(LIST, {"q": "Biologie"})) == {world.coop_occ.title}
    bad = client.get(LIST, {"phase": "inconnue"})
    assert bad.status_code == 400 and "phase" in bad.json()
    page = client.get(LIST, {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and "page=2" in page["next"]
    assert len(client.get(page["next"]).json()["results"]) == 1


def test_cooperation_fields(world, login):
    row = next(
        r
        for r in login(world.agent_ara).get(LIST).json()["results"]
        if r["id"] == world.coop_ara.pk
    )
    assert row["pilot_ars"]["region_code"] == "84"
    assert row["legal_form"]["code"] == "gcs-moyens" and row["legal_form"]["nature"] == "organique"
    assert [d["code"] for d in row["departements"]] == ["01", "71"]
    assert {m["finess"] for m in row["members"]} == {world.et_a.finess, world.et_b.finess}
    porteur = next(m for m in row["members"] if m["role"] == "porteur")
    assert porteur["kind"] == "ET" and porteur["name"] == "CH ALPHA"
    assert porteur["legal_entity_finess"] == world.et_a.legal_entity.finess
    assert row["web_url"] == f"http://testserver/cooperations/{world.coop_ara.pk}/"


def test_detail_lists_former_members(world, login):
    leaver = MembershipFactory(cooperation=world.coop_ara, left_on=timezone.localdate())
    data = (
        login(world.referent_a)
        .get(reverse("api:cooperation_detail", args=[world.coop_ara.pk]))
        .json()
    )
    assert [m["finess"] for m in data["former_members"]] == [leaver.establishment.finess]
    assert leaver.establishment.finess not in {m["finess"] for m in data["members"]}
    assert data["objectives"]


def test_steps_convention_evaluations_deliverables_and_risks(world, login):
    from conventions import services as conventions
    from fiches.models import Step
    from tests.conventions.factories import complete

    coop = world.coop_ara
    client = login(world.agent_ara)
    steps = client.get(reverse("api:cooperation_steps", args=[coop.pk])).json()
    assert steps["count"] == Step.objects.filter(cooperation=coop).count() > 0
    first = steps["results"][0]
    assert first["number"] == 1 and first["state"] == "not_started" and first["title"]

    convention = client.get(reverse("api:cooperation_convention", args=[coop.pk])).json()
    assert convention["exists"] is False and convention["status"] is None
    complete(coop)
    conventions.convention_generate(cooperation=coop, user=world.referent_a)
    convention = client.get(reverse("api:cooperation_convention", args=[coop.pk])).json()
    assert convention["exists"] and convention["status"] == "draft"
    assert convention["status_label"] == "Projet" and convention["requires_approval"] is True

    evaluation = create_evaluation(coop, kind="potential")
    evaluation.axis_scores = {"1": 3.25, "2": 2.0, "3": None, "4": 1.5}
    evaluation.overall_score = Decimal("2.3")
    evaluation.save()
    scores = client.get(reverse("api:cooperation_evaluations", args=[coop.pk])).json()
    row = scores["results"][0]
    assert row["kind"] == "potential" and row["overall_score"] == 2.3
    assert [(a["axis"], a["score"]) for a in row["axis_scores"]] == [
        (1, 3.25),
        (2, 2.0),
        (3, None),
        (4, 1.5),
    ]
    assert all(a["label"] for a in row["axis_scores"])

    today = timezone.localdate()
    activity = ActivityFactory(cooperation=coop, title="Imagerie de garde")
    DeliverableFactory(
        activity=activity,
        title="Tableau de garde",
        planned_on=today - timedelta(days=10),
        revised_on=today + timedelta(days=5),
    )
    DeliverableFactory(activity=activity, title="Charte", planned_on=today + timedelta(days=20))
    rows = client.get(reverse("api:cooperation_deliverables", args=[coop.pk])).json()["results"]
    late = next(r for r in rows if r["title"] == "Tableau de garde")
    assert late["planned_on"] == str(today - timedelta(days=10))
    assert late["revised_on"] == str(today + timedelta(days=5))
    assert late["due_on"] == late["revised_on"] and late["slippage_days"] == 15
    assert late["rag"] == "at_risk" and late["rag_label"] == "À risque"
    assert late["activity"] == "Imagerie de garde"
    on_time = next(r for r in rows if r["title"] == "Charte")
    assert on_time["slippage_days"] == 0 and on_time["rag"] == "on_time"

    RiskFactory(cooperation=coop, title="Départ de radiologues", probability=4, impact=4)
    RiskFactory(cooperation=coop, title="Retard du PACS", probability=1, impact=2, category=None)
    risks = client.get(reverse("api:cooperation_risks", args=[coop.pk])).json()["results"]
    assert [r["title"] for r in risks] == ["Départ de radiologues", "Retard du PACS"]
    assert risks[0]["criticity"] == 16 and risks[1]["category"] is None


def test_establishments_and_legal_entities_by_finess(world, login):
    client = login(world.agent_occ)
    et = client.get(reverse("api:establishment", args=[world.et_a.finess])).json()
    assert et["name"] == "CH ALPHA" and et["legal_entity_finess"] == world.et_a.legal_entity.finess
    assert et["cooperations"] == []  # the Ain's cooperation is not in Occitanie's scope
    et = login(world.agent_ara).get(reverse("api:establishment", args=[world.et_a.finess])).json()
    assert [c["id"] for c in et["cooperations"]] == [world.coop_ara.pk]
    client = login(world.agent_occ)
    ej = client.get(reverse("api:legal_entity", args=[world.et_c.legal_entity.finess])).json()
    assert world.et_c.finess in {e["finess"] for e in ej["establishments"]}
    assert [c["title"] for c in ej["cooperations"]] == [world.coop_occ.title]
    assert client.get(reverse("api:establishment", args=["999999999"])).status_code == 404
    assert client.get(reverse("api:legal_entity", args=["pas-un-finess"])).status_code == 404


def test_legal_forms(world, login):
    forms = login(world.referent_a).get(reverse("api:legal_forms"), {"page_size": 200}).json()
    codes = {f["code"] for f in forms["results"]}
    assert {"gcs-moyens", "ght"} <= codes


def test_the_schema_validates_and_describes_every_field_in_french(tmp_path, world, login):
    target = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    missing = [
        f"{name}.{prop}"
        for name, component in schema["components"]["schemas"].items()
        for prop, spec in component.get("properties", {}).items()
        if not (spec.get("description") or "$ref" in spec or "allOf" in spec)
    ]
    assert not missing, missing
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            assert operation.get("summary") and operation.get("description"), path
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (path, parameter["name"])
    assert set(schema["components"]["securitySchemes"]) == {"jeton", "session"}
    served = login(world.referent_a).get(reverse("api:schema"))
    assert served.status_code == 200 and b"openapi: 3" in served.content


def test_docs_page_lists_every_operation_with_its_parameters_and_fields(world, login):
    client = login(world.referent_a)
    page = client.get(reverse("api:docs")).content.decode()
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    for path, item in schema["paths"].items():
        operation = item["get"]
        section = page[page.index(f'id="{operation["operationId"]}"') :]
        section = section[: section.index("</section>")]
        assert f"<code>{path}</code>" in section and escape(operation["summary"]) in page
        for parameter in operation.get("parameters", []):
            assert f"<code>{parameter['name']}</code>" in section, (path, parameter["name"])
    # The fields of one cooperation of a paginated list, with their French descriptions.
    listing = page[page.index('id="cooperations_list"') :]
    assert "<code>pilot_ars</code>" in listing[: listing.index("</section>")]
    assert "Console d'essai" in page


def test_console_page_uses_local_assets(world, login):
    page = login(world.referent_a).get(reverse("api:console")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "/static/js/api-docs.js" in page and 'data-schema-url="/api/v1/schema/"' in page
    for external in ("cdn.", "unpkg", "jsdelivr", "googleapis"):
        assert external not in page
