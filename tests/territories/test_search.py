"""Establishment search: what a user finds, and on PostgreSQL that the trigram index serves it."""

import pytest
from django.db import connection

from territories.models import Establishment
from tests.territories.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    return {
        "ch": EstablishmentFactory(name="CH DE BOURG-EN-BRESSE", commune="BOURG-EN-BRESSE"),
        "chu": EstablishmentFactory(name="CHU DE LYON", commune="LYON"),
        "ehpad": EstablishmentFactory(
            name="EHPAD LES TILLEULS", long_name="EHPAD LES TILLEULS DE VIRIAT", commune="VIRIAT"
        ),
        "pharma": EstablishmentFactory(name="PHARMACIE DU CENTRE", commune="OYONNAX"),
    }


def found(term):
    return set(Establishment.objects.search(term).values_list("name", flat=True))


def test_words_match_anywhere_in_name_long_name_or_commune_case_insensitively(register):
    assert found("tilleuls") == {"EHPAD LES TILLEULS"}
    assert found("viriat") == {"EHPAD LES TILLEULS"}  # long name and commune
    assert found("oyonnax pharmacie") == {"PHARMACIE DU CENTRE"}  # every word must match
    assert found("bourg") == {"CH DE BOURG-EN-BRESSE"}


def test_short_words_are_whole_words(register):
    # "CH" is the acronym of a centre hospitalier: it must not bring back every CHU.
    assert found("CH") == {"CH DE BOURG-EN-BRESSE"}
    assert found("ch bourg") == {"CH DE BOURG-EN-BRESSE"}
    assert found("du") == {"PHARMACIE DU CENTRE"}


def test_finess_prefix_searches_the_number(register):
    finess = register["chu"].finess
    assert found(finess[:6]) >= {"CHU DE LYON"}
    assert found(finess) == {"CHU DE LYON"}


def test_finess_of_the_legal_entity_finds_its_establishments(register):
    # Cooperation pages and user profiles show EJ numbers: they must find the sites too.
    entity = register["ehpad"].legal_entity
    assert found(entity.finess) == {"EHPAD LES TILLEULS"}
    assert found(entity.finess[:2] + " " + entity.finess[2:]) == {"EHPAD LES TILLEULS"}


def test_search_page_explains_an_empty_result(register, world, login):
    html = (
        login(world.referent_a).get("/referentiel/etablissements/?q=ehpad+bourg").content.decode()
    )
    assert "Aucun établissement ne correspond à « ehpad bourg »" in html
    assert "0 résultats" not in html
    assert 'class="fr-breadcrumb"' in html
    html = login(world.referent_a).get("/referentiel/etablissements/?q=tilleuls").content.decode()
    assert ">1 résultat<" in html


def test_results_page_lists_matches_in_alphabetical_order(world, login):
    for name in ("EHPAD ZÉPHYR", "EHPAD ARC-EN-CIEL", "EHPAD MIMOSAS", "EHPAD BEAU SITE"):
        EstablishmentFactory(name=name, commune="ROANNE")
    html = (
        login(world.referent_a).get("/referentiel/etablissements/?q=ehpad+roanne").content.decode()
    )
    positions = [
        html.index(name)
        for name in ("EHPAD ARC-EN-CIEL", "EHPAD BEAU SITE", "EHPAD MIMOSAS", "EHPAD ZÉPHYR")
    ]
    assert positions == sorted(positions)


def test_like_wildcards_typed_by_a_user_are_literal(register):
    assert found("%") == set()
    assert found("_") == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="index PostgreSQL uniquement")
def test_postgresql_serves_the_search_from_the_trigram_index(register):
    queryset = Establishment.objects.search("tilleuls viriat").order_by("name", "pk")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Few rows in a test database: forbid the sequential scan to see whether the
        # planner *can* use the index, i.e. that query and index expressions are the same.
        cursor.execute(
            "SELECT 1 FROM pg_indexes WHERE indexname = 'establishment_search_text_trgm'"
        )
        assert cursor.fetchone(), "l'index trigramme n'a pas été créé par les migrations"
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "establishment_search_text_trgm" in plan


def test_accents_and_case_are_ignored_on_both_sides(world):
    EstablishmentFactory(name="CENTRE DE RÉÉDUCATION FONCTIONNELLE", commune="SAINT-ÉTIENNE")
    EstablishmentFactory(name="Pôle Santé mentale des Alpes", commune="Gap")
    EstablishmentFactory(name="EHPAD SOEUR EMMANUELLE", long_name="EHPAD SŒUR EMMANUELLE")
    assert found("reeducation") == {"CENTRE DE RÉÉDUCATION FONCTIONNELLE"}
    assert found("Rééducation saint-etienne") == {"CENTRE DE RÉÉDUCATION FONCTIONNELLE"}
    assert found("sante mentale") == {"Pôle Santé mentale des Alpes"}
    assert found("SANTÉ MENTALE") == {"Pôle Santé mentale des Alpes"}
    assert found("pole") == {"Pôle Santé mentale des Alpes"}
    assert found("sœur") == {"EHPAD SOEUR EMMANUELLE"}


def test_a_finess_without_its_leading_zero_is_found(register):
    from territories.finess import with_check_key

    number = with_check_key("01078005")  # a real-looking number starting with 0
    site = EstablishmentFactory(finess=number, name="CH SANS ZERO")
    assert found(number[1:]) >= {site.name}


