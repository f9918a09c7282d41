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
