"""A director and an ARS agent take a cooperation through the 15 fiches repères, all in
the browser.

Step 1 is walked in detail: a submission with errors, a refused and an accepted upload,
the autosave, the submission, a return with a reason, the resubmission and the validation.
Steps 2 to 15 are then taken in the stepper's order (the first step not validated yet:
its prerequisites are validated, so it is open): `answer_step` reads the step page (which
questions are mandatory, which kind of input each one has, which documents are required),
uploads the documents, fills the answers and submits; the ARS agent validates. Values
come from the page (options of a list, of a yes/no) or, where the page cannot tell, from
the catalogue (bounds of a number, dates that must not precede another one).
"""

import re
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from demo.fiches import DEMO_PDF
from fiches.forms import FIELD_PREFIX, MANDATORY_SUFFIX
from fiches.models import Step, StepState
from fiches.services.questions import applicable_questions

SUBMIT = "Enregistrer et soumettre à l'ARS"
SUBMITTED = "L'étape est soumise à l'ARS pour validation."

# What the answers form shows, one entry per question: its field name, the kind of input
# (textarea, select, radio, date, number), its label, its options and whether it is filled.
_FIELDS_JS = """form => {
  const text = el => el ? el.textContent.trim().replace(/\\s+/g, " ") : "";
  const labelOf = el => text(form.querySelector(`label[for="${el.id}"]`));
  const fields = [];
  for (const el of form.querySelectorAll("[name^='q_']")) {
    if (fields.some(f => f.name === el.name)) continue;
    const group = [...form.querySelectorAll(`[name="${el.name}"]`)];
    if (el.type === "radio") {
      fields.push({name: el.name, kind: "radio", label: text(el.closest("fieldset").querySelector("legend")),
                   options: group.map(labelOf), ids: group.map(r => r.id), filled: group.some(r => r.checked)});
    } else {
      const kind = el.tagName === "SELECT" ? "select" : el.tagName === "TEXTAREA" ? "textarea"
        : el.getAttribute("inputmode") === "decimal" ? "number" : el.type;
      fields.push({name: el.name, kind, label: labelOf(el), filled: el.value !== "",
                   options: kind === "select" ? [...el.options].filter(o => o.value).map(o => o.label) : []});
    }
  }
  return fields;
}"""


def _step_of(page) -> Step:
    pk = int(re.search(r"/kit1/etapes/(\d+)/", page.url).group(1))
    return Step.objects.select_related("cooperation", "fiche").get(pk=pk)


def _date_answer(question, by_pk: dict, start: date) -> str:
    """A date that keeps the catalogue's order: one day after each date it must not precede."""
    rank, earlier = 0, by_pk.get(question.not_before_id)
    while earlier is not None:
        rank, earlier = rank + 1, by_pk.get(earlier.not_before_id)
    return (start + timedelta(days=rank)).isoformat()


def _number_answer(question) -> str:
    """A number inside the catalogue's bounds, typed the French way."""
    low, high = question.min_value, question.max_value
    if low is not None and high is not None:
        value = (low + high) / 2
    elif low is not None:
        value = low + 1
    elif high is not None:
        value = high - 1
    else:
        value = Decimal(1)
    return format(value.normalize(), "f").replace(".", ",")