def test_an_empty_result_says_which_word_to_drop(register, world, login):
    html = (
        login(world.referent_a)
        .get("/referentiel/etablissements/?q=tilleuls+oyonnax")
        .content.decode()
    )
    assert "Aucun établissement ne correspond à « tilleuls oyonnax »" in html
    assert "« tilleuls »</a> : 1 établissement" in html
    assert "« oyonnax »</a> : 1 établissement" in html
    assert (
        "accents et les majuscules n&#x27;importent pas" in html
        or "accents et les majuscules n'importent pas" in html
    )


def test_results_link_to_the_establishment_page(register, world, login):
    html = login(world.referent_a).get("/referentiel/etablissements/?q=tilleuls").content.decode()
    assert f'href="/referentiel/etablissements/{register["ehpad"].finess}/"' in html


def _names(html: str, candidates) -> list[str]:
    """The candidates the page lists, in the page's order."""
    return sorted((n for n in candidates if f">{n}<" in html), key=lambda n: html.index(f">{n}<"))


def test_a_large_result_is_counted_up_to_a_cap_and_paged_up_to_it(world, login, monkeypatch):
    from territories import views

    names = [f"EHPAD RÉSIDENCE {letter}" for letter in "LKJIHGFEDCBA"]  # 12, created unsorted
    for name in names:
        EstablishmentFactory(name=name, commune="ROANNE")
    client = login(world.referent_a)
    url = "/referentiel/etablissements/?q=ehpad+roanne"
    monkeypatch.setattr(views, "SEARCH_PAGE_SIZE", 3)
    uncapped = client.get(url).content.decode()
    assert ">12 résultats<" in uncapped

    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 5)
    page = client.get(url)
    html = page.content.decode()
    assert "Plus de 5 résultats" in html and ">12 résultats<" not in html
    assert "Seuls les 5 premiers, dans l'ordre alphabétique, sont listés (2 pages)" in html
    # The first page lists the very rows it listed with the exact count.
    assert _names(html, names) == _names(uncapped, names) == sorted(names)[:3]
    assert page.context["page_obj"].paginator.num_pages == 2
    second = client.get(url + "&page=2").content.decode()
    assert _names(second, names) == sorted(names)[3:5]  # up to the cap
    assert "au-delà des 5 premiers" not in second
    beyond = client.get(url + "&page=4").content.decode()
    assert "La page demandée est au-delà des 5 premiers résultats" in beyond
    assert _names(beyond, names) == sorted(names)[3:5]  # the last page listed

    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 12)  # exactly the cap: an exact count
    html = client.get(url).content.decode()
    assert ">12 résultats<" in html and "Plus de" not in html


def test_the_search_page_runs_a_constant_number_of_queries(world, login):
    from tests.queries import count_queries

    client = login(world.referent_a)
    url = "/referentiel/etablissements/?q=ehpad+roanne"
    EstablishmentFactory(name="EHPAD SEUL", commune="ROANNE")
    few = count_queries(client, url)
    for index in range(30):
        EstablishmentFactory(name=f"EHPAD NUMÉRO {index}", commune="ROANNE")
    assert count_queries(client, url) == few


@pytest.mark.skipif(connection.vendor != "postgresql", reason="index PostgreSQL uniquement")
def test_postgresql_serves_the_capped_count_from_the_trigram_index(register):
    from territories.views import SEARCH_COUNT_CAP

    queryset = Establishment.objects.search("tilleuls viriat").order_by()[: SEARCH_COUNT_CAP + 1]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        inner, params = queryset.values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN SELECT COUNT(*) FROM ({inner}) subquery", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "establishment_search_text_trgm" in plan and "Limit" in plan


def test_the_search_column_follows_every_write():
    """`search_text` is computed by the database: a save, a queryset update and a bulk
    create all leave it in step with the name, long name and commune."""
    site = EstablishmentFactory(name="Pôle Santé", long_name="", commune="Gap")
    site.refresh_from_db()
    assert site.search_text == " POLE SANTE  GAP "
    site.name = "Clinique Œdipe"
    site.save()
    assert found("oedipe gap") == {"Clinique Œdipe"}
    assert found("pole") == set()
    Establishment.objects.filter(pk=site.pk).update(commune="Saint-Étienne")
    assert found("oedipe saint-etienne") == {"Clinique Œdipe"}
    Establishment.objects.bulk_create(
        [
            EstablishmentFactory.build(
                name="Hôpital d'Été", commune="Briançon", legal_entity=site.legal_entity
            )
        ]
    )
    assert found("hopital ete briancon") == {"Hôpital d'Été"}


def test_the_finess_import_fills_the_search_column():
    """Both import paths (bulk upsert on SQLite, COPY upsert on PostgreSQL) fill it, on
    creation and on update."""
    from territories.importers import import_finess
    from tests.territories.test_import_finess import SAMPLE

    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    import_finess(lines)
    fleyriat = Establishment.objects.get(finess="010000024")
    assert fleyriat.search_text == (
        " CH DE FLEYRIAT CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT VIRIAT "
    )
    assert found("fleyriat viriat") == {"CH DE FLEYRIAT"}
    renamed = [line.replace(b"CH DE FLEYRIAT;", b"CH D\xc9T\xc9 FLEYRIAT;") for line in lines]
    import_finess(renamed)  # Latin-1: "CH DÉTÉ FLEYRIAT"
    assert Establishment.objects.get(finess="010000024").search_text.startswith(" CH DETE ")
    assert found("dete") == {"CH DÉTÉ FLEYRIAT"}
