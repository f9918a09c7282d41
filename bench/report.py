"""Renders the results of bench.run as Markdown (bench/results/<date>.md), in French."""

import datetime as dt
import math
import os
import subprocess
from pathlib import Path

from bench import run as bench

APP_PAGES = [
    "home",
    "portfolio",
    "worklist",
    "dashboard",
    "detail",
    "search",
    "kit1",
    "step",
    "tracker",
    "radar",
    "api_list",
]
COUNTED_PAGES = [
    "bare",
    "home",
    "portfolio",
    "worklist",
    "dashboard",
    "detail",
    "detail_small",
    "detail_large",
    *APP_PAGES[5:],
]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _ms(value) -> str:
    return (
        "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f}"
    )


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=bench.ROOT, capture_output=True, text=True, timeout=10,
        ).stdout.strip()  # fmt: skip
    except OSError:
        return "?"


def _split(measure: dict) -> str:
    """Where one request's server time goes: SQL / templates / the rest (view, ORM, middlewares)."""
    if measure.get("template_ms") is None:
        return "—"
    return f"{measure['sql_ms']:.0f} / {measure['template_ms']:.0f} / {measure['other_ms']:.0f}"


def _query_rows(results) -> tuple[list[str], list[str]]:
    small, full = results.config.small_cooperations, results.config.cooperations
    rows, problems = [], []
    small_counts = results.queries.get(small, {})
    full_counts = results.queries.get(full, {})
    for page in COUNTED_PAGES:
        if page not in full_counts:
            continue
        for user, measure in full_counts[page].items():
            other = small_counts.get(page, {}).get(user)
            same = other is not None and other["queries"] == measure["queries"]
            rows.append(
                f"| {results.labels.get(page, page)} | {user} | "
                f"{other['queries'] if other else '—'} | {measure['queries']} | "
                f"{'oui' if same else ('non' if other else 'non comparable')} | "
                f"{measure['status']} | {measure['ms']:.0f} | {_split(measure)} | "
                f"{measure['slowest']['ms'] if measure['slowest'] else '—'} | "
                f"{verdict(measure['ms'] <= bench.TARGET_SERVER_MS) if page != 'bare' else 'référence'} |"
            )
            if page != "bare" and measure["ms"] > bench.TARGET_SERVER_MS:
                parts = [f"{measure['queries']} requêtes SQL"]
                if measure.get("sql_ms") is not None:
                    parts[0] += f" ({measure['sql_ms']:.0f} ms"
                    if measure["slowest"]:
                        parts[0] += f", la plus lente {measure['slowest']['ms']} ms"
                    parts[0] += ")"
                if measure.get("template_ms") is not None:
                    parts.append(f"{measure['template_ms']:.0f} ms de rendu des gabarits")
                    parts.append(
                        f"{measure['other_ms']:.0f} ms pour la vue, la construction des "
                        "requêtes par l'ORM et les middlewares"
                    )
                problems.append(
                    f"- Temps serveur de « {results.labels.get(page, page)} » ({user}) : "
                    f"{measure['ms']:.0f} ms seule > {bench.TARGET_SERVER_MS} ms : "
                    + ", ".join(parts)
                    + "."
                )
            if other and not same:
                problems.append(
                    f"- {results.labels.get(page, page)} ({user}) : {other['queries']} requêtes "
                    f"à {small} coopérations, {measure['queries']} à {full}."
                )
            for repeated in measure["repeated"]:
                problems.append(
                    f"- {page} ({user}, `{measure['url']}`) : requête répétée "
                    f"{repeated['count']} fois : `{repeated['sql'][:220]}`"
                )
    for user, small_coop in full_counts.get("detail_small", {}).items():
        large_coop = full_counts.get("detail_large", {}).get(user)
        if large_coop and large_coop["queries"] != small_coop["queries"]:
            trend = (
                "le nombre de requêtes grandit avec les membres (N+1)"
                if large_coop["queries"] > small_coop["queries"]
                else "l'écart ne vient pas des membres mais des autres données de la "
                "coopération (phase, sections des kits)"
            )
            problems.append(
                f"- Fiche d'une coopération ({user}) : {small_coop['queries']} requêtes avec 2 "
                f"membres (`{small_coop['url']}`), {large_coop['queries']} avec 8 "
                f"(`{large_coop['url']}`) : {trend}."
            )
    return rows, problems


