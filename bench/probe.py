"""Runs inside Django against one benchmark database (a subprocess of bench.run).

    python -m bench.probe urls     -> the URLs of every page for every benchmark user
    python -m bench.probe queries  -> SQL queries of every page (test client, first URL)
    python -m bench.probe warm     -> draw the radars of the measured radar pages

Prints one JSON document on stdout.
"""

import contextlib
import json
import re
import statistics
import sys
import time

import django

NUMBER = re.compile(r"\b\d+\b|'[^']*'")


def _users():
    from accounts.models import User

    users = {u.username: u for u in User.objects.filter(username__in=_pages().USERS)}
    missing = sorted(set(_pages().USERS) - set(users))
    if missing:
        raise SystemExit(f"Comptes synthétiques absents : {', '.join(missing)}")
    return users


def _pages():
    from bench import pages

    return pages


def urls() -> dict:
    from demo.synthetic import SYNTHETIC_PASSWORD

    pages = _pages()
    result: dict = {}
    users = _users()
    for page in pages.PAGES:
        if not page.load:
            continue
        if not page.available():
            result[page.key] = {"skipped": f"URL « {page.url_name} » absente"}
            continue
        per_user = {name: pages.urls_for(page, users[name]) for name in pages.USERS}
        if not any(per_user.values()):
            result[page.key] = {"skipped": "aucun objet à afficher dans cette base"}
            continue
        result[page.key] = {"urls": per_user}
    return {
        "pages": result,
        "labels": {page.key: page.label for page in pages.PAGES},
        "password": SYNTHETIC_PASSWORD,
    }


@contextlib.contextmanager
def _template_clock(connection):
    """Time spent rendering templates (outermost renders only) and the SQL time of the lazy
    querysets they iterate, so that a page's server time splits into SQL, templates and the
    rest (view, ORM query building, middlewares). The SQL inside a render is timed by an
    execute wrapper (the connection's query log is a bounded deque: positions in it shift
    once it is full)."""
    from django.template.backends.django import Template

    original = Template.render
    spent = {"render": 0.0, "sql_inside": 0.0, "depth": 0}

    def timed(self, context=None, request=None):
        spent["depth"] += 1
        started = time.perf_counter()
        try:
            return original(self, context, request)
        finally:
            spent["depth"] -= 1
            if spent["depth"] == 0:
                spent["render"] += time.perf_counter() - started

    def sql_clock(execute, sql, params, many, context):
        if not spent["depth"]:
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["sql_inside"] += time.perf_counter() - started

    Template.render = timed
    try:
        with connection.execute_wrapper(sql_clock):
            yield spent
    finally:
        Template.render = original


def queries() -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    pages = _pages()
    users = _users()
    result: dict = {}
    for page in pages.PAGES:
        if not page.available():
            continue
        result[page.key] = {}
        for name in pages.COUNTED_USERS:
            page_urls = pages.count_urls_for(page, users[name])
            if not page_urls:
                continue
            client = Client()
            client.force_login(users[name], backend="django.contrib.auth.backends.ModelBackend")
            client.get(page_urls[0])  # warm caches (catalogues, templates)
            runs = []
            for _ in range(5):  # the median of five requests alone
                with (
                    CaptureQueriesContext(connection) as captured,
                    _template_clock(connection) as clock,
                ):
                    started = time.perf_counter()
                    response = client.get(page_urls[0])
                    elapsed = time.perf_counter() - started
                sql = sum(float(q["time"]) for q in captured.captured_queries)
                runs.append((elapsed, sql, clock["render"], clock["sql_inside"], captured))
            runs.sort(key=lambda run: run[0])
            elapsed, sql, render, sql_inside, captured = runs[len(runs) // 2]
            templates = max(render - sql_inside, 0.0)
            shapes: dict = {}
            for query in captured.captured_queries:
                shape = NUMBER.sub("?", query["sql"])
                shapes[shape] = shapes.get(shape, 0) + 1
            slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
            result[page.key][name] = {
                "url": page_urls[0],
                "status": response.status_code,
                "queries": len(captured.captured_queries),
                "ms": round(elapsed * 1000, 1),
                "repeated": [
                    {"count": count, "sql": shape[:300]}
                    for shape, count in sorted(shapes.items(), key=lambda i: -i[1])
                    if count > 2
                ],
                "sql_ms": round(sql * 1000, 1),
                "template_ms": round(templates * 1000, 1),
                "other_ms": round(max(elapsed - sql - templates, 0.0) * 1000, 1),
                "spread_ms": round(statistics.pstdev(r[0] for r in runs) * 1000, 1),
                "slowest": {
                    "ms": round(float(slowest["time"]) * 1000, 1),
                    "sql": slowest["sql"][:400],
                }
                if slowest
                else None,
            }
    return result


def warm() -> dict:
    """Draw, into the shared cache, the radar of every cooperation whose Eval'Impact page the
    load visits, with the function the `warm_radars` task runs after each save of an
    evaluation: in production a radar is drawn when its evaluation is saved, whereas the
    generator bulk-creates evaluations without saving them one by one."""
    from cooperations.models import Cooperation
    from evalimpact.services.radar_cache import warm_cooperation

    pages = _pages()
    page = next((p for p in pages.PAGES if p.key == "radar"), None)
    if page is None or not page.available():
        return {"cooperations": 0, "images": 0}
    users = _users()
    ids: set[int] = set()
    for name in pages.USERS:
        # The radar page's URLs are built from these ids (urls_for falls back to them).
        ids.update(pages.cooperation_ids(users[name]))
    images = 0
    for cooperation in Cooperation.objects.filter(pk__in=ids):
        images += warm_cooperation(cooperation, formats=("svg",))
    return {"cooperations": len(ids), "images": images}


def main() -> None:
    django.setup()
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "urls":
        output = urls()
    elif mode == "queries":
        output = queries()
    elif mode == "warm":
        output = warm()
    else:
        raise SystemExit("usage : python -m bench.probe urls|queries|warm")
    json.dump(output, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
