import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_docker_compose_file_is_valid(tmp_path):
    compose = shutil.which("docker-compose")
    if compose is None:
        pytest.fail(
            "docker-compose est introuvable : `make test` l'installe (paquet Debian docker-compose)."
        )
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    shutil.copy(ROOT / "Dockerfile", tmp_path / "Dockerfile")
    result = subprocess.run(
        [compose, "config"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "POSTGRES_PASSWORD": "secret-de-test"},
    )
    assert result.returncode == 0, result.stderr
    for service in ("web:", "worker:", "beat:", "db:", "redis:"):
        assert service in result.stdout
    assert "gunicorn config.wsgi:application" in result.stdout
    assert "media:/app/var/media" in result.stdout


def test_readme_keeps_the_two_commands_and_the_demo_accounts():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    from demo.cooperations import DEMO_ACCOUNTS, DEMO_PASSWORD

    assert DEMO_PASSWORD in readme
    for username, *_ in DEMO_ACCOUNTS:
        assert f"`{username}`" in readme, username


@pytest.mark.parametrize("preload, loaded", [("1", "True"), ("0", "False")])
def test_the_web_process_imports_the_chart_library_at_start(preload, loaded):
    """A gunicorn worker imports matplotlib when it loads the app (config/wsgi.py), so that no
    user's request pays the import (core.charts.preload); WEB_PRELOAD_CHARTS=0 turns it off."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": "",
        "WEB_PRELOAD_CHARTS": preload,
    }
    result = subprocess.run(
        [sys.executable, "-c", "import sys, config.wsgi; print('matplotlib.pyplot' in sys.modules)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == loaded