def _why_few(results, page: str, bare_rps: float) -> str:
    """A data-driven explanation of a missed throughput target."""
    cores = os.cpu_count() or 1
    wanted = bench.TARGET_RATIO * bare_rps
    budget = cores / wanted * 1000 if wanted else 0.0
    measure = next(
        iter(results.queries.get(results.config.cooperations, {}).get(page, {}).values()), None
    )
    text = (
        f"{bench.TARGET_RATIO:.2f} × {bare_rps:.0f} req/s font {wanted:.0f} req/s, soit "
        f"{budget:.1f} ms de CPU par requête pour les {cores} cœurs, serveur, PostgreSQL et "
        "client de charge compris"
    )
    if measure:
        text += (
            f" ; la page seule en coûte {measure['ms']:.0f} ms ({measure['queries']} requêtes "
            "SQL, gabarits DSFR) là où la vue nue n'en fait aucune"
        )
    return text


def _why_slow(results, page: str, load: dict) -> str:
    """A data-driven explanation of a missed latency target."""
    measure = next(
        iter(results.queries.get(results.config.cooperations, {}).get(page, {}).values()), None
    )
    parts = []
    if load["rps"]:
        parts.append(
            f"{results.config.clients} clients à {load['rps']:.0f} req/s font, par la loi de "
            f"Little, {results.config.clients / load['rps'] * 1000:.0f} ms d'attente moyenne"
        )
    if measure:
        parts.append(
            f"une requête seule coûte {measure['ms']:.0f} ms au serveur ({measure['queries']} "
            "requêtes SQL"
            + (
                f", la plus lente {measure['slowest']['ms']} ms : `{measure['slowest']['sql'][:160]}…`"
                if measure["slowest"]
                else ""
            )
            + ")"
        )
    parts.append(
        "les 2 cœurs sont partagés entre les 4 workers gunicorn, PostgreSQL et le client de charge"
    )
    return " ; ".join(parts)