def answer_step(page) -> tuple[int, set[str]]:
    """On an open step page: upload the mandatory documents, answer every mandatory
    question and submit. Returns the step number shown by the page and the kinds of
    inputs used."""
    heading = page.get_by_role("heading", level=1).inner_text()
    number = int(re.match(r"Étape (\d+)", heading).group(1))
    step = _step_of(page)
    questions = {FIELD_PREFIX + q.code: q for q in applicable_questions(step)}
    by_pk = {q.pk: q for q in questions.values()}
    kinds = set()

    # Documents first: an upload reloads the page, the typed answers would be lost.
    for block in page.locator("[id^='file-question-']").all():
        label = block.locator(".fr-label").inner_text()
        if not label.endswith(MANDATORY_SUFFIX) or block.get_by_text("Déposé :").count():
            continue
        slot = label.removesuffix(MANDATORY_SUFFIX)
        name = re.sub(r"\W+", "-", slot.lower()).strip("-") + ".pdf"
        page.get_by_label("Document concerné").select_option(label=slot)
        page.get_by_label("Fichier").set_input_files(
            {"name": name, "mimeType": "application/pdf", "buffer": DEMO_PDF}
        )
        page.get_by_role("button", name="Déposer le document").click()
        page.wait_for_selector(f"text=« {name} » est déposé (version 1).")
        kinds.add("file")

    form = page.locator("#step-form")
    fields = form.evaluate(_FIELDS_JS)
    assert fields or page.locator("[id^='file-question-']").count(), f"étape {number} vide"
    for field in fields:
        if field["filled"] or MANDATORY_SUFFIX not in field["label"]:
            continue
        question = questions[field["name"]]
        control = form.locator(f"[name='{field['name']}']")
        if field["kind"] == "textarea":
            control.fill(f"{question.label} — réponse de l'équipe projet.")
        elif field["kind"] == "select":
            control.select_option(label=field["options"][0])
        elif field["kind"] == "radio":
            # A DSFR radio is drawn by its label, which takes the click.
            form.locator(f"label[for='{field['ids'][0]}']").click()
            expect(
                form.get_by_role("group", name=field["label"]).get_by_label(
                    field["options"][0], exact=True
                )
            ).to_be_checked()
        elif field["kind"] == "date":
            control.fill(_date_answer(question, by_pk, timezone.localdate()))
        elif field["kind"] == "number":
            control.fill(_number_answer(question))
        else:
            raise AssertionError(f"étape {number} : champ inattendu {field}")
        kinds.add(field["kind"])

    page.get_by_role("button", name=SUBMIT).click()
    errors = page.locator("#step-form-errors")
    expect(errors.or_(page.get_by_text(SUBMITTED))).to_be_visible()
    assert not errors.count(), f"étape {number} : {errors.inner_text()}"
    expect(page.locator("#step-state")).to_have_text("Soumise à l'ARS")
    return number, kinds


def validate_step(agent_page, url: str, number: int) -> None:
    agent_page.goto(url)
    agent_page.get_by_role("button", name="Valider l'étape").click()
    agent_page.wait_for_selector(f"text=L'étape {number} est validée.")


