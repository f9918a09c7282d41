from django.urls import reverse


def test_selects_offer_a_worded_empty_choice_not_dashes(world, login):
    client = login(world.agent_ara)
    form_page = client.get(reverse("cooperations:create")).content.decode()
    assert "---------" not in form_page
    assert "Sélectionner une option" in form_page

    portfolio = client.get(reverse("cooperations:list")).content.decode()
    assert "---------" not in portfolio
    assert ">Toutes</option>" in portfolio
