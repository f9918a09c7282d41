"""Fault tests: real outages on processes the test starts itself (issue 14).

They run with `make test` when PostgreSQL and Redis are configured (DATABASE_URL is a
PostgreSQL URL and REDIS_URL is set, as in CI) and `redis-server` is installed; otherwise
they are skipped. Each test starts its own redis-server on a free port and its own Celery
worker processes, kills only those (by their process group) and works on the test database
only. Every wait is bounded.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import wait_until

ROOT = Path(__file__).resolve().parents[2]


def _configured() -> str:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return "DATABASE_URL (PostgreSQL) non défini"
    if not os.environ.get("REDIS_URL"):
        return "REDIS_URL non défini"
    if not shutil.which("redis-server"):
        return "redis-server introuvable"
    return ""


def pytest_collection_modifyitems(config, items):
    reason = _configured()
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.faults)
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"tests de pannes : {reason}"))


def _free_port(start: int = 6390, end: int = 6499) -> int:
    # The machine's convention: our own redis-server on 6390 or above.
    for port in range(start, end):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("aucun port libre pour redis-server")


class RedisServer:
    """A redis-server this test started, and only it (checked by its process id: two test
    processes may race for the same free port)."""

    def __init__(self, workdir: Path):
        for attempt in range(5):
            self.port = _free_port(6390 + 10 * attempt)
            self.url = f"redis://127.0.0.1:{self.port}/0"
            self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
                [
                    shutil.which("redis-server"),
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(workdir),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            wait_until(
                lambda: self.process.poll() is not None or self.answers(),
                10,
                what="démarrage de redis-server",
            )
            if self.process.poll() is None and self._is_ours():
                return
            self.stop()
        raise RuntimeError("redis-server n'a pas pu démarrer")

    def _is_ours(self) -> bool:
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        return int(client.info("server")["process_id"]) == self.process.pid

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def database_url() -> str:
    """The test database (never the developer's or another helper's)."""
    data = connection.settings_dict
    auth = data["USER"] + (f":{data['PASSWORD']}" if data["PASSWORD"] else "")
    return f"postgres://{auth}@{data['HOST'] or '127.0.0.1'}:{data['PORT'] or 5432}/{data['NAME']}"


class Worker:
    """A Celery worker subprocess (its own process group, killed with it)."""

    def __init__(self, broker_url: str, workdir: Path, *, beat: bool = False, **env):
        self.log = workdir / f"worker-{time.monotonic_ns()}.log"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.faults.worker_app",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"faults-{os.getpid()}-{time.monotonic_ns()}@%h",
        ]
        if beat:
            command += ["--beat", "--schedule", str(workdir / "beat-schedule")]
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker_url,
            "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PYTHONPATH": str(ROOT),
            **{key: str(value) for key, value in env.items()},
        }
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
                command,
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 40) -> None:
        wait_until(
            lambda: " ready." in self.output() or self.process.poll() is not None,
            timeout,
            what="démarrage du worker Celery",
        )
        assert self.process.poll() is None, self.output()[-3000:]

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """kill -9 of the whole worker: parent, pool children and embedded beat."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


def publish(broker_url: str, task, *args) -> None:
    """Send `task` to this test's broker, as the web process does with its own."""
    from kombu import Connection

    app = task.app
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with Connection(broker_url) as broker:
            task.apply_async(args=list(args), connection=broker, ignore_result=True)
    finally:
        app.conf.task_always_eager = eager


@contextlib.contextmanager
def web_broker(broker_url: str):
    """The web process sends its tasks to `broker_url` (this test's redis-server)."""
    from config.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool)
    app.conf.broker_url = broker_url
    app.conf.task_always_eager = False
    app._pool = app.amqp._producer_pool = None
    try:
        yield app
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        (
            app.conf.broker_url,
            app.conf.task_always_eager,
            app._pool,
            app.amqp._producer_pool,
        ) = saved


@pytest.fixture
def workers(tmp_path):
    started: list[Worker] = []

    def start(broker_url: str, **kwargs) -> Worker:
        worker = Worker(broker_url, tmp_path, **kwargs)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.kill()
