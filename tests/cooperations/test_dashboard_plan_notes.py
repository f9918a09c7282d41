"""Regional dashboard (chart counts equal table counts), plan objectives, ARS private notes."""

import base64
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from cooperations.models import ArsNote, RegionalObjective, Theme, Typology
from demo.plan_objectives import load_plan_objectives
from tests.cooperations.factories import CooperationFactory
from tests.fiches.helpers import steps_of
from tests.queries import count_queries
from tests.territories.factories import ars, departement

pytestmark = pytest.mark.django_db


class _Figures(HTMLParser):
    """Chart images (decoded SVG) and breakdown tables of the dashboard page."""

    def __init__(self):
        super().__init__()
        self.charts, self.tables = {}, {}
        self._table, self._row, self._cell = None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img" and "data-chart" in attrs:
            svg = base64.b64decode(attrs["src"].split(",", 1)[1]).decode()
            self.charts[attrs["data-chart"]] = svg
        if tag == "table" and "data-table" in attrs:
            self._table = attrs["data-table"]
            self.tables[self._table] = []
        if self._table and tag == "tr":
            self._row = []
        if self._row is not None and tag in ("th", "td"):
            self._cell = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        if tag == "tr" and self._row is not None:
            if self._row and self._row[-1].isdigit():
                self.tables[self._table].append(int(self._row[-1]))
            self._row = None
        if tag == "table":
            self._table = None


def _chart_values(svg: str) -> list[int]:
    """The numbers written at the end of each bar (gid value-<i>), in bar order."""
    values = {}
    for index, text in re.findall(r'<g id="value-(\d+)">.*?<text[^>]*>([^<]*)</text>', svg, re.S):
        values[int(index)] = int(text.strip())
    return [values[i] for i in sorted(values)]


def test_dashboard_chart_counts_equal_table_counts(world, login):
    load_plan_objectives()
    imaging = Theme.objects.get(code="imagerie")
    for index in range(5):
        coop = CooperationFactory(
            gcs=index % 2 == 0, departements=[departement("01" if index < 3 else "38")]
        )
        coop.themes.add(imaging)
        coop.typologies.add(Typology.objects.get(code="parcours"))
        coop.plan_objectives.add(RegionalObjective.objects.get(ars=ars("84"), code="SRS-3.1"))
    response = login(world.agent_ara).get(reverse("cooperations:dashboard"))
    page = _Figures()
    page.feed(response.content.decode())
    assert set(page.charts) == {"phase", "typologie", "theme", "forme", "departement", "objectif"}
    for key, svg in page.charts.items():
        assert _chart_values(svg) == page.tables[key], key
    assert sum(page.tables["phase"]) == 6  # five new and coop_ara, all piloted by ARA
    departements = dict(
        zip(
            list(response.context["map_breakdown"].pairs),
            page.tables["departement"],
            strict=True,
        )
    )
    assert departements[next(p for p in departements if p[0].startswith("01 "))] == 4
    objectives = dict(response.context["breakdowns"][-1].pairs)
    assert objectives["SRS-3.1"] == 5 and objectives["SRS-2.1"] == 0
    # The map shades the region's départements with the same numbers.
    tiles = {t["code"]: t["count"] for t in response.context["map"]["tiles"]}
    assert tiles["01"] == 4 and tiles["38"] == 2 and "31" not in tiles
    assert 'data-code="01" data-count="4"' in response.content.decode()


def test_admin_sees_the_country_by_region_and_each_region(world, login):
    client = login(world.admin)
    national = client.get(reverse("cooperations:dashboard"))
    regions = dict(national.context["regions"].pairs)
    assert regions == {"ARS Auvergne-Rhône-Alpes": 1, "ARS Occitanie": 1}
    occitanie = client.get(reverse("cooperations:dashboard"), {"ars": ars("76").pk})
    assert occitanie.context["total"] == 1 and occitanie.context["regions"] is None
    # The dashboard of a region links to that region's GHT page.
    link = f"{reverse('registre:ght_region')}?ars={ars('76').pk}"
    assert link in occitanie.content.decode()
    assert "GHT de la région Occitanie" in client.get(link).content.decode()


