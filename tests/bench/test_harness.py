"""The benchmark harness on a tiny scale: load driver, bare view, probes, report."""

import http.server
import os
import threading
import time

import pytest
from django.test.utils import override_settings

from bench import load, probe, report
from bench import run as bench_run
from demo import synthetic


def test_percentiles():
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 0.50) == 50
    assert load.percentile(values, 0.95) == 95
    assert load.percentile([], 0.95) == 0


@pytest.fixture
def tiny_server():
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            seen.append((self.path, self.headers.get("Cookie")))
            time.sleep(0.6 if self.path == "/lente" else 0.01)
            status = 404 if self.path == "/absent" else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


def test_the_load_driver_is_bounded_and_counts_what_it_measures(tiny_server):
    port, seen = tiny_server
    plan = {
        "port": port,
        "clients": 3,
        "warmup": 0.2,
        "duration": 0.8,
        "timeout": 5,
        "targets": [
            {"cookie": "sessionid=a", "urls": ["/un", "/deux"]},
            {"cookie": "sessionid=b", "urls": ["/absent"]},
        ],
    }
    started = time.perf_counter()
    result = load.run(plan)
    assert time.perf_counter() - started < 5  # stops by itself
    assert result["requests"] > 10
    # Client 0 and 2 use the first target, client 1 the second (404).
    assert result["statuses"]["200"] > result["statuses"]["404"] > 0
    assert result["ok"] == result["statuses"]["200"]
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["max_ms"]
    assert result["rps"] == pytest.approx(result["ok"] / result["window_s"])
    assert {cookie for _path, cookie in seen} == {"sessionid=a", "sessionid=b"}
    assert {path for path, _cookie in seen} == {"/un", "/deux", "/absent"}


def test_a_page_slower_than_the_warm_up_is_still_measured(tiny_server):
    port, _seen = tiny_server
    plan = {
        "port": port,
        "clients": 2,
        "warmup": 0.2,
        "duration": 0.1,
        "timeout": 5,
        "targets": [{"cookie": "", "urls": ["/lente"]}],
    }
    result = load.run(plan)
    assert result["ok"] == result["requests"] == 2
    assert result["p95_ms"] >= 600


def test_a_dead_server_gives_errors_not_a_hang():
    plan = {
        "port": bench_run.free_port(),
        "clients": 2,
        "warmup": 0,
        "duration": 0.3,
        "timeout": 1,
        "targets": [{"cookie": "", "urls": ["/"]}],
    }
    result = load.run(plan)
    assert result["ok"] == 0
    assert result["errors"] > 0


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_bare_view_needs_a_session_and_makes_no_other_query(
    db, client, django_assert_num_queries
):
    response = client.get("/bench/nu/")
    assert response.status_code == 302 and "/connexion/" in response["Location"]
    synthetic.generate(establishments=60, cooperations=0, directors=0)
    from accounts.models import User

    client.force_login(User.objects.get(username="synth.agent.84"))
    # The session and its user: the framework's fixed cost on every page.
    with django_assert_num_queries(2):
        response = client.get("/bench/nu/")
    assert response.content == b"ok"


@pytest.fixture
def small_dataset(db):
    return synthetic.generate(establishments=500, cooperations=40, seed=4, directors=2)


