"""The synthetic national dataset: valid, realistic, importable, all-or-nothing."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from cooperations.models import Cooperation, Membership
from demo import synthetic
from demo.synthetic import (
    OVERSEAS_NUMBER_PREFIX,
    EntityRow,
    EstablishmentGenerator,
    EstablishmentRow,
    allocate,
    finess_line,
    load_geography,
)
from fiches.models import Step
from territories.finess import finess_error
from territories.importers import import_finess
from territories.models import Establishment, LegalEntity


@pytest.fixture(scope="module")
def rows(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():  # reads the départements (data migration)
        return list(EstablishmentGenerator(7, load_geography()).rows(6000))


def test_allocation_keeps_the_total_and_gives_every_departement_a_share():
    shares = allocate(1000, [1, 1, 2, 96])
    assert sum(shares) == 1000
    assert min(shares) >= 1
    assert shares[3] > 900
    assert sum(allocate(3, [5, 1, 1, 1])) == 3


def test_every_finess_number_is_valid_unique_and_in_its_departement(rows):
    establishments = [r for r in rows if isinstance(r, EstablishmentRow)]
    entities = [r for r in rows if isinstance(r, EntityRow)]
    assert len(establishments) == 6000
    numbers = [r.finess for r in establishments] + [r.finess for r in entities]
    assert len(numbers) == len(set(numbers))
    assert [n for n in numbers if finess_error(n)] == []
    for row in establishments:
        # Numbers start like the real ones of their département (9805… for Mayotte).
        assert row.finess.startswith(row.geography.number_prefix)
        assert row.geography.number_prefix == OVERSEAS_NUMBER_PREFIX.get(
            row.geography.code, row.geography.code
        )
    assert {r.geography.code for r in establishments} >= {"01", "2A", "2B", "971", "976"}


def test_the_mix_follows_the_national_register(rows):
    establishments = [r for r in rows if isinstance(r, EstablishmentRow)]
    categories = Counter(r.category.code for r in establishments)
    # Pharmacies are about a fifth of the register, EHPAD about 7.6 %.
    assert 0.17 < categories["620"] / 6000 < 0.24
    assert 0.05 < categories["500"] / 6000 < 0.10
    statuses = Counter(r.legal_status for r in establishments)
    assert set(statuses) == {"public", "prive_non_lucratif", "prive_lucratif"}
    # The most populated départements get the most establishments (SAE 2022 weights).
    by_dep = Counter(r.geography.code for r in establishments)
    assert by_dep["59"] > by_dep["48"]


def test_an_entity_owns_sites_of_its_own_departement_and_status(rows):
    establishments = [r for r in rows if isinstance(r, EstablishmentRow)]
    for row in establishments:
        assert row.entity.geography is row.geography
        assert row.legal_status == row.entity.legal_status
    sizes = Counter(id(r.entity) for r in establishments)
    assert max(sizes.values()) > 3  # some groups own several sites
    assert all(sizes[id(r.entity)] == 1 for r in establishments if r.category.code == "620")


def test_an_extract_line_has_the_32_official_fields_in_latin1(rows):
    row = next(r for r in rows if isinstance(r, EstablishmentRow))
    line = finess_line(row)
    assert synthetic.check_extract_line(line) is None
    fields = line.split(";")
    assert fields[0] == "structureet" and fields[1] == row.finess
    assert fields[2] == row.entity.finess
    line.encode("latin-1")


def test_the_written_extract_is_imported_without_a_single_rejection(db, tmp_path):
    path = tmp_path / "finess.csv"
    report = synthetic.write_finess_extract(path, 400, seed=3)
    assert report.finess_lines == 400
    content = path.read_bytes()
    assert content.startswith(b"finess;etalab;400;")
    assert b"\r\n" in content
    content.decode("latin-1")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # accented names really are Latin-1
    with path.open("rb") as handle:
        imported = import_finess(handle)
    assert imported.rejected == 0, imported.rejected_lines[:3]
    assert imported.created == 400
    assert imported.geolocations == report.geolocation_lines > 0
    assert Establishment.objects.count() == 400


@pytest.fixture
def dataset(db, tmp_path):
    path = tmp_path / "finess.csv"
    report = synthetic.generate(
        establishments=600, cooperations=40, seed=11, finess_file=path, directors=5
    )
    return report, path


def test_generate_loads_the_register_cooperations_and_accounts(dataset):
    report, path = dataset
    assert Establishment.objects.count() == report.establishments == 600
    assert LegalEntity.objects.count() == report.legal_entities
    assert Cooperation.objects.count() == report.cooperations == 40
    assert Membership.objects.count() == report.memberships
    assert User.objects.filter(role=Role.ARS_AGENT).count() == 18
    assert User.objects.filter(role=Role.REFERENT).count() == 5
    assert set(report.kits) == {"fiches", "conventions", "evalimpact", "suivi"}
    # The extract lists exactly the establishments of the database.
    lines = path.read_text(encoding="latin-1").splitlines()[1:]
    numbers = {line.split(";")[1] for line in lines if line.startswith("structureet")}
    assert numbers == set(Establishment.objects.values_list("finess", flat=True))


def test_synthetic_kit3_cooperations_have_their_tracking_dates(dataset):
    """The generator bulk-creates activities (no signal): it refreshes the dates itself."""
    from django.db.models import Min

    from suivi.models import Activity, TrackingDates

    first = dict(
        Activity.objects.order_by()
        .values("cooperation")
        .annotate(first=Min("created_at"))
        .values_list("cooperation", "first")
    )
    assert first  # the generator tracked some cooperations
    stored = dict(TrackingDates.objects.values_list("cooperation", "started_at"))
    assert stored == first


def test_cooperations_are_consistent_and_valid(dataset):
    for cooperation in Cooperation.objects.prefetch_related("departements", "memberships"):
        cooperation.full_clean()
        departements = list(cooperation.departements.all())
        assert cooperation.pilot_ars_id == departements[0].ars_id
        assert {d.ars_id for d in departements} == {cooperation.pilot_ars_id}
        members = list(cooperation.memberships.all())
        assert [m.role for m in members].count("porteur") == 1
        for membership in members:
            membership.full_clean()
        if cooperation.decided_on:
            assert cooperation.decided_on >= cooperation.launched_on
    # Every creation is in the history, with a reason.
    assert Cooperation.history.count() == 40
    assert set(Cooperation.history.values_list("history_change_reason", flat=True)) == {
        "Jeu de données synthétique (banc de performance)"
    }
    assert Membership.history.count() == Membership.objects.count()


def test_synthetic_accounts_see_their_own_cooperations(dataset, client):
    agent = User.objects.get(username="synth.agent.84")
    visible = Cooperation.objects.visible_to(agent)
    assert visible.exists()
    assert not visible.exclude(pilot_ars=agent.ars).exclude(departements__ars=agent.ars).exists()
    director = User.objects.get(username="synth.directeur.001")
    assert Cooperation.objects.visible_to(director).exists()
    response = client.post(
        "/connexion/",
        {"username": "synth.directeur.001", "password": synthetic.SYNTHETIC_PASSWORD},
    )
    assert response.status_code == 302
    assert response.wsgi_request.user == director


def test_a_second_run_is_refused_in_french(dataset):
    with pytest.raises(synthetic.SyntheticDataExists, match="déjà chargées"):
        synthetic.generate(establishments=10, cooperations=1)
    with pytest.raises(CommandError, match="utilisez une base neuve"):
        call_command(
            "generate_synthetic", "--establishments", "10", "--cooperations", "1",
            stdout=io.StringIO(),
        )  # fmt: skip


def test_numbers_already_in_the_database_are_never_reused(db):
    first = next(
        r for r in EstablishmentGenerator(5, load_geography()).rows(1) if isinstance(r, EntityRow)
    )
    existing = LegalEntity.objects.create(finess=first.finess, name="DÉJÀ LÀ")
    synthetic.generate(establishments=50, cooperations=0, seed=5, directors=0)
    assert LegalEntity.objects.filter(finess=existing.finess).count() == 1
    assert LegalEntity.objects.get(finess=existing.finess).name == "DÉJÀ LÀ"


def test_a_failure_leaves_nothing_behind(db, tmp_path, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(synthetic, "load_users", broken)
    path = tmp_path / "finess.csv"
    with pytest.raises(RuntimeError):
        synthetic.generate(establishments=100, cooperations=5, finess_file=path)
    assert Establishment.objects.count() == 0
    assert Cooperation.objects.count() == 0
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_command_reports_in_french_and_checks_its_arguments(db, tmp_path):
    out = io.StringIO()
    path = tmp_path / "extrait.csv"
    call_command(
        "generate_synthetic", "--establishments", "150", "--cooperations", "6",
        "--finess-file", str(path), stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "150 établissements" in text
    assert "6 coopérations" in text
    assert "Extrait FINESS écrit" in text and "150 lignes structureet" in text
    with pytest.raises(CommandError, match="au moins 1"):
        call_command("generate_synthetic", "--establishments", "0", stdout=io.StringIO())
    with pytest.raises(CommandError, match="demande --finess-file"):
        call_command("generate_synthetic", "--finess-only", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Dossier introuvable"):
        call_command(
            "generate_synthetic", "--finess-file", str(tmp_path / "absent" / "x.csv"),
            stdout=io.StringIO(),
        )  # fmt: skip


def test_finess_only_writes_the_file_and_touches_no_table(db, tmp_path):
    path = tmp_path / "seul.csv"
    call_command(
        "generate_synthetic", "--finess-only", "--establishments", "80",
        "--finess-file", str(path), stdout=io.StringIO(),
    )  # fmt: skip
    assert Establishment.objects.count() == 0
    assert sum(1 for line in path.open("rb") if line.startswith(b"structureet")) == 80


def test_each_kit_generator_receives_the_cooperations_and_its_count_is_reported(db, monkeypatch):
    calls = []

    def generate(cooperation_ids, rng, batch_size):
        calls.append(sorted(cooperation_ids))
        return 3

    monkeypatch.setitem(synthetic.KIT_GENERATORS, "suivi", generate)
    report = synthetic.generate(establishments=120, cooperations=4, directors=0)
    assert calls == [sorted(Cooperation.objects.values_list("pk", flat=True))]
    assert report.kits["suivi"] == "3 objets créés"
    assert report.kits["conventions"] == "ignoré : pas de générateur pour ce kit"


def test_a_kit_that_does_not_fit_is_skipped_and_the_rest_is_kept(db, monkeypatch):
    def broken(cooperation_ids, rng, batch_size):
        raise LookupError("modèle absent")

    monkeypatch.setitem(synthetic.KIT_GENERATORS, "fiches", broken)
    report = synthetic.generate(establishments=120, cooperations=4, directors=0)
    assert report.kits["fiches"] == "ignoré : LookupError (modèle absent)"
    assert Cooperation.objects.count() == 4


def test_kit1_steps_follow_the_phase_of_the_cooperation(dataset):
    report, _path = dataset
    assert report.kits["fiches"].endswith("objets créés")
    assert Step.objects.count() == int(report.kits["fiches"].split()[0])
    for cooperation in Cooperation.objects.all():
        states = list(
            Step.objects.filter(cooperation=cooperation)
            .order_by("number")
            .values_list("state", flat=True)
        )
        validated = synthetic.VALIDATED_STEPS_BY_PHASE[cooperation.phase]
        assert states[: min(validated, len(states))] == ["validated"] * min(validated, len(states))
        assert "validated" not in states[validated:]
    # The ARS queue sorts submitted steps by date: the workflow's timestamps are set.
    submitted = Step.objects.filter(state__in=["submitted", "validated", "returned"])
    assert submitted.exists() and not submitted.filter(submitted_at__isnull=True).exists()
    assert not Step.objects.filter(state="not_started", started_at__isnull=False).exists()
    decided = Step.objects.filter(state__in=["validated", "returned"])
    assert all(s.started_at < s.submitted_at < s.decided_at for s in decided)


def test_without_the_sae_file_every_departement_still_gets_communes(db, tmp_path):
    geographies = load_geography(tmp_path / "absent.csv")
    assert len(geographies) == 101
    assert {g.weight for g in geographies} == {1.0}
    assert all(len(g.communes) == 5 for g in geographies)
    rows = list(EstablishmentGenerator(1, geographies).rows(202))
    assert sum(isinstance(r, EstablishmentRow) for r in rows) == 202


def test_the_national_json_flux_is_written_in_the_official_format_and_imports_cleanly(db, tmp_path):
    import json

    from demo.synthetic import write_structures_json
    from territories.importers import import_register_file

    path = tmp_path / "finess-structures.json"
    report = write_structures_json(path, 800, seed=3)
    data = json.loads(path.read_text())
    assert list(data)[:5] == ["schemaVersion", "generatedAt", "gcc", "gco", "pmej"]
    assert report.json_establishments == 800 and report.json_ght == 136
    entity = data["pmej"][0]
    assert set(entity) >= {"informationsGeneralesPMEJ", "adresse", "ege", "etatObjet"}
    assert {a["cogCommune"][:3] for e in data["pmej"] for a in e["adresse"]} >= {"971", "976"}
    imported = import_register_file(path)
    assert imported.rejected == 0 and imported.without_ars == 0
    assert imported.created == 800 and imported.entities_created == report.json_entities
    assert imported.counts["register_ght_created"] == 136
    assert imported.counts["register_groupements_created"] == report.json_groupements
    assert imported.counts.get("register_groupements_unresolved", 0) == 0


def test_every_module_constant_of_the_generator_is_used():
    """A constant nobody reads misleads the next reader (OVERSEAS_COG duplicated
    territories.geography.FINESS_OVERSEAS while _cog reads the département's own code)."""
    import ast
    from pathlib import Path

    source = Path(synthetic.__file__)
    tree = ast.parse(source.read_text(encoding="utf-8"))
    constants = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name) and target.id.isupper()
    }
    read_here = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
    root = source.parent.parent
    elsewhere = " ".join(
        path.read_text(encoding="utf-8")
        for folder in ("demo", "bench", "tests", "scripts")
        if (root / folder).is_dir()
        for path in (root / folder).rglob("*.py")
        if path not in (source, Path(__file__))  # this test names the one it caught
    )
    unused = sorted(name for name in constants - read_here if name not in elsewhere)
    assert unused == []


