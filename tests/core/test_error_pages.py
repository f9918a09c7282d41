"""Error pages are French and in the DSFR shell, with the view's own reason on a 403."""

from django.template import loader


def test_403_shows_the_french_reason_of_the_view(world, login):
    client = login(world.referent_a)
    response = client.get("/kit1/a-valider/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Accès refusé" in html
    assert "Forbidden" not in html
    assert "fr-header" in html
    # The message raised by the view, not a generic one.
    assert 'id="error-reason"' in html


def test_403_from_a_permission_denied_message_is_shown(world, login):
    client = login(world.copil)
    response = client.get("/cooperations/nouvelle/")
    assert response.status_code == 403
    assert "Votre rôle ne permet pas de créer une coopération." in response.content.decode()


def test_404_is_french(world, login):
    client = login(world.referent_a)
    response = client.get(f"/cooperations/{world.coop_occ.pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert "Not Found" not in html
    assert "fr-header" in html


def test_500_renders_without_request_or_context():
    # django.views.defaults.server_error renders the template with no request.
    html = loader.get_template("500.html").render()
    assert "Erreur inattendue" in html
    assert "fr-footer" in html


# --- issue 14: every error page in the French DSFR shell ---------------------------------


def _french_shell(html: str) -> None:
    assert "fr-header" in html and "fr-footer" in html
    assert '<html lang="fr"' in html or 'lang="fr"' in html


def test_405_is_a_french_page_keeping_the_allow_header(world, login):
    client = login(world.referent_a)
    # Adding a COPIL meeting is a form post only.
    response = client.get(f"/suivi/{world.coop_ara.pk}/copil/reunions/")
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    html = response.content.decode()
    assert "Action non prévue sur cette page" in html
    _french_shell(html)


def test_400_template_is_french(rf):
    from django.views.defaults import bad_request

    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = bad_request(request, Exception("requête"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Requête incorrecte" in html
    _french_shell(html)


def test_csrf_failure_explains_the_expired_session_and_offers_to_go_back(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.referent_a, backend="django.contrib.auth.backends.ModelBackend")
    page = f"http://testserver/suivi/{world.coop_ara.pk}/"
    response = client.post(
        f"/suivi/{world.coop_ara.pk}/risques/nouveau/",
        {"title": "Risque saisi avant expiration"},
        HTTP_REFERER=page,
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Votre session a expiré" in html
    assert "Forbidden" not in html and "CSRF verification failed" not in html
    assert f'href="{page}"' in html and "Revenir à la page précédente" in html
    _french_shell(html)
    # A referer from elsewhere is never offered as the way back.
    other = client.post(
        f"/suivi/{world.coop_ara.pk}/risques/nouveau/", {}, HTTP_REFERER="https://evil.example/"
    )
    assert "evil.example" not in other.content.decode()


def test_out_of_scope_page_is_the_french_404_under_debug_too(world, login, settings):
    settings.DEBUG = True
    client = login(world.referent_a)
    response = client.get(f"/cooperations/{world.coop_occ.pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert "Django" not in html and "technical_404" not in html
    _french_shell(html)


def test_403_says_whom_to_ask(world, login, settings):
    settings.NATIONAL_ADMIN_EMAIL = "kitcoop@sante.test"
    client = login(world.copil)
    html = client.get("/cooperations/nouvelle/").content.decode()
    assert "se demande à un agent de l'ARS pilote de la coopération" in html
    assert "écrivez à l'administration nationale de KitCoop" in html
    assert 'href="mailto:kitcoop@sante.test"' in html