def test_director_and_ars_agent_walk_the_fifteen_steps(
    world, page, browser, browser_login, live_server, screenshot
):
    director, agent = world.referent_a, world.agent_ara
    stepper_url = f"{live_server.url}/kit1/cooperations/{world.coop_ara.pk}/etapes/"

    # The director opens the stepper from the cooperation page.
    browser_login(page, director)
    page.goto(f"{live_server.url}/cooperations/{world.coop_ara.pk}/")
    page.get_by_role("link", name="Ouvrir les fiches repères").click()
    assert "Étapes validées : 0 sur 15" in page.locator("#kit1-stepper").inner_text()
    assert "Verrouillée : étape 1 à valider d'abord" in page.locator("#etape-2").inner_text()
    page.get_by_role("link", name="Diagnostic territorial partagé").click()

    # Submitting too early: French errors next to the fields, the text typed is kept.
    page.get_by_label(re.compile("Quels besoins de la population")).fill(
        "Délais d'IRM de 60 jours dans l'Ain."
    )
    page.get_by_role("button", name=SUBMIT).click()
    # expect() retries: the click starts a navigation that may not have rendered yet.
    errors = page.locator("#step-form-errors")
    expect(errors).to_contain_text("l'étape ne peut pas encore être soumise")
    expect(errors).to_contain_text(
        "Synthèse du diagnostic : Réponse obligatoire avant de soumettre l'étape."
    )
    expect(page.locator("[id$='-desc-error']").first).to_contain_text(
        "Réponse obligatoire avant de soumettre l'étape."
    )
    assert page.get_by_label(re.compile("Quels besoins de la population")).input_value() == (
        "Délais d'IRM de 60 jours dans l'Ain."
    )
    # Issue 14: the summary at the top of the form has the focus, and each of its links
    # puts the focus in the field it names.
    expect(errors).to_be_focused()
    first_link = errors.locator("a[data-error-link]").first
    target = first_link.get_attribute("href")[1:]
    first_link.click()
    assert page.evaluate("document.activeElement.id") in (target, f"{target}_0")
    screenshot(page, "fiches-step-form-errors")

    # Complete the answers and upload the mandatory synthesis.
    page.get_by_label(re.compile("Comment l'offre actuelle")).fill(
        "Deux IRM saturées, aucune garde d'imagerie la nuit."
    )
    # Leaving the field autosaves in the background; the explicit save that follows
    # must carry the new version (no false "someone else edited" warning).
    page.keyboard.press("Tab")
    page.wait_for_selector("text=Brouillon enregistré automatiquement")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_selector("text=Vos réponses sont enregistrées (brouillon).")
    page.get_by_label("Document concerné").select_option(label="Synthèse du diagnostic")
    page.get_by_label("Fichier").set_input_files(
        {"name": "synthese.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00"}
    )
    page.get_by_role("button", name="Déposer le document").click()
    expect(page.locator("main")).to_contain_text("n'est pas accepté")
    page.get_by_label("Document concerné").select_option(label="Synthèse du diagnostic")
    page.get_by_label("Fichier").set_input_files(
        {"name": "synthese.pdf", "mimeType": "application/pdf", "buffer": DEMO_PDF}
    )
    page.get_by_role("button", name="Déposer le document").click()
    page.wait_for_selector("text=« synthese.pdf » est déposé (version 1).")
    page.get_by_role("button", name=SUBMIT).click()
    page.wait_for_selector(f"text={SUBMITTED}")
    assert page.locator("#step-state").text_content() == "Soumise à l'ARS"

    # The ARS agent finds it on the home page and sends it back with a reason.
    agent_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    agent_page = agent_context.new_page()
    agent_page.set_default_timeout(15000)
    browser_login(agent_page, agent)
    queue = agent_page.locator("#kit1-queue").inner_text()
    assert "1 étape soumise à votre ARS" in queue
    agent_page.get_by_role("link", name="Étape 1 — Diagnostic territorial partagé").click()
    agent_page.get_by_role("button", name="Renvoyer à l'équipe projet").click()
    expect(agent_page.locator("main")).to_contain_text("Indiquez le motif")
    agent_page.get_by_label("Motif").fill("Ajoutez les flux de patients vers Lyon.")
    agent_page.get_by_role("button", name="Renvoyer à l'équipe projet").click()
    agent_page.wait_for_selector("text=L'étape 1 est renvoyée à l'équipe projet.")

    # The director sees the reason, completes and resubmits.
    page.reload()
    assert (
        "Motif : Ajoutez les flux de patients vers Lyon."
        in page.locator("#step-returned").inner_text()
    )
    page.get_by_label(re.compile("Comment l'offre actuelle")).fill(
        "Deux IRM saturées ; 30 % des patients partent vers Lyon."
    )
    page.get_by_role("button", name=SUBMIT).click()
    page.wait_for_selector(f"text={SUBMITTED}")

    agent_page.reload()
    agent_page.get_by_label("Commentaire (facultatif)").fill("Diagnostic complet, merci.")
    agent_page.get_by_role("button", name="Valider l'étape").click()
    agent_page.wait_for_selector("text=L'étape 1 est validée.")
    journal = agent_page.locator("#journal + ol").inner_text()
    assert "Renvoyée" in journal and "Ajoutez les flux de patients vers Lyon." in journal

    # Steps 2 to 15, in the stepper's order: the director answers, the agent validates.
    walked, kinds = [1], set()
    for validated in range(1, 15):
        page.goto(stepper_url)
        stepper = page.locator("#kit1-stepper")
        expect(stepper).to_contain_text(f"Étapes validées : {validated} sur 15")
        row = page.locator("#kit1-steps tbody tr").filter(has_not_text="Validée").first
        assert "Verrouillée" not in row.inner_text()
        row.get_by_role("link").click()
        number, used = answer_step(page)
        validate_step(agent_page, page.url, number)
        walked.append(number)
        kinds |= used
    agent_context.close()
    assert walked == list(range(1, 16))
    assert kinds == {"textarea", "radio", "select", "date", "number", "file"}

    page.goto(stepper_url)
    expect(page.locator("#kit1-stepper")).to_contain_text("Étapes validées : 15 sur 15")
    # The DSFR draws the progress bar for 8 steps at most: check that all 15 are drawn.
    bar = page.locator("#kit1-stepper .fr-stepper__steps").evaluate(
        "el => [getComputedStyle(el).getPropertyValue('--steps'),"
        " getComputedStyle(el).getPropertyValue('--current-step'),"
        " getComputedStyle(el).backgroundSize]"
    )
    assert [bar[0].strip(), bar[1].strip()] == ["15", "15"], bar
    screenshot(page, "fiches-stepper-complete")
    assert Step.objects.filter(cooperation=world.coop_ara, state=StepState.VALIDATED).count() == 15