def test_every_step_and_evaluation_past_its_first_state_has_its_history(dataset):
    """A synthetic object created in a later state gets one log row from its first state to
    its own (by no one, "Données synthétiques", dated by the object), so its history page
    is not empty; an object still in its first state has none."""
    from evalimpact.models import Evaluation

    for model, field, initial, when in (
        (Step, "state", "not_started", lambda s: s.decided_at or s.submitted_at or s.started_at),
        (Evaluation, "status", "draft", lambda e: e.evaluated_on),
    ):
        moved = model.objects.exclude(**{field: initial}).prefetch_related("transitions")
        assert moved.exists()
        for obj in moved:
            [log] = obj.transitions.all()
            assert (log.from_state, log.to_state, log.actor, log.comment) == (
                initial,
                getattr(obj, field),
                None,
                synthetic.SYNTHETIC_MOVE,
            )
            expected = when(obj)
            assert (log.at.date() if model is Evaluation else log.at) == expected
        assert not model.objects.filter(**{field: initial}, transitions__isnull=False).exists()


def test_the_history_of_synthetic_objects_is_written_in_bulk(db):
    """A few inserts and an update per batch for each log, never a query per object (the
    database's own limit may split an insert: SQLite takes 999 parameters)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evalimpact.models import EvaluationTransition
    from fiches.models import StepTransition

    report = synthetic.generate(establishments=200, cooperations=30, directors=0, with_kits=False)
    ids = list(Cooperation.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as captured:
        synthetic.load_kits(cooperation_ids=ids, seed=3, batch_size=2000, report=report)
    assert report.kits["fiches"].endswith("objets créés"), report.kits
    for log in (StepTransition, EvaluationTransition):
        table = f'"{log._meta.db_table}"'
        writes = [
            q["sql"]
            for q in captured
            if q["sql"].startswith(("INSERT", "UPDATE")) and table in q["sql"].split("(")[0]
        ]
        moved = log.objects.count()
        assert moved >= 5, log
        assert 2 <= len(writes) <= 2 + moved // 100, (log, moved, len(writes))