@override_settings(ROOT_URLCONF="bench.urls")
def test_probes_build_urls_and_count_queries_for_every_user(small_dataset):
    from bench.pages import USERS

    urls = probe.urls()
    pages = urls["pages"]
    assert urls["password"] == synthetic.SYNTHETIC_PASSWORD
    for key in ("bare", "portfolio", "detail", "search"):
        assert set(pages[key]["urls"]) == set(USERS), key
    for key in ("portfolio", "api_list"):
        for url in pages[key]["urls"]["synth.agent.84"]:
            assert "phase=" in url and "legal_form=" in url
    assert pages["api_list"]["urls"]["synth.agent.84"][0].startswith("/api/v1/cooperations/?")
    assert pages["detail"]["urls"]["synth.directeur.001"]
    counted = probe.queries()
    bare = counted["bare"]["synth.agent.84"]
    assert bare["status"] == 200 and bare["queries"] == 2
    assert counted["api_list"]["synth.directeur.001"]["status"] == 200
    detail = counted["detail"]["synth.directeur.001"]
    assert detail["status"] == 200 and detail["queries"] > 2
    assert detail["slowest"]["sql"].lstrip("(").startswith("SELECT")
    # The ARS work list (sorted by waiting time) and the regional dashboard are in the bench;
    # directors have no dashboard, so they are not counted there.
    assert counted["worklist"]["synth.agent.84"]["url"].endswith("?tri=kit1")
    assert "synth.agent.84" in counted["dashboard"]
    assert "synth.directeur.001" not in counted["dashboard"]
    assert set(pages["worklist"]["urls"]) == set(USERS)
    # A page answered by a redirect or an error would make its count meaningless.
    for page, per_user in counted.items():
        for user, measure in per_user.items():
            assert measure["status"] == 200, (page, user, measure["url"])


def _results(**load_overrides):
    config = bench_run.Config()
    config.cooperations, config.small_cooperations = 20000, 10
    results = bench_run.Results(config)
    results.labels = {"bare": "Vue nue", "portfolio": "Portefeuille", "search": "Recherche"}
    fast = {"requests": 100, "ok": 100, "statuses": {"200": 100}, "errors": 0, "rps": 100.0,
            "p50_ms": 40.0, "p95_ms": 90.0, "max_ms": 120.0}  # fmt: skip
    results.load = {
        "bare": {**fast, "rps": 200.0},
        "portfolio": fast,
        "search": {**fast, "p95_ms": 480.0, "rps": 30.0, **load_overrides},
        "radar": {"skipped": "URL « evalimpact:cooperation » absente"},
    }
    measure = {"url": "/x/", "status": 200, "queries": 9, "ms": 30.0, "repeated": [],
               "sql_ms": 14.0, "template_ms": 11.0, "other_ms": 5.0, "spread_ms": 1.0,
               "slowest": {"ms": 12.0, "sql": "SELECT COUNT(*) FROM territories_establishment"}}  # fmt: skip
    results.queries = {
        10: {"portfolio": {"synth.agent.84": measure}, "search": {"synth.agent.84": measure}},
        20000: {
            "portfolio": {"synth.agent.84": {**measure, "queries": 11}},
            "search": {"synth.agent.84": measure},
        },
    }
    results.imports = {
        "lines": 100000,
        "bytes": 38_000_000,
        "création": {"seconds": 41.0, "rss_mb": 120.0, "summary": "Établissements créés : 100000"},
        "mise à jour": {"seconds": 45.0, "rss_mb": 121.0, "summary": "mis à jour : 100000"},
        "copy": {"seconds": 2.0, "rows": 100000},
    }
    results.imports_json = {
        "file": "Flux JSON FINESS écrit : x.json (59036 entités juridiques, 100000 établissements)",
        "bytes": 100_000_000,
        "création": {"seconds": 52.0, "rss_mb": 160.0, "summary": "Établissements créés : 100000"},
        "mise à jour": {"seconds": 58.0, "rss_mb": 199.0, "summary": "mis à jour : 100000"},
    }
    results.extras = {
        "copil_pdf": {"skipped": "dossier COPIL absent"},
        "radar": {"first_ms": 900.0, "cold_ms": 120.0, "cached_ms": 0.5,
                  "cached_max_ms": 1.0, "cache": "LocMemCache"},  # fmt: skip
        "machine": "2 cœurs",
        "total_s": 600,
        "loadavg": {"au départ": 0.5},
    }  # fmt: skip
    return results


