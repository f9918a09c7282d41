"""The radar plots exactly the numbers of the table beside it, and is drawn once per content."""

import base64
import re
from unittest import mock

import pytest
from django.core.cache import cache

from evalimpact.services import radar
from tests.cooperations.factories import CooperationFactory
from tests.evalimpact.factories import complete_rows, create_evaluation
from tests.evalimpact.test_evaluations import _save

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated_coop(world):
    """coop_ara with a final potential and a draft effective evaluation."""
    potential = create_evaluation(world.coop_ara, kind="potential")
    _save(potential, complete_rows(potential))
    effective = create_evaluation(
        world.coop_ara, kind="effective", on=potential.evaluated_on.replace(year=2027)
    )
    _save(
        effective,
        complete_rows(
            effective, {"F5": {"level": 1, "justification": "Peu de protocoles signés."}}
        ),
    )
    return world.coop_ara


def _svg_from_page(html: str) -> str:
    match = re.search(r'id="radar" src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert match, "le radar n'est pas dans la page"
    return base64.b64decode(match.group(1)).decode()


def _table_cells(html: str) -> list[list[str]]:
    table = html.split('id="radar-table"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        re.findall(r'<td class="kc-score">([^<]*)</td>', row) for row in body.split("</tr>")[:-1]
    ]


def _plotted_labels(svg: str, key: str, count: int = 4) -> list[str]:
    values = []
    for index in range(count):
        # The label's group holds its white background box, then its text.
        group = re.search(rf'<g id="value-{key}-{index}">.*?<text[^>]*>([^<]*)</text>', svg, re.S)
        assert group, f"valeur {key}-{index} absente du radar"
        values.append(group.group(1).strip())
    return values


def test_radar_plots_the_numbers_of_the_table(evaluated_coop, login, world):
    client = login(world.agent_ara)
    html = client.get(f"/evalimpact/cooperation/{evaluated_coop.pk}/").content.decode()
    svg = _svg_from_page(html)
    rows = _table_cells(html)
    assert len(rows) == 4 and all(len(r) == 2 for r in rows)
    potential = _plotted_labels(svg, "potential")
    effective = _plotted_labels(svg, "effective")
    assert potential == [r[0] for r in rows]
    assert effective == [r[1] for r in rows]
    # And those are the stored axis scores: axis 1 of the potential is 50 (see test_evaluations).
    assert potential[0] == "50"
    # Effective F5 at level 1 instead of 3: (3+0+3+0+1+3)/6 × 25 = 41,7
    assert effective[0] == "41,7"
    # The alt text states the four scores of each series.
    alt = re.search(r'id="radar" src="[^"]+" alt="([^"]+)"', html).group(1)
    assert "Filières de soins 50 ; Qualité et sécurité" in alt
    assert "Filières de soins 41,7" in alt


def test_an_unknown_axis_is_a_gap_not_a_zero():
    data = radar.RadarData(
        ("A", "B", "C", "D"),
        (radar.Series("potential", "Impact potentiel", (10.0, 20.5, None, 100.0)),),
    )
    import matplotlib.pyplot as plt

    captured = {}
    real_savefig = plt.Figure.savefig

    def spy(fig, *args, **kwargs):
        lines = {ln.get_gid(): ln for ln in fig.axes[0].get_lines() if ln.get_gid()}
        captured["lines"] = {gid: list(ln.get_ydata()) for gid, ln in lines.items()}
        captured["styles"] = {gid: ln.get_linestyle() for gid, ln in lines.items()}
        captured["points"] = [
            list(ln.get_ydata())
            for ln in fig.axes[0].get_lines()
            if ln.get_linestyle() == "None" and len(ln.get_ydata())
        ]
        captured["texts"] = {t.get_gid(): t.get_text() for t in fig.axes[0].texts}
        return real_savefig(fig, *args, **kwargs)

    with mock.patch.object(plt.Figure, "savefig", spy):
        radar.draw(data, "svg")
    # Edges only between known neighbours (A–B and D–A): nothing is drawn towards C's centre.
    gap = captured["lines"].pop("radar-gap-2")
    assert captured["lines"] == {
        "radar-potential-0": [10.0, 20.5],
        "radar-potential-3": [100.0, 10.0],
    }
    # C's sector is outlined in grey dashes, out to the rim.
    assert captured["styles"]["radar-gap-2"] == "--" and max(gap) == 100
    assert captured["points"] == [[10.0, 20.5, 100.0]]  # no point on the unknown axis
    assert captured["texts"]["value-potential-2"] == "n.c."
    assert [captured["texts"][f"value-potential-{i}"] for i in (0, 1, 3)] == ["10", "20,5", "100"]


def test_a_radar_with_an_unknown_axis_looks_right(tmp_path):
    """Written to a PNG for a look (pytest --basetemp): the gap, the n.c. label, the legend."""
    data = radar.RadarData(
        ("Filières de soins", "Qualité et sécurité", "Conditions de travail", "Efficience"),
        (
            radar.Series("potential", "Impact potentiel (15/05/2016)", (62.5, 58.3, None, 70.0)),
            radar.Series("effective", "Impact effectif (30/06/2025)", (60.0, 55.0, None, 45.8)),
        ),
    )
    png = radar.draw(data, "png")
    (tmp_path / "radar-gap.png").write_bytes(png)
    assert png.startswith(b"\x89PNG")
    svg = radar.draw(data, "svg").decode()
    assert radar.GAP_LEGEND in svg


def test_an_unchanged_radar_is_never_redrawn():
    cache.clear()
    data = radar.RadarData(
        ("A", "B", "C", "D"), (radar.Series("potential", "P", (1.0, 2.0, 3.0, 4.0)),)
    )
    with mock.patch.object(radar, "draw", wraps=radar.draw) as draw:
        first = radar.render(data)
        second = radar.render(data)
        assert draw.call_count == 1
        assert first == second
        radar.render(
            radar.RadarData(
                data.axis_labels, (radar.Series("potential", "P", (1.0, 2.0, 3.0, 5.0)),)
            )
        )
        assert draw.call_count == 2
        radar.render(data, "png")
        assert draw.call_count == 3


def test_page_reuses_the_cached_radar(evaluated_coop, login, world):
    client = login(world.agent_ara)
    client.get(f"/evalimpact/cooperation/{evaluated_coop.pk}/")
    with mock.patch.object(radar, "draw", wraps=radar.draw) as draw:
        client.get(f"/evalimpact/cooperation/{evaluated_coop.pk}/")
        assert draw.call_count == 0


def test_no_evaluation_no_radar(login, world):
    cooperation = CooperationFactory()
    html = login(world.admin).get(f"/evalimpact/cooperation/{cooperation.pk}/").content.decode()
    assert 'id="radar"' not in html
    assert "Aucune évaluation pour l'instant." in html


def test_a_saved_evaluation_has_its_radars_drawn_before_the_first_view(
    world, login, django_capture_on_commit_callbacks
):
    cache.clear()
    evaluation = create_evaluation(world.coop_ara)
    with django_capture_on_commit_callbacks(execute=True):
        _save(evaluation, complete_rows(evaluation))
    client = login(world.agent_ara)
    with mock.patch.object(radar, "draw", wraps=radar.draw) as draw:
        assert client.get(f"/evalimpact/cooperation/{world.coop_ara.pk}/").status_code == 200
        assert client.get(f"/evalimpact/evaluation/{evaluation.pk}/").status_code == 200
        assert draw.call_count == 0  # both served from the cache filled by the task