def render(results) -> str:
    config = results.config
    extras = results.extras
    lines = [
        f"# Banc KitCoop — {results.started:%Y-%m-%d %H:%M} UTC",
        "",
        f"- Machine : {extras.get('machine', '?')} ; PostgreSQL {extras.get('postgres', '?')} ; "
        f"commit {_commit()}",
        f"- Échelle : {config.establishments} établissements, {config.cooperations} coopérations "
        f"(comptage de requêtes aussi à {config.small_cooperations} coopérations)",
        f"- Charge : {config.clients} clients simultanés, {config.duration} s mesurées par page "
        f"après {config.warmup} s de chauffe ; gunicorn {config.workers} workers synchrones, "
        "DEBUG=0, réglages de production (SECURE_SSL=0), boucle locale ; cache et sessions "
        + (
            f"dans Redis ({config.redis}) comme en production"
            if config.redis
            else "en mémoire de chaque worker (aucun Redis joignable)"
        ),
        f"- Durée totale : {extras.get('total_s', 0) / 60:.1f} min",
        "",
        "## Préparation",
        "",
        "| étape | durée (s) |",
        "|---|---:|",
    ]
    lines += [f"| {label} | {seconds:.1f} |" for label, seconds in results.steps.items()]
    if results.dataset:
        lines += ["", "```", results.dataset, "```"]

    bare = results.load.get("bare", {})
    bare_rps = bare.get("rps") or 0
    lines += [
        "",
        "## Pages sous charge",
        "",
        f"Cibles : p95 ≤ {bench.TARGET_P95_MS} ms à {config.clients} clients ; débit ≥ "
        f"{bench.TARGET_RATIO} × la vue nue.",
        "",
        "| page | p50 (ms) | p95 (ms) | max (ms) | req/s | ratio / vue nue | statuts HTTP | p95 | débit |",
        "|---|---:|---:|---:|---:|---:|---|---|---|",
    ]
    misses = []
    for page in ["bare", *APP_PAGES]:
        load = results.load.get(page)
        label = results.labels.get(page, page)
        if load is None:
            continue
        if "skipped" in load:
            lines.append(f"| {label} | — | — | — | — | — | ignorée : {load['skipped']} | — | — |")
            continue
        ratio = load["rps"] / bare_rps if bare_rps else 0
        statuses = ", ".join(f"{k}×{v}" for k, v in sorted(load["statuses"].items()))
        if load["errors"]:
            statuses += f", erreurs réseau×{load['errors']}"
        if page == "bare":
            lines.append(
                f"| {label} | {_ms(load['p50_ms'])} | {_ms(load['p95_ms'])} | {_ms(load['max_ms'])} "
                f"| {load['rps']:.0f} | 1,00 | {statuses} | référence | référence |"
            )
            continue
        p95_ok = (
            load["requests"] > 0
            and load["p95_ms"] <= bench.TARGET_P95_MS
            and load["ok"] == load["requests"]
        )
        ratio_ok = ratio >= bench.TARGET_RATIO
        lines.append(
            f"| {label} | {_ms(load['p50_ms'])} | {_ms(load['p95_ms'])} | {_ms(load['max_ms'])} "
            f"| {load['rps']:.0f} | {ratio:.2f} | {statuses} | {verdict(p95_ok)} | {verdict(ratio_ok)} |"
        )
        if not p95_ok and load["requests"]:
            misses.append(
                f"- **{label}**, p95 {load['p95_ms']:.0f} ms : {_why_slow(results, page, load)}."
            )
        if not load["requests"]:
            misses.append(
                f"- **{label}** : aucune réponse mesurée (erreurs réseau ou délai dépassé : "
                f"{load['errors']})."
            )
        elif load["ok"] != load["requests"]:
            misses.append(f"- **{label}** : des réponses non 200 ({statuses}).")
        if not ratio_ok:
            misses.append(
                f"- **{label}**, débit {ratio:.2f} × la vue nue : {_why_few(results, page, bare_rps)}."
            )

    rows, problems = _query_rows(results)
    lines += [
        "",
        "## Requêtes SQL par page",
        "",
        "Mesurées avec le client de test et `CaptureQueriesContext`, après une requête de "
        "chauffe, sur la première URL de chaque utilisateur. Le temps est celui d'une requête "
        "seule (sans charge, médiane de cinq), partagé entre le SQL, le rendu des gabarits "
        "(hors SQL des requêtes paresseuses qu'ils parcourent) et le reste (vue, construction "
        "des requêtes par l'ORM, middlewares).",
        "",
        f"| page | utilisateur | à {config.small_cooperations} coop. | à {config.cooperations} coop. "
        "| égales | HTTP | ms (seule) | SQL / gabarits / reste (ms) | SQL la plus lente (ms) "
        f"| ≤ {bench.TARGET_SERVER_MS} ms |",
        "|---|---|---:|---:|---|---|---:|---|---:|---|",
        *rows,
    ]
    if problems:
        lines += ["", "Écarts et requêtes répétées :", "", *problems]
    else:
        lines += [
            "",
            "Aucun écart entre les deux échelles, aucune requête répétée plus de deux fois.",
        ]

    imports = results.imports
    lines += ["", "## Import FINESS", ""]
    if imports:
        first = imports["création"]
        copy = imports["copy"]
        ratio = first["seconds"] / copy["seconds"] if copy["seconds"] else float("nan")
        import_ok = (
            first["seconds"] <= bench.TARGET_IMPORT_S and first["rss_mb"] <= bench.TARGET_IMPORT_MB
        )
        lines += [
            f"Extrait au format officiel : {imports['lines']} lignes `structureet` "
            f"({imports['bytes'] / 1e6:.1f} Mo, Latin-1, avec lignes `geolocalisation`).",
            "",
            "| mesure | durée (s) | RSS max (Mo) | résultat |",
            "|---|---:|---:|---|",
            f"| import_finess, base vide (création) | {first['seconds']:.1f} | {first['rss_mb']:.0f} | {first['summary']} |",
            f"| import_finess, même fichier (mise à jour) | {imports['mise à jour']['seconds']:.1f} | "
            f"{imports['mise à jour']['rss_mb']:.0f} | {imports['mise à jour']['summary']} |",
            f"| COPY PostgreSQL des mêmes lignes (plancher) | {copy['seconds']:.1f} | — | {copy['rows']} lignes |",
            "",
            f"Rapport import / COPY : {ratio:.1f}. Cible ≤ {bench.TARGET_IMPORT_S} s et ≤ "
            f"{bench.TARGET_IMPORT_MB} Mo : **{verdict(import_ok)}**.",
        ]
        if not import_ok:
            misses.append(
                f"- **Import FINESS** : {first['seconds']:.1f} s, {first['rss_mb']:.0f} Mo "
                f"(le COPY des mêmes lignes prend {copy['seconds']:.1f} s)."
            )

    imports_json = getattr(results, "imports_json", {})
    lines += ["", "## Import du flux JSON FINESS 2026 (« Structures »)", ""]
    if imports_json:
        first = imports_json["création"]
        update = imports_json["mise à jour"]
        json_ok = (
            first["seconds"] <= bench.TARGET_JSON_IMPORT_S
            and max(first["rss_mb"], update["rss_mb"]) <= bench.TARGET_IMPORT_MB
        )
        copy = (imports or {}).get("copy", {})
        lines += [
            f"{imports_json.get('file', '')} — {imports_json.get('bytes', 0) / 1e6:.0f} Mo, lu en "
            "flux (ijson), entités juridiques et établissements par COPY, GHT et groupements en "
            "insertions groupées.",
            "",
            "| mesure | durée (s) | RSS max (Mo) | résultat |",
            "|---|---:|---:|---|",
            f"| import_finess JSON, base vide (création) | {first['seconds']:.1f} | {first['rss_mb']:.0f} | {first['summary']} |",
            f"| import_finess JSON, même fichier (mise à jour) | {update['seconds']:.1f} | {update['rss_mb']:.0f} | {update['summary']} |",
        ]
        if copy:
            lines.append(
                f"| COPY PostgreSQL brut de l'extrait CSV des mêmes établissements (plancher) | "
                f"{copy['seconds']:.1f} | — | {copy['rows']} lignes |"
            )
        lines += [
            "",
            f"Cible ≤ {bench.TARGET_JSON_IMPORT_S} s et ≤ {bench.TARGET_IMPORT_MB} Mo : "
            f"**{verdict(json_ok)}**.",
        ]
        if not json_ok:
            misses.append(
                f"- **Import du flux JSON FINESS** : {first['seconds']:.1f} s, "
                f"{max(first['rss_mb'], update['rss_mb']):.0f} Mo."
            )
    else:
        lines.append("Non mesuré.")

    lines += ["", "## PDF COPIL, radar et export", ""]
    if "preload_s" in extras:
        lines.append(
            f"- Démarrage du worker : import de WeasyPrint et matplotlib en "
            f"{extras['preload_s']:.2f} s, une fois par worker (`config/celery.py`), hors des "
            "mesures qui suivent."
        )
    pdf = extras.get("copil_pdf", {})
    if "seconds" in pdf:
        ok = pdf["seconds"] <= bench.TARGET_PDF_S
        lines.append(
            f"- Dossier COPIL de « {pdf['cooperation']} » ({pdf['members']} membres) : "
            f"{pdf['seconds']:.2f} s dans un worker démarré, {pdf['pages']} "
            f"pages, {pdf['bytes'] / 1e3:.0f} ko. Cible ≤ {bench.TARGET_PDF_S} s : **{verdict(ok)}**."
        )
        if not ok:
            misses.append(f"- **PDF COPIL** : {pdf['seconds']:.2f} s pour {pdf['pages']} pages.")
    else:
        lines.append(
            f"- Dossier COPIL : non mesuré ({pdf.get('skipped') or pdf.get('failed', '?')})."
        )
    radar = extras.get("radar", {})
    if "cached_ms" in radar:
        ok = radar["cached_ms"] <= bench.TARGET_RADAR_CACHED_MS
        lines.append(
            f"- Radar : premier rendu du processus {radar['first_ms']:.0f} ms, rendu à froid {radar['cold_ms']:.0f} ms, en cache "
            f"{radar['cached_ms']:.2f} ms (médiane de 50, max {radar['cached_max_ms']:.2f} ms, "
            f"cache {radar['cache']}). Cible en cache ≤ {bench.TARGET_RADAR_CACHED_MS} ms : "
            f"**{verdict(ok)}**."
        )
        if not ok:
            misses.append(f"- **Radar en cache** : {radar['cached_ms']:.1f} ms.")
    else:
        lines.append(f"- Radar : non mesuré ({radar.get('skipped') or radar.get('failed', '?')}).")

    export = extras.get("worklist_export", {})
    if "csv_s" in export:
        ok = max(export["csv_s"], export["xlsx_s"]) <= bench.TARGET_EXPORT_S
        lines.append(
            f"- Export de la liste de travail d'une région ({export['rows']} coopérations, "
            f"toutes les colonnes) : CSV {export['csv_s']:.2f} s ({export['csv_bytes'] / 1e3:.0f} ko), "
            f"XLSX {export['xlsx_s']:.2f} s ({export['xlsx_bytes'] / 1e3:.0f} ko). "
            f"Cible ≤ {bench.TARGET_EXPORT_S} s : **{verdict(ok)}**."
        )
        if not ok:
            misses.append(
                f"- **Export de la liste de travail** : CSV {export['csv_s']:.2f} s, "
                f"XLSX {export['xlsx_s']:.2f} s."
            )
    elif export:
        lines.append(
            f"- Export de la liste de travail : non mesuré "
            f"({export.get('skipped') or export.get('failed', '?')})."
        )

    lines += ["", "## Cibles manquées", ""]
    lines += misses or ["Aucune."]
    load = extras.get("loadavg")
    if load:
        results.notes.append(
            "- Charge moyenne de la machine (1 min) : "
            + ", ".join(f"{label} {value:.1f}" for label, value in load.items())
            + f" pour {os.cpu_count()} cœurs. La valeur de départ dit ce que faisaient les "
            "autres processus de la machine ; les suivantes montent avec le banc lui-même "
            "(workers gunicorn, PostgreSQL et client de charge sur les mêmes cœurs). Une valeur "
            "de départ proche du nombre de cœurs rend toutes les latences pessimistes."
        )
    if results.notes:
        lines += ["", "## Notes", "", *results.notes]
    return "\n".join(lines) + "\n"


def write(results, text: str) -> Path:
    directory = Path(results.config.results_dir)
    directory.mkdir(parents=True, exist_ok=True)
    # The file is named after the operator's day (the bench runs outside Django's time zone).
    path = directory / f"{dt.date.today():%Y-%m-%d}.md"  # noqa: DTZ011
    path.write_text(text, encoding="utf-8")
    return path