def test_the_report_states_every_target_and_explains_misses():
    text = report.render(_results())
    assert "| Portefeuille | 40 | 90 | 120 | 100 | 0.50 | 200×100 | PASS | PASS |" in text
    assert "| Recherche | 40 | 480 | 120 | 30 | 0.15 | 200×100 | MISS | MISS |" in text
    assert "ignorée : URL « evalimpact:cooperation » absente" in text
    assert "**Recherche**, p95 480 ms" in text
    assert "loi de Little, 533 ms" in text  # 16 clients / 30 req/s
    # Throughput (issue 17): 0.2 × 200 req/s = 40 req/s, i.e. the CPU budget per request on
    # this machine's cores, beside what the page alone costs.
    cores = os.cpu_count()
    assert f"font 40 req/s, soit {cores / 40 * 1000:.1f} ms de CPU par requête" in text
    assert "la page seule en coûte 30 ms (9 requêtes SQL" in text
    assert "SELECT COUNT(*) FROM territories_establishment" in text
    # Query counts that differ between scales are called out.
    assert "| Portefeuille | synth.agent.84 | 9 | 11 | non |" in text
    # One request alone: 30 ms misses issue 17's 15 ms, and the report says what it is made of.
    assert (
        "| Recherche | synth.agent.84 | 9 | 9 | oui | 200 | 30 | 14 / 11 / 5 | 12.0 | MISS |"
        in text
    )
    assert (
        "Temps serveur de « Recherche » (synth.agent.84) : 30 ms seule > 15 ms : 9 requêtes SQL "
        "(14 ms, la plus lente 12.0 ms), 11 ms de rendu des gabarits, 5 ms pour la vue" in text
    )
    assert "9 requêtes à 10 coopérations, 11 à 20000" in text
    # FINESS import: 41 s misses the 30 s target, with the COPY floor beside it.
    assert "Rapport import / COPY : 20.5" in text
    assert "**MISS**" in text and "le COPY des mêmes lignes prend 2.0 s" in text
    assert "Dossier COPIL : non mesuré (dossier COPIL absent)" in text
    # The JSON flux import, beside the raw COPY floor, within its 60 s / 300 MB target.
    assert "| import_finess JSON, base vide (création) | 52.0 | 160 |" in text
    assert "Cible ≤ 60 s et ≤ 300 Mo : **PASS**" in text
    assert "COPY PostgreSQL brut de l'extrait CSV des mêmes établissements (plancher) | 2.0" in text
    assert "en cache 0.50 ms" in text and "Cible en cache ≤ 20 ms : **PASS**" in text


def test_non_200_answers_fail_the_latency_target():
    text = report.render(_results(p95_ms=50.0, ok=60, statuses={"200": 60, "500": 40}))
    assert "| Recherche | 40 | 50 | 120 | 30 | 0.15 | 200×60, 500×40 | MISS | MISS |" in text
    assert "des réponses non 200" in text


def test_peak_rss_is_read_from_gnu_time():
    stderr = "\tMaximum resident set size (kbytes): 204800\n"
    assert bench_run._peak_rss_mb(stderr) == 200


def test_the_import_summary_skips_the_format_line():
    stdout = (
        "Format : ceci est le format JSON FINESS 2026.\nÉtablissements créés : 3\n"
        "Entités juridiques créées : 2\nGHT : 1\n"
    )
    assert bench_run._summary(stdout) == "Établissements créés : 3"
    assert bench_run._summary(stdout, all_lines=True) == (
        "Établissements créés : 3 ; Entités juridiques créées : 2"
    )


@pytest.mark.django_db
def test_template_clock_counts_the_sql_of_a_render_even_with_a_full_query_log():
    """The page split (SQL / templates / rest) reads the SQL run inside a render; the
    connection's query log is a bounded deque, so positions in it cannot be trusted."""
    from django.db import connection
    from django.template import engines
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    template = engines["django"].from_string("{% for u in users %}{{ u.pk }}{% endfor %}")
    with CaptureQueriesContext(connection):
        for _ in range(connection.queries_limit + 5):
            connection.queries_log.append({"sql": "SELECT 1", "time": "0.000"})
        with probe._template_clock(connection) as clock:
            User.objects.count()  # outside a render: not counted as the render's SQL
            template.render({"users": User.objects.all()})
    assert clock["render"] > 0
    assert 0 < clock["sql_inside"] <= clock["render"]
