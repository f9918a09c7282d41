"""Pages: the answer form, finalising, the compare page, exports, PDF and shared hooks."""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from core.registry import COPIL_SECTIONS
from evalimpact.models import Answer, Evaluation
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.evalimpact.factories import complete_rows, create_evaluation, indicator
from tests.evalimpact.test_evaluations import _save
from tests.territories.factories import departement

pytestmark = pytest.mark.django_db


def _form_data(evaluation, **overrides):
    """What the browser would post: every field of the edit page, current values."""
    data = {
        "e-kind": evaluation.kind,
        "e-evaluated_on": evaluation.evaluated_on.isoformat(),
        "e-comments": evaluation.comments,
        "e-version": evaluation.version,
    }
    data.update(overrides)
    return data


def test_edit_form_refuses_a_percentage_above_100_in_french_and_keeps_the_input(world, login):
    evaluation = create_evaluation(world.coop_ara)
    f4 = indicator(evaluation, "F4")
    f2 = indicator(evaluation, "F2")
    client = login(world.referent_a)
    url = f"/evalimpact/evaluation/{evaluation.pk}/saisie/"
    response = client.post(
        url,
        _form_data(
            evaluation,
            **{
                f"a-{f4.pk}-0-baseline": "12,5",
                f"a-{f4.pk}-0-value": "150",
                f"a-{f2.pk}-0-baseline": "40",
            },
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Un pourcentage doit être compris entre 0 et 100." in html
    assert 'value="150"' in html and 'value="12,5"' in html and 'value="40"' in html
    assert not Answer.objects.filter(evaluation=evaluation, indicator__in=[f2, f4]).exists()


def test_edit_form_refused_takes_the_focus_to_its_error_summary(world, login):
    """A refused save (a value that is not a number, or a stale form) shows its alert at the
    top as the error summary that static/js/kitcoop.js focuses (data-error-summary), as
    every other form does: a keyboard or screen reader user starts there."""
    evaluation = create_evaluation(world.coop_ara)
    f2 = indicator(evaluation, "F2")
    client = login(world.referent_a)
    url = f"/evalimpact/evaluation/{evaluation.pk}/saisie/"
    for data in (
        _form_data(evaluation, **{f"a-{f2.pk}-0-value": "abc"}),
        _form_data(evaluation, **{"e-version": evaluation.version - 1}),
    ):
        html = unescape(client.post(url, data).content.decode())
        summary = html[: html.index("L'enregistrement n'a pas été fait")]
        summary = summary[summary.rindex("<div") :]
        assert "data-error-summary" in summary and 'tabindex="-1"' in summary


def test_edit_form_saves_and_shows_the_score_and_method(world, login):
    evaluation = create_evaluation(world.coop_ara)
    f2 = indicator(evaluation, "F2")
    client = login(world.referent_a)
    response = client.post(
        f"/evalimpact/evaluation/{evaluation.pk}/saisie/",
        _form_data(evaluation, **{f"a-{f2.pk}-0-baseline": "40", f"a-{f2.pk}-0-value": "30"}),
    )
    assert response.status_code == 302
    answer = Answer.objects.get(evaluation=evaluation, indicator=f2)
    assert (answer.baseline, answer.value) == (40, 30)
    html = client.get(f"/evalimpact/evaluation/{evaluation.pk}/").content.decode()
    # 40 → 30 days: −25 %, lower is better → +25 %; F2's thresholds −5/5/20/40 → 3/4
    assert "+25 %" in html
    assert "Axe 1 — Structurer les filières de soins : 75 / 100" in html
    assert "(3 × 1 (F2)) ÷ (1) = 3 sur 4, × 25 = 75 sur 100." in html
    assert "Non comptés (non applicables ou sans réponse) : F1, F3, F4, F5, F6." in html
    # The table beside the radar names its column after the evaluation it shows.
    head = html.split('id="radar-table"', 1)[1].split("</thead>", 1)[0]
    assert f'<th scope="col">Potentiel {evaluation.evaluated_on:%d/%m/%Y}</th>' in head
    # Traceability: who entered which answer.
    history = html.split('id="historique"', 1)[1]
    assert "Création (Réponse F2)" in history
    client.post(
        f"/evalimpact/evaluation/{evaluation.pk}/saisie/",
        _form_data(
            Evaluation.objects.get(pk=evaluation.pk),
            **{f"a-{f2.pk}-0-baseline": "40", f"a-{f2.pk}-0-value": "35"},
        ),
    )
    history = client.get(f"/evalimpact/evaluation/{evaluation.pk}/").content.decode()
    history = history.split('id="historique"', 1)[1]
    assert "Modification (Réponse F2)" in history
    assert re.search(r"<del>30[.,]?0*</del> → <ins>35[.,]?0*</ins>", history), history[:1500]


def test_stale_edit_is_refused_and_input_kept(world, login):
    evaluation = create_evaluation(world.coop_ara)
    f2 = indicator(evaluation, "F2")
    old_version = evaluation.version
    _save(evaluation, {})  # someone else saved meanwhile
    client = login(world.referent_a)
    response = client.post(
        f"/evalimpact/evaluation/{evaluation.pk}/saisie/",
        _form_data(evaluation, **{"e-version": old_version, f"a-{f2.pk}-0-baseline": "41"}),
    )
    html = response.content.decode()
    assert "Quelqu&#x27;un d&#x27;autre a enregistré cette fiche" in html
    assert 'value="41"' in html
    assert not Answer.objects.filter(evaluation=evaluation, indicator=f2).exists()


def test_two_people_saving_at_once_the_second_is_warned_at_the_top_and_keeps_the_input(
    world, login
):
    """The entry page goes through core.forms.save_versioned: the French stale warning in
    the alert at the top of the form, the other person's comment and answer untouched, this
    person's typed values still in the fields; once warned, submitting again saves."""
    evaluation = create_evaluation(world.coop_ara)
    f2 = indicator(evaluation, "F2")
    opened = Evaluation.objects.get(pk=evaluation.pk)  # both pages opened at this version
    _save(evaluation, {}, comments="Commentaire de l'autre")
    client = login(world.referent_a)
    page = f"/evalimpact/evaluation/{evaluation.pk}/saisie/"
    mine = _form_data(
        opened,
        **{"e-comments": "Mon commentaire", f"a-{f2.pk}-0-baseline": "41", "axe": "1"},
    )
    response = client.post(page, mine)
    assert response.status_code == 200
    html = response.content.decode()
    alert = html[html.index('class="fr-alert fr-alert--error') :]
    alert = unescape(alert[: alert.index("</div>")])
    assert "L'enregistrement n'a pas été fait" in alert
    assert "Quelqu'un d'autre a enregistré cette fiche" in alert
    assert "Mon commentaire" in html and 'value="41"' in html
    evaluation.refresh_from_db()
    assert evaluation.comments == "Commentaire de l'autre"
    assert not Answer.objects.filter(evaluation=evaluation, indicator=f2).exists()
    again = dict(response.context["header"].data.items())
    assert again["e-version"] == str(evaluation.version)
    assert client.post(page, again).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.comments == "Mon commentaire"
    assert Answer.objects.get(evaluation=evaluation, indicator=f2).baseline == 41


def test_autosave_keeps_the_valid_answers_and_names_the_ones_waiting(world, login):
    evaluation = create_evaluation(world.coop_ara)
    f2, f4, f5 = (indicator(evaluation, c) for c in ("F2", "F4", "F5"))
    client = login(world.referent_a)
    response = client.post(
        f"/evalimpact/evaluation/{evaluation.pk}/saisie/",
        _form_data(
            evaluation,
            action="autosave",
            axe="1",
            **{
                f"a-{f2.pk}-0-baseline": "40",
                f"a-{f2.pk}-0-value": "30,5",
                f"a-{f4.pk}-0-baseline": "12",
                f"a-{f4.pk}-0-value": "150",  # a percentage above 100: waits
                f"a-{f5.pk}-0-level": "2",  # a level without its justification: waits
            },
        ),
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "Brouillon enregistré automatiquement" in html
    assert "En attente de correction : F4, F5" in html
    evaluation.refresh_from_db()
    assert f'name="e-version" value="{evaluation.version}"' in html  # the next save goes through
    answer = Answer.objects.get(evaluation=evaluation, indicator=f2)
    assert (answer.baseline, answer.value) == (40, Decimal("30.5"))
    assert not Answer.objects.filter(evaluation=evaluation, indicator__in=[f4, f5]).exists()
    # Shown back as people write it, one axis at a time.
    page = client.get(f"/evalimpact/evaluation/{evaluation.pk}/saisie/?axe=1").content.decode()
    assert 'value="30,5"' in page and "30,5000" not in page
    assert f"a-{indicator(evaluation, 'Q1').pk}-0-level" not in page  # axis 2 is elsewhere
    assert 'href="?axe=2#indicateur-Q1"' in page  # the missing answers link to their axis


def test_finalising_from_the_entry_page_gives_one_alert_not_two(world, login):
    evaluation = create_evaluation(world.coop_ara)
    f2 = indicator(evaluation, "F2")
    client = login(world.referent_a)
    response = client.post(
        f"/evalimpact/evaluation/{evaluation.pk}/saisie/",
        _form_data(
            evaluation,
            finalize="1",
            **{f"a-{f2.pk}-0-baseline": "40", f"a-{f2.pk}-0-value": "30"},
        ),
        follow=True,
    )
    html = response.content.decode()
    assert "fr-alert--success" not in html
    assert html.count("fr-alert--error") == 1
    assert "Vos réponses sont enregistrées, mais l’évaluation ne peut pas encore" in html.replace(
        "&#x27;", "’"
    ).replace("'", "’")
    assert 'id="missing-answers"' in html
    assert Answer.objects.get(evaluation=evaluation, indicator=f2).value == 30


def test_finalising_with_missing_answers_lists_them(world, login):
    evaluation = create_evaluation(world.coop_ara)
    client = login(world.agent_ara)
    response = client.post(
        f"/evalimpact/evaluation/{evaluation.pk}/finaliser/",
        {"version": evaluation.version},
        follow=True,
    )
    html = response.content.decode()
    assert "Impossible de rendre l'évaluation définitive : 27 réponse(s) manquante(s)" in html
    assert "F2 — Délai d&#x27;accès au service (la coopération)" in html
    # Per-member rows name the member.
    assert "T1 — Taux d&#x27;absentéisme des personnels concernés (CH ALPHA)" in html
    evaluation.refresh_from_db()
    assert evaluation.status == "draft"


def test_final_evaluation_cannot_be_edited(world, login):
    evaluation = create_evaluation(world.coop_ara)
    _save(evaluation, complete_rows(evaluation))
    evaluation.refresh_from_db()
    client = login(world.referent_a)
    client.post(
        f"/evalimpact/evaluation/{evaluation.pk}/finaliser/", {"version": evaluation.version}
    )
    evaluation.refresh_from_db()
    assert evaluation.status == "final"
    response = client.get(f"/evalimpact/evaluation/{evaluation.pk}/saisie/", follow=True)
    assert "Cette évaluation est définitive : repassez-la en brouillon" in response.content.decode()


def _ara_coop(title, scores=None):
    cooperation = CooperationFactory(title=title, departements=[departement("01")])
    if scores is not None:
        evaluation = create_evaluation(cooperation, on=date(2026, 1, 10))
        Evaluation.objects.filter(pk=evaluation.pk).update(
            axis_scores={str(i + 1): s for i, s in enumerate(scores)}, status="final"
        )
    return cooperation


def test_compare_lists_the_region_with_scores_and_filters(world, login):
    _ara_coop("Stérilisation du Bugey", [75, 50, 25, None])
    _ara_coop("Pharmacie de Bresse", [10, 20, 30, 40])
    client = login(world.agent_ara)
    html = client.get("/evalimpact/comparer/").content.decode()
    assert "Stérilisation du Bugey" in html and "Pharmacie de Bresse" in html
    assert "Biologie Haute-Garonne" not in html  # Occitanie
    row = html.split("Stérilisation du Bugey", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td>([^<]*)</td>", row) == ["75", "50", "25", "n.c."]
    filtered = client.get("/evalimpact/comparer/?q=Pharmacie").content.decode()
    assert "Pharmacie de Bresse" in filtered and "Stérilisation du Bugey" not in filtered
    assert "1 coopération dans le périmètre de votre ARS" in filtered
    # Piloted by Occitanie but concerning the Ain: in the ARA agent's region, so compared too.
    from tests.cooperations.factories import CooperationFactory
    from tests.territories.factories import departement

    CooperationFactory(
        title="Filière Ain-Toulouse",
        in_occitanie=True,
        departements=[departement("31"), departement("01")],
    )
    # Sent with the box unticked: every cooperation of the region, evaluated or not.
    assert "Filière Ain-Toulouse" in client.get("/evalimpact/comparer/?q=").content.decode()
    _ara_coop("Sans évaluation")
    evaluated = client.get("/evalimpact/comparer/?evaluees=1").content.decode()
    assert "Pharmacie de Bresse" in evaluated and "Sans évaluation" not in evaluated
    # The first visit shows the evaluated ones, box ticked, and pages keep that choice.
    first = client.get("/evalimpact/comparer/").content.decode()
    assert "Pharmacie de Bresse" in first and "Sans évaluation" not in first
    assert 'id="id_evaluees" checked' in first
    assert "Filière Ain-Toulouse" not in client.get("/evalimpact/comparer/?page=1").content.decode()


def test_compare_pages_keep_the_filters(world, login, monkeypatch):
    from evalimpact import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    _ara_coop("Pharmacie de Bresse", [10, 20, 30, 40])
    _ara_coop("Pharmacie du Bugey", [10, 20, 30, 40])
    client = login(world.agent_ara)
    html = client.get("/evalimpact/comparer/?q=Pharmacie&evaluees=1").content.decode()
    assert "1 / 2" in html
    assert 'href="?q=Pharmacie&amp;evaluees=1&amp;page=2">Page suivante' in html
    second = client.get("/evalimpact/comparer/?q=Pharmacie&evaluees=1&page=2").content.decode()
    assert 'href="?q=Pharmacie&amp;evaluees=1&amp;page=1">Page précédente' in second


def test_compare_runs_a_constant_number_of_queries(world, login, django_assert_max_num_queries):
    client = login(world.agent_ara)
    _ara_coop("Première", [1, 2, 3, 4])
    client.get("/evalimpact/comparer/")  # warm caches (session, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/evalimpact/comparer/")
    for index in range(8):
        coop = _ara_coop(f"Coopération {index}", [index, 2, 3, 4])
        MembershipFactory(cooperation=coop)
    with CaptureQueriesContext(connection) as many:
        client.get("/evalimpact/comparer/")
    assert len(many) == len(one)


def test_compare_is_refused_to_directors(world, login):
    response = login(world.referent_a).get("/evalimpact/comparer/")
    assert response.status_code == 403


def test_export_neutralises_formulas(world, login):
    cooperation = _ara_coop('=HYPERLINK("http://x")', [10, 20, 30, 40])
    Evaluation.objects.filter(cooperation=cooperation).update(comments="+33 6 00 00 00 00")
    client = login(world.agent_ara)
    content = client.get("/evalimpact/export/?format=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][0] == "Coopération"
    row = next(r for r in rows if "HYPERLINK" in r[0])
    assert row[0] == '\'=HYPERLINK("http://x")'
    assert row[-1] == "'+33 6 00 00 00 00"
    assert row[7:11] == ["10", "20", "30", "40"]
    assert row[4] == "10/01/2026"
    assert not any("Biologie" in r[0] for r in rows)
    xlsx = client.get("/evalimpact/export/?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    row = next(r for r in values if "HYPERLINK" in str(r[0]))
    assert row[0] == '\'=HYPERLINK("http://x")'
    assert sheet.cell(row=values.index(row) + 1, column=1).data_type == "s"
    assert row[7:11] == [10, 20, 30, 40]


def test_pdf_summary_is_one_page_with_scores_and_comments(
    world, login, django_capture_on_commit_callbacks
):
    evaluation = create_evaluation(world.coop_ara, comments="Bilan partagé avec le COPIL de mars.")
    _save(evaluation, complete_rows(evaluation))
    # The project team asks (the read-only COPIL guest may not start a document job).
    client = login(world.referent_a)
    with django_capture_on_commit_callbacks(execute=True):
        requested = client.post(
            f"/evalimpact/cooperation/{world.coop_ara.pk}/synthese/",
            {"request_key": "6f1c7a52-93a4-4c1e-9a55-0d1b6c1f0e2a"},
        )
    status = client.get(requested["Location"]).content.decode()
    download = re.search(r'id="summary-download" href="([^"]+)"', status).group(1)
    response = client.get(download)
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Bilan partagé avec le COPIL de mars." in text
    assert "1. Filières de soins 50" in text
    assert "3. Conditions de travail 32,1" in text


def test_cooperation_page_shows_the_summary_and_copil_section(world, login):
    copil_section = next(s for s in COPIL_SECTIONS if s.key == "evalimpact")
    assert copil_section.get_context(world.coop_ara) is None
    evaluation = create_evaluation(world.coop_ara)
    _save(evaluation, complete_rows(evaluation))
    html = login(world.copil).get(f"/cooperations/{world.coop_ara.pk}/").content.decode()
    summary = html.split("Dernières notes Eval'Impact", 1)[1].split("</table>", 1)[0]
    assert re.search(r"Filières de soins</th><td[^>]*>50</td>", summary)
    context = copil_section.get_context(world.coop_ara)
    assert context["radar_uri"].startswith("data:image/png;base64,")
    assert "Filières de soins 50" in context["radar_alt"]


@pytest.mark.parametrize(
    "url",
    [
        "/evalimpact/evaluation/{evaluation}/",
        "/evalimpact/evaluation/{evaluation}/saisie/",
        "/evalimpact/cooperation/{cooperation}/",
    ],
)
def test_evaluation_pages_run_the_same_queries_for_1_or_5_members(world, login, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    client = login(world.admin)
    for members in (1, 5):
        cooperation = CooperationFactory(members=members)
        evaluation = create_evaluation(cooperation)
        _save(evaluation, complete_rows(evaluation))
        page = url.format(evaluation=evaluation.pk, cooperation=cooperation.pk)
        client.get(page)  # warm the radar cache and the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_cooperation_section_runs_two_queries(world, django_assert_num_queries):
    from evalimpact.hooks import section_context

    for members in (1, 5):
        cooperation = CooperationFactory(members=members)
        create_evaluation(cooperation)
        create_evaluation(cooperation, kind="effective", on=date(2026, 6, 1))
        with django_assert_num_queries(2):  # evaluations, axes
            context = section_context(None, cooperation)
        assert len(context["table"]) == 4


def test_without_a_catalogue_in_force_the_pages_answer_in_french(world, login):
    """As KIT 1 without fiches in force: a French message, never a 500 (the catalogue is
    withdrawn by the admin, or not loaded yet on a new instance)."""
    from evalimpact.models import CatalogueVersion

    evaluation = create_evaluation(world.coop_ara)
    CatalogueVersion.objects.update(is_current=False)
    client = login(world.referent_a)
    client.raise_request_exception = False
    message = "Aucun catalogue d'indicateurs Eval'Impact n'est en vigueur"
    create = f"/evalimpact/cooperation/{world.coop_ara.pk}/nouvelle/"
    for response in (
        client.get(create),
        client.post(create, {"kind": "potential", "evaluated_on": "2026-01-15"}),
    ):
        assert response.status_code == 200
        assert message in response.content.decode().replace("&#x27;", "'")
    assert Evaluation.objects.count() == 1
    # The pages of an evaluation keep its own catalogue.
    for url in (
        f"/evalimpact/cooperation/{world.coop_ara.pk}/",
        f"/evalimpact/evaluation/{evaluation.pk}/",
        f"/evalimpact/evaluation/{evaluation.pk}/saisie/",
        f"/cooperations/{world.coop_ara.pk}/",
    ):
        assert client.get(url).status_code == 200, url
    assert login(world.agent_ara).get("/evalimpact/comparer/").status_code == 200


def test_a_move_without_an_actor_reads_systeme_in_the_evaluation_history(world, login):
    from django.urls import reverse

    from evalimpact.models import EvaluationTransition

    evaluation = create_evaluation(world.coop_ara, user=world.referent_a)
    EvaluationTransition.objects.create(
        evaluation=evaluation, from_state="draft", to_state="final", actor=None
    )
    page = login(world.referent_a).get(reverse("evalimpact:detail", args=[evaluation.pk]))
    assert page.status_code == 200 and "Système : " in page.content.decode()
