"""Shared fixtures: one user per role around two cooperations in two regions.

`world` is the permission-matrix scene:
- coop_ara: piloted by ARS ARA, members et_a (porteur) and et_b; it also concerns the
  Saône-et-Loire (71, region Bourgogne-Franche-Comté);
- coop_occ: piloted by ARS Occitanie, member et_c;
- users: admin, agent_ara, agent_occ, agent_concerned (of ARS BFC: reads coop_ara through
  the Saône-et-Loire, never edits it), referent_a (of et_a), referent_c (of et_c),
  copil (guest on coop_ara), outsider (a referent of an establishment in no cooperation).
"""

import contextlib
import os
import shutil
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.conf import settings

from tests.accounts.factories import PASSWORD, UserFactory, referent_of
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.oidc_provider.fixtures import oidc_provider, proconnect  # noqa: F401  (ProConnect)
from tests.territories.factories import EstablishmentFactory, ars, departement

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# An undefined variable in one of our templates fails the test (tests/strict_templates.py).
pytest_plugins = ["tests.strict_templates"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


def _load_reference_data() -> None:
    """Load the catalogue files, then re-run every data migration (RunPython) in order.

    The test database is created by the migrations, which hold no catalogue: catalogues
    come from their files (core/catalogues.py), as in `make run`. Transactional tests (browser tests, real Celery worker) flush the database after
    each test, which removes the reference data that data migrations loaded (ARS,
    départements, catalogues). Serialized rollback cannot restore it for the browser tests:
    Playwright's event loop gives Django another connection object (asgiref context),
    without the serialized copy. Both are idempotent, so replaying is safe.
    """
    from django.apps import apps as global_apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    ordered = []
    for leaf in loader.graph.leaf_nodes():
        for node in loader.graph.forwards_plan(leaf):
            if node not in ordered:
                ordered.append(node)
    from core.catalogues import load_all

    load_all()
    if connection.vendor == "sqlite":
        # SQLite's schema editor refuses to open inside a test's transaction (foreign keys
        # cannot be switched off there); the data migrations only read `.connection` from
        # it on SQLite, their PostgreSQL-only SQL being skipped.
        editing = contextlib.nullcontext(SimpleNamespace(connection=connection))
    else:
        editing = connection.schema_editor()
    with editing as editor:
        for key in ordered:
            for operation in loader.graph.nodes[key].operations:
                if isinstance(operation, RunPython):
                    operation.code(global_apps, editor)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The migrated test database, plus the catalogues from their files (as `make run`).

    The result is snapshotted: a transactional test ends by restoring it (tests/fastflush.py)
    instead of Django's flush followed by a reload of the reference data.
    """
    from core.catalogues import load_all
    from tests import fastflush

    with django_db_blocker.unblock():
        load_all()
        fastflush.take()
    fastflush.install()


@pytest.fixture(autouse=True)
def _reference_data_and_axes(db):
    from axes.utils import reset
    from django.core.cache import cache

    from cooperations.models import LegalForm
    from territories.models import ARS

    if not ARS.objects.exists() or not LegalForm.objects.exists():
        _load_reference_data()
    # Cached reference lists (core.refcache) must not outlive the rows of another test.
    cache.clear()
    reset()


@dataclass
class World:
    coop_ara: object
    coop_occ: object
    et_a: object
    et_b: object
    et_c: object
    admin: object
    agent_ara: object
    agent_occ: object
    agent_concerned: object
    referent_a: object
    referent_c: object
    copil: object
    outsider: object

    def users(self) -> dict:
        return {
            "admin": self.admin,
            "agent_ara": self.agent_ara,
            "agent_occ": self.agent_occ,
            "agent_concerned": self.agent_concerned,
            "referent_a": self.referent_a,
            "referent_c": self.referent_c,
            "copil": self.copil,
            "outsider": self.outsider,
        }


@pytest.fixture
def world(db) -> World:
    et_a = EstablishmentFactory(name="CH ALPHA")
    et_b = EstablishmentFactory(name="CLINIQUE BETA", private_clinic=True)
    et_c = EstablishmentFactory(name="CHU GAMMA", departement=departement("31"))
    coop_ara = CooperationFactory(title="Imagerie partagée de l'Ain", gcs=True)
    MembershipFactory(cooperation=coop_ara, establishment=et_a, role="porteur")
    MembershipFactory(cooperation=coop_ara, establishment=et_b)
    coop_ara.departements.add(departement("71"))
    coop_occ = CooperationFactory(
        title="Biologie Haute-Garonne", in_occitanie=True, departements=[departement("31")]
    )
    MembershipFactory(cooperation=coop_occ, establishment=et_c, role="porteur")
    copil = UserFactory(copil_guest=True, username="copil")
    coop_ara.copil_guests.add(copil)
    return World(
        coop_ara=coop_ara,
        coop_occ=coop_occ,
        et_a=et_a,
        et_b=et_b,
        et_c=et_c,
        admin=UserFactory(national_admin=True, username="admin"),
        agent_ara=UserFactory(ars_agent=True, username="agent_ara"),
        agent_occ=UserFactory(role="agent_ars", ars=ars("76"), username="agent_occ"),
        agent_concerned=UserFactory(role="agent_ars", ars=ars("27"), username="agent_concerned"),
        referent_a=referent_of(et_a, username="referent_a"),
        referent_c=referent_of(et_c, username="referent_c"),
        copil=copil,
        outsider=referent_of(EstablishmentFactory(), username="outsider"),
    )


@pytest.fixture
def matrix_world(world):
    """The world plus each kit's objects (tests/<app>/matrix.py: setup_world)."""
    import importlib

    from django.conf import settings

    from territories.models import ImportRun

    world.import_run = ImportRun.objects.create(original_name="extrait.csv", status="done")
    for name in settings.PROJECT_APPS:
        try:
            module = importlib.import_module(f"tests.{name}.matrix")
        except ModuleNotFoundError:
            continue
        if hasattr(module, "setup_world"):
            module.setup_world(world)
    return world


@pytest.fixture
def login(client):
    """login(user) -> the test client signed in as user."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


@pytest.fixture
def shared_data():
    path = settings.SHARED_DATA_DIR
    if not path.exists():
        pytest.fail(f"Les données partagées sont introuvables : {path}")
    return path


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def broker_down(monkeypatch):
    """broker_down(task): queueing `task` fails as it does when Redis is unreachable (kombu's
    OperationalError from `delay`, eager mode off so that the task is really queued)."""
    from kombu.exceptions import OperationalError

    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    def _down(task):
        monkeypatch.setitem(task.app.conf, "task_always_eager", False)
        monkeypatch.setattr(task, "delay", unreachable)

    return _down


@pytest.fixture
def celery_runner(transactional_db):
    """Run Celery tasks the way this environment does.

    With REDIS_URL set (CI), tasks go through the real Redis broker to an in-process
    worker thread; without it, tasks run eagerly, as in `make run`. Yields the mode.
    """
    from config.celery import app

    if not settings.REDIS_URL:
        yield "eager"
        return
    from celery.contrib.testing.worker import start_worker

    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
            yield "worker"
    finally:
        app.conf.task_always_eager = True


def wait_until(
    predicate, timeout: float = 30.0, interval: float = 0.2, what: str = "la tâche Celery"
):
    """Poll until predicate() is truthy and return its value (work done by a real Celery
    worker, a process a fault test started); AssertionError naming `what` after `timeout` s."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"délai dépassé ({timeout} s) : {what}")
