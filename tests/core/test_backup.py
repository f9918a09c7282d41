"""The documented pg_dump / pg_restore procedure restores the same data."""

import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from cooperations.models import Cooperation, Membership


def test_pg_dump_restores_into_a_fresh_database(transactional_db, world):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Sauvegarde PostgreSQL : ce test tourne quand DATABASE_URL pointe vers PostgreSQL (CI)."
        )
    for tool in ("pg_dump", "pg_restore"):
        assert shutil.which(tool), f"{tool} introuvable (paquet postgresql-client)"
    params = connection.get_connection_params()
    source = connection.settings_dict["NAME"]
    target = f"kitcoop_restore_{uuid.uuid4().hex[:8]}"
    host = [
        "-h",
        params.get("host") or "127.0.0.1",
        "-p",
        str(params.get("port") or 5432),
        "-U",
        params.get("user") or "postgres",
    ]
    expected_titles = sorted(Cooperation.objects.values_list("title", flat=True))
    expected_members = Membership.objects.count()

    dump = subprocess.run(
        ["pg_dump", *host, "-Fc", source], capture_output=True, check=True, timeout=120
    ).stdout
    admin = psycopg.connect(
        host=host[1], port=host[3], user=host[5], dbname="postgres", autocommit=True
    )
    admin.execute(f'CREATE DATABASE "{target}"')
    try:
        subprocess.run(
            ["pg_restore", *host, "-d", target, "--no-owner"],
            input=dump,
            check=True,
            capture_output=True,
            timeout=120,
        )
        with psycopg.connect(host=host[1], port=host[3], user=host[5], dbname=target) as restored:
            titles = sorted(
                r[0] for r in restored.execute("SELECT title FROM cooperations_cooperation")
            )
            members = restored.execute("SELECT count(*) FROM cooperations_membership").fetchone()[0]
            ars = restored.execute("SELECT count(*) FROM territories_ars").fetchone()[0]
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.close()
    assert titles == expected_titles
    assert members == expected_members
    assert ars == 18
