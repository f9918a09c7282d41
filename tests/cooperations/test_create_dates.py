"""Dates are checked when a cooperation is created, and listed in the error summary."""

from cooperations.models import Cooperation


def test_creation_refuses_inverted_and_implausible_dates_with_a_summary(world, login):
    client = login(world.agent_ara)
    before = Cooperation.objects.count()
    response = client.post(
        "/cooperations/nouvelle/",
        {
            "title": "Coopération aux dates fausses",
            "launched_on": "2026-05-01",
            "decided_on": "2026-01-01",
            "starts_on": "9999-01-01",
            "ends_on": "2027-01-01",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    summary = html.split("data-error-summary")[1].split("</div>")[0]
    assert 'href="#id_decided_on"' in summary
    assert "La date de décision ne peut pas précéder la date de lancement." in summary.replace(
        "&#x27;", "'"
    )
    assert 'href="#id_starts_on"' in summary
    assert "Saisissez une date entre le 01/01/1950 et le 31/12/2100." in summary
    assert Cooperation.objects.count() == before
