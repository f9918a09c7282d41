"""Pages as users see them: French errors, kept input, scope, constant query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.locking import STALE_MESSAGE
from fiches.models import Attachment, StepState
from notifications.models import Notification
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.fiches.helpers import fresh, pdf, steps_of, walk
from tests.queries import count_queries


@pytest.fixture
def steps(world):
    return steps_of(world.coop_ara)


def _url(step):
    return reverse("fiches:step", args=[step.pk])


def test_submit_with_missing_answers_shows_errors_and_keeps_text(world, steps, login):
    client = login(world.referent_a)
    response = client.post(
        _url(steps[1]), {"version": 1, "action": "submit", "q_besoins": "Mes besoins détaillés"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Réponse obligatoire avant de soumettre l&#x27;étape." in html
    assert "Synthèse du diagnostic : Réponse obligatoire" in html
    file_block = html.split('id="file-question-synthese"')[1][:500]
    assert "fr-error-text" in file_block and "Réponse obligatoire" in file_block
    assert "Mes besoins détaillés" in html
    # The answers were saved: the alert says the submission failed, not the saving.
    assert "Soumission impossible" in html and "Enregistrement impossible" not in html
    # The draft was saved anyway.
    assert fresh(steps[1]).answers.get(question__code="besoins").value == "Mes besoins détaillés"


def test_out_of_range_percentage_is_refused_next_to_the_field(world, steps, login):
    for number in range(1, 6):
        walk(steps[number], world.referent_a, world.agent_ara, "validated")
    step = fresh(steps[8])
    response = login(world.referent_a).post(
        _url(step),
        {
            "version": step.version,
            "action": "save",
            "q_part_porteur": "120",
            "q_cles": "Au prorata",
        },
    )
    html = response.content.decode()
    assert "La valeur doit être inférieure ou égale à 100." in html
    assert 'value="120"' in html and "Au prorata" in html
    # Issue 14: the valid answer is saved, the refused one is not; the summary says so.
    saved = dict(fresh(step).answers.exclude(value="").values_list("question__code", "value"))
    assert saved == {"cles": "Au prorata"}
    summary = html.split('id="step-form-errors"')[1].split("</div>")[0]
    assert 'href="#id_q_part_porteur"' in summary
    assert "vos autres réponses le sont" in summary


def test_resubmission_after_return_keeps_valid_answers_and_lists_the_error(world, steps, login):
    """Issue 14, tried as a director: a returned step resubmitted with one invalid field."""
    for number in range(1, 6):
        walk(steps[number], world.referent_a, world.agent_ara, "validated")
    step = walk(steps[8], world.referent_a, world.agent_ara, "returned", "Préciser la clé")
    assert step.state == StepState.RETURNED
    response = login(world.referent_a).post(
        _url(step),
        {
            "version": step.version,
            "action": "submit",
            "q_part_porteur": "1e400",
            "q_cles": "Au prorata des activités",
            "q_budget": "1 250 000,50",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    # A summary at the top of the form, one link per refused field, focus target.
    form_html = html.split('id="step-form"')[1]
    summary = form_html.split('id="step-form-errors"')[1].split("</div>")[0]
    assert form_html.index('id="step-form-errors"') < form_html.index('name="q_cles"')
    assert "data-error-summary" in form_html.split('id="step-form-errors"')[0][-400:]
    assert 'href="#id_q_part_porteur"' in summary and "trop grand" in summary
    assert "Soumission impossible" in summary
    # Every valid answer is kept, in the page and in the database; the step is being worked on.
    saved = dict(fresh(step).answers.values_list("question__code", "value"))
    assert saved["cles"] == "Au prorata des activités"
    assert saved["budget"] == "1250000.5"
    assert saved.get("part_porteur", "") != "1e400"
    assert 'value="1e400"' in html
    assert fresh(step).state == StepState.IN_PROGRESS


def test_a_later_step_is_drafted_while_earlier_ones_await_the_ars(world, steps, login):
    client = login(world.referent_a)
    html = client.get(_url(steps[3])).content.decode()
    assert "Soumission en attente" in html
    assert 'value="save"' in html and 'value="submit"' not in html
    response = client.post(
        _url(steps[3]), {"version": 1, "action": "save", "q_objectifs": "Un plateau commun"}
    )
    assert response.status_code == 302
    assert fresh(steps[3]).answers.get(question__code="objectifs").value == "Un plateau commun"


def test_concurrent_edit_is_refused_and_text_is_kept(world, steps, login):
    client = login(world.referent_a)
    client.post(_url(steps[1]), {"version": 1, "action": "save", "q_besoins": "Version de Paul"})
    response = client.post(
        _url(steps[1]), {"version": 1, "action": "save", "q_besoins": "Version de Léa"}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert STALE_MESSAGE.replace("'", "&#x27;") in html
    assert "Version de Léa" in html
    assert fresh(steps[1]).answers.get(question__code="besoins").value == "Version de Paul"


def test_return_without_reason_shows_a_french_error(world, steps, login):
    step = walk(steps[1], world.referent_a, world.agent_ara, "submitted")
    response = login(world.agent_ara).post(
        reverse("fiches:step_return", args=[step.pk]), {"reason": ""}
    )
    assert "Indiquez le motif" in response.content.decode()
    assert fresh(step).state == StepState.SUBMITTED


def test_refused_ars_decisions_show_the_error_summary_at_the_top_of_their_form(world, steps, login):
    """Return or reopen without a reason: the French error summary (the one kitcoop.js
    focuses, linking to the field) at the top of the decision form, as on every other form,
    not only a red line under the field in the side column (below the answers on a phone)."""
    client = login(world.agent_ara)
    validated = walk(steps[1], world.referent_a, world.agent_ara, "validated")
    submitted = walk(steps[2], world.referent_a, world.agent_ara, "submitted")
    for name, step, data, field_id in (
        ("fiches:step_return", submitted, {"reason": ""}, "id_reason"),
        ("fiches:step_reopen", validated, {"reopen-reason": ""}, "id_reopen-reason"),
    ):
        html = client.post(reverse(name, args=[step.pk]), data).content.decode()
        panel = html[html.index('id="ars-decision"') :]
        summary = panel[panel.index("data-error-summary") :]
        assert "Le formulaire contient des erreurs" in summary[: summary.index("</div>")]
        assert f'href="#{field_id}"' in summary[: summary.index("</div>")]
    assert (fresh(submitted).state, fresh(validated).state) == ("submitted", "validated")


def test_upload_of_a_wrong_file_shows_a_french_error(world, steps, login):
    exe = SimpleUploadedFile("outil.exe", b"MZ\x90\x00", "application/octet-stream")
    response = login(world.referent_a).post(
        reverse("fiches:attachment_upload", args=[steps[1].pk]),
        {"slot": "Autre document", "file": exe},
    )
    assert "Le type du fichier « outil.exe » n&#x27;est pas accepté" in response.content.decode()
    assert not Attachment.objects.exists()


def test_download_is_an_attachment_never_inline(world, steps, login):
    from fiches.services.answers import attachment_add

    attachment = attachment_add(
        step=steps[1], user=world.referent_a, uploaded=pdf("note.pdf"), slot="x"
    )
    response = login(world.copil).get(reverse("fiches:attachment_download", args=[attachment.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["fiches:step", "fiches:step_validate", "fiches:comment_add"])
def test_outsider_gets_404_on_step_urls(world, steps, login, name):
    client = login(world.outsider)
    url = reverse(name, args=[steps[1].pk])
    assert client.get(url).status_code in (404, 405) and client.post(url, {}).status_code == 404


def test_stepper_shows_states_and_lock_reasons(world, steps, login):
    walk(steps[1], world.referent_a, world.agent_ara, "validated")
    walk(steps[2], world.referent_a, world.agent_ara, "returned", reason="Incomplet")
    html = (
        login(world.copil).get(reverse("fiches:stepper", args=[world.coop_ara.pk])).content.decode()
    )
    assert "Étapes validées : 1 sur 15" in html
    assert "Renvoyées : 1" in html
    assert "Verrouillée : étape 2 à valider d'abord" in html  # step 3 needs 1 and 2


def test_queue_and_home_list_submitted_steps_oldest_first(world, login):
    coops = []
    for index in range(3):
        coop = CooperationFactory(title=f"Projet {index}")
        MembershipFactory(cooperation=coop, establishment=world.et_a)
        coops.append(coop)
    for coop in coops:
        walk(steps_of(coop)[1], world.referent_a, world.agent_ara, "submitted")
    walk(steps_of(world.coop_occ)[1], world.referent_c, world.agent_occ, "submitted")
    client = login(world.agent_ara)
    html = client.get(reverse("fiches:queue")).content.decode()
    assert html.index("Projet 0") < html.index("Projet 1") < html.index("Projet 2")
    assert "Biologie Haute-Garonne" not in html
    home = client.get("/").content.decode()
    assert "3</strong> étapes soumises à votre ARS" in home


def test_home_says_plainly_when_no_step_waits(world, login):
    home = login(world.agent_ara).get("/").content.decode()
    assert "Aucune étape n'attend la validation de votre ARS." in home
    assert "0</strong> étape" not in home


def _count(client, url):
    return count_queries(client, url)


def test_queue_and_home_keep_a_constant_query_count(world, login):
    client = login(world.agent_ara)

    def add_submitted(n):
        for index in range(n):
            coop = CooperationFactory(title=f"Projet {index}")
            MembershipFactory(cooperation=coop, establishment=world.et_a)
            walk(steps_of(coop)[1], world.referent_a, world.agent_ara, "submitted")

    add_submitted(1)
    queue_one, home_one = _count(client, reverse("fiches:queue")), _count(client, "/")
    add_submitted(4)
    assert _count(client, reverse("fiches:queue")) == queue_one
    assert _count(client, "/") == home_one


def test_cooperation_page_and_stepper_keep_a_constant_query_count(world, steps, login):
    client = login(world.agent_ara)
    detail = reverse("cooperations:detail", args=[world.coop_ara.pk])
    stepper = reverse("fiches:stepper", args=[world.coop_ara.pk])
    step_url = _url(steps[1])
    before = (_count(client, detail), _count(client, stepper))
    walk(steps[1], world.referent_a, world.agent_ara, "validated")
    walk(steps[2], world.referent_a, world.agent_ara, "validated")
    walk(steps[3], world.referent_a, world.agent_ara, "returned", reason="À revoir")
    assert (_count(client, detail), _count(client, stepper)) == before
    from fiches.services.comments import comment_add

    # With no comment at all Django skips the authors' prefetch: start from one comment.
    comment_add(step=steps[1], user=world.referent_a, body="Première remarque")
    step_before = _count(client, step_url)
    for index in range(4):
        comment_add(step=steps[1], user=world.agent_ara, body=f"Remarque {index}")
    assert _count(client, step_url) == step_before


def test_notifications_page_lists_and_marks_read(world, steps, login):
    walk(steps[1], world.referent_a, world.agent_ara, "returned", reason="Compléter la carte")
    client = login(world.referent_a)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "Étape 1 renvoyée" in html and "Motif : Compléter la carte" in html
    client.post(reverse("notifications:read"))
    assert not Notification.objects.filter(
        recipient=world.referent_a, read_at__isnull=True
    ).exists()


def test_knowledge_base_search(world, login):
    client = login(world.copil)
    html = client.get(reverse("fiches:kb_list"), {"q": "établissement support"}).content.decode()
    assert "Le groupement hospitalier de territoire (GHT)" in html
    assert "Fiscalité et TVA" not in html
    html = client.get(reverse("fiches:kb_list"), {"category": "retour"}).content.decode()
    assert "2 pages" in html
    page = client.get(reverse("fiches:kb_page", args=["forme-gcs"])).content.decode()
    assert "<h2>Droit public ou privé</h2>" in page


def test_chooser_page_ranks_and_team_records(world, login):
    answers = {
        "members_status": "mixed", "sectors": "sanitaire", "ght_context": "no",
        "legal_personality": "yes", "employ_staff": "yes", "authorisation": "equipment",
        "capital": "yes", "duration": "long", "economic": "no", "purpose": "efficience",
        "esms_duty": "no", "domain": "none",
    }  # fmt: skip
    url = reverse("fiches:legal_form_chooser", args=[world.coop_ara.pk])
    html = login(world.agent_ara).get(url, answers).content.decode()
    assert "La plus adaptée" in html and "Écartée" in html
    assert "Enregistrer cette forme" not in html  # the ARS advises, the team decides
    client = login(world.referent_a)
    assert "Enregistrer cette forme" in client.get(url, answers).content.decode()
    response = client.post(
        reverse("fiches:legal_form_record", args=[world.coop_ara.pk]),
        {**answers, "legal_form": "gcs-moyens", "justification": "Plateau IRM partagé."},
    )
    assert response.status_code == 302
    world.coop_ara.refresh_from_db()
    assert world.coop_ara.legal_form.code == "gcs-moyens"
    # An excluded form cannot be recorded.
    response = client.post(
        reverse("fiches:legal_form_record", args=[world.coop_ara.pk]),
        {**answers, "legal_form": "convention"},
    )
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_step_five_links_to_the_legal_form_chooser(world, steps, login):
    client = login(world.referent_a)
    chooser = reverse("fiches:legal_form_chooser", args=[world.coop_ara.pk])
    assert chooser in client.get(_url(steps[5])).content.decode()
    assert chooser not in client.get(_url(steps[4])).content.decode()


def test_step_page_shows_the_catalogue_version_and_revisions(world, steps, login):
    from fiches.services.answers import attachment_add

    attachment_add(step=steps[1], user=world.referent_a, uploaded=pdf("a.pdf"), slot="Synthèse")
    attachment_add(step=steps[1], user=world.referent_a, uploaded=pdf("b.pdf"), slot="Synthèse")
    html = login(world.agent_ara).get(_url(steps[1])).content.decode()
    assert "catalogue v1" in html
    assert "Versions précédentes (1)" in html and "b.pdf" in html


def test_autosave_saves_the_draft_and_returns_the_new_version(world, steps, login):
    client = login(world.referent_a)
    headers = {"HX-Request": "true"}
    response = client.post(
        _url(steps[1]),
        {"version": 1, "action": "autosave", "q_besoins": "Brouillon"},
        headers=headers,
    )
    html = response.content.decode()
    assert "Brouillon enregistré automatiquement" in html
    assert f'name="version" value="{fresh(steps[1]).version}"' in html
    assert fresh(steps[1]).answers.get(question__code="besoins").value == "Brouillon"
    stale = client.post(
        _url(steps[1]), {"version": 1, "action": "autosave", "q_besoins": "Autre"}, headers=headers
    ).content.decode()
    assert "Enregistrement automatique suspendu" in stale
    assert fresh(steps[1]).answers.get(question__code="besoins").value == "Brouillon"


def test_a_decision_taken_on_an_outdated_page_is_refused_and_the_page_shows_the_step_as_is(
    world, steps, login
):
    """The agent's page showed the first submission; meanwhile another agent returned it
    and the team submitted it again: validating from the old page is refused in French,
    the step stays submitted, and the form now carries the version shown, so the next
    click (after reading) goes through."""
    from fiches.services.answers import step_save_answers
    from fiches.services.workflow import step_return, step_submit

    step = walk(steps[1], world.referent_a, world.agent_ara, "submitted")
    client = login(world.agent_ara)
    decision = client.get(_url(step)).content.decode().split('id="ars-decision"')[1]
    assert f'name="version" value="{step.version}"' in decision
    seen = step.version
    step_return(step=fresh(step), user=world.agent_ara, reason="Complétez l'offre.")
    step = fresh(step)
    step_save_answers(
        step=step, user=world.referent_a, values={"offre": "Offre complétée"}, version=step.version
    )
    step_submit(step=fresh(step), user=world.referent_a)
    url = reverse("fiches:step_validate", args=[step.pk])
    response = client.post(url, {"comment": "Vu.", "version": seen})
    html = response.content.decode()
    assert response.status_code == 200
    assert STALE_MESSAGE.split(" : ")[0].replace("'", "&#x27;") in html
    assert "Offre complétée" in html
    step = fresh(step)
    assert step.state == StepState.SUBMITTED
    decision = html.split('id="ars-decision"')[1]
    assert f'name="version" value="{step.version}"' in decision
    assert 'id="id_version"' not in decision  # the answers form has that one
    assert "Vu." in decision  # the comment typed is kept
    response = client.post(url, {"comment": "Vu.", "version": step.version})
    assert response.status_code == 302
    assert fresh(step).state == StepState.VALIDATED


def test_a_move_without_an_actor_reads_systeme_in_the_step_history(world, steps, login):
    """Moves made by a task or loaded as synthetic data have no actor: the history says
    « Système » instead of failing (the bench's national data set has such rows)."""
    from fiches.models import StepTransition

    step = steps[1]
    StepTransition.objects.create(
        step=step,
        from_state="not_started",
        to_state="in_progress",
        actor=None,
        comment="Données synthétiques",
    )
    page = login(world.referent_a).get(_url(step)).content.decode()
    assert "Système : " in page and "Données synthétiques" in page


@pytest.mark.parametrize(
    "name", ["fiches:step_validate", "fiches:step_return", "fiches:step_reopen"]
)
def test_a_decision_address_opened_again_leads_back_to_the_step(world, steps, login, name):
    """After a refused decision the browser stays on the decision's address: Back or a tab
    reopened later (a GET) comes to the step page, not to the 405 page."""
    client = login(world.agent_ara)
    response = client.get(reverse(name, args=[steps[1].pk]))
    assert response.status_code == 302 and response["Location"] == _url(steps[1])
    assert client.put(reverse(name, args=[steps[1].pk])).status_code == 405


def test_a_stale_reopening_is_warned_at_the_top_of_its_form_with_the_reason_kept(
    world, steps, login
):
    """The reopening form (prefixed "reopen") goes through the same versioned path as the
    other decisions: the French stale warning at the top, the reason typed kept, the stored
    version offered so that the next click goes through."""
    from django.db.models import F

    from fiches.models import Step

    step = walk(steps[1], world.referent_a, world.agent_ara, "validated")
    seen = step.version
    Step.objects.filter(pk=step.pk).update(version=F("version") + 1)  # someone saved
    client = login(world.agent_ara)
    url = reverse("fiches:step_reopen", args=[step.pk])
    response = client.post(url, {"reopen-reason": "Motif de réouverture", "reopen-version": seen})
    assert response.status_code == 200
    html = response.content.decode()
    panel = html[html.index('id="ars-decision"') :]
    summary = panel[panel.index("data-error-summary") :]
    assert STALE_MESSAGE.split(" : ")[0].replace("'", "&#x27;") in summary
    assert "Motif de réouverture" in panel
    assert fresh(step).state == StepState.VALIDATED
    again = dict(response.context["reopen_form"].data.items())
    assert again["reopen-version"] == str(seen + 1)
    assert client.post(url, again).status_code == 302
    assert fresh(step).state == StepState.IN_PROGRESS