def test_dashboard_runs_a_constant_number_of_queries(world, login):
    client = login(world.agent_ara)
    url = reverse("cooperations:dashboard")
    few = count_queries(client, url)
    for _ in range(8):
        CooperationFactory(members=2).themes.add(Theme.objects.first())
    assert count_queries(client, url) == few


def test_plan_objectives_are_edited_by_the_ars_and_filter_the_worklist(world, login):
    client = login(world.agent_ara)
    response = client.post(
        reverse("cooperations:objective_create"),
        {
            "ars": ars("76").pk,  # another ARS: refused, the form offers only the agent's
            "kind": "srs",
            "code": "SRS-9",
            "title": "Coopérer pour les soins palliatifs",
            "starts_year": 2023,
            "ends_year": 2028,
            "order": 1,
        },
    )
    assert (
        response.status_code == 200 and not RegionalObjective.objects.filter(code="SRS-9").exists()
    )
    response = client.post(
        reverse("cooperations:objective_create"),
        {
            "ars": ars("84").pk,
            "kind": "srs",
            "code": "SRS-9",
            "title": "Soins palliatifs",
            "starts_year": 2028,
            "ends_year": 2023,
            "order": 1,
        },
    )
    assert "La fin de la période précède son début." in response.content.decode()
    client.post(
        reverse("cooperations:objective_create"),
        {
            "ars": ars("84").pk,
            "kind": "srs",
            "code": "SRS-9",
            "title": "Soins palliatifs",
            "starts_year": 2023,
            "ends_year": 2028,
            "order": 1,
        },
    )
    objective = RegionalObjective.objects.get(code="SRS-9")
    world.coop_ara.plan_objectives.add(objective)
    rows = client.get(reverse("cooperations:list"), {"objective": objective.pk}).context["rows"]
    assert [r.cooperation.pk for r in rows] == [world.coop_ara.pk]


def test_kit1_step_one_links_the_cooperation_to_plan_objectives(world, login):
    load_plan_objectives()
    step = steps_of(world.coop_ara)[1]
    client = login(world.referent_a)
    page = client.get(reverse("fiches:step", args=[step.pk])).content.decode()
    assert "SRS-3.1 — Mutualiser les plateaux techniques" in page
    assert "SRS-IMG" not in page  # Occitanie's plan
    client.post(
        reverse("fiches:step", args=[step.pk]),
        {"version": step.version, "q_prs": ["SRS-3.1", "SRS-3.3"], "q_besoins": "Des IRM"},
    )
    assert sorted(world.coop_ara.plan_objectives.values_list("code", flat=True)) == [
        "SRS-3.1",
        "SRS-3.3",
    ]
    detail = client.get(world.coop_ara.get_absolute_url()).content.decode()
    assert "SRS-3.3" in detail
    response = client.post(
        reverse("fiches:step", args=[step.pk]),
        # The step's current version (saving then starting the step moved it on).
        {"version": type(step).objects.get(pk=step.pk).version, "q_prs": ["SRS-IMG"]},
    )
    assert "SRS-IMG" in response.content.decode() and response.status_code == 200
    assert world.coop_ara.plan_objectives.count() == 2


def test_ars_private_notes_are_seen_only_by_the_pilot_ars(world, login):
    url = reverse("cooperations:ars_notes", args=[world.coop_ara.pk])
    login(world.agent_ara).post(url, {"body": "Directeur en partance : vigilance."})
    assert ArsNote.objects.get().ars_id == world.coop_ara.pilot_ars_id
    detail = world.coop_ara.get_absolute_url()
    assert "Directeur en partance" in login(world.agent_ara).get(detail).content.decode()
    assert "Directeur en partance" in login(world.admin).get(detail).content.decode()
    for user in (world.referent_a, world.copil):
        html = login(user).get(detail).content.decode()
        assert "Directeur en partance" not in html and "Notes privées" not in html
        assert login(user).get(url).status_code == 403
    assert login(world.agent_occ).get(url).status_code == 404
