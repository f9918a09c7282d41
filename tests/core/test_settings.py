import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    full_env.update(DJANGO_SETTINGS_MODULE="config.settings.base", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_secret_key_outside_debug_refuses_to_start():
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY manquant" in result.stderr


def test_deploy_checks_are_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="kitcoop.example.gouv.fr",
        SECURE_SSL="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_security_headers_on_every_page(client):
    response = client.get("/connexion/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self' 'nonce-" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pdf_running_header_shows_the_title_verbatim():
    import django

    django.setup()
    from pypdf import PdfReader

    from core.pdf import render_pdf

    title = 'Eval\'Impact — GHT Haut-Bugey </style> "x"'
    pdf = render_pdf("pdf/base.html", {}, title=title)
    import io

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert title in text
    assert "u0027" not in text


@pytest.mark.parametrize(
    ("env", "limit"),
    [
        ({}, 200 * 1024 * 1024),
        ({"IMPORT_MAX_BYTES": "1000"}, 1000),
        # A deployment that still sets the former name keeps its limit.
        ({"FINESS_IMPORT_MAX_BYTES": "2000"}, 2000),
        ({"IMPORT_MAX_BYTES": "1000", "FINESS_IMPORT_MAX_BYTES": "2000"}, 1000),
    ],
)
def test_the_import_size_limit_is_read_from_its_name_or_its_former_one(env, limit):
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"IMPORT_MAX_BYTES", "FINESS_IMPORT_MAX_BYTES"}
    }
    full_env.update(DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL="", **env)
    code = "import django; django.setup(); from django.conf import settings; print(settings.IMPORT_MAX_BYTES)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == str(limit)
