"""Heavy renders timed in-process, like a Celery worker would run them (a subprocess of
bench.run, on the national database): the COPIL PDF of a large cooperation and the
Eval'Impact radar, cold and cached. A kit that is not installed is reported as skipped.

    python -m bench.extras   -> one JSON document on stdout
"""

import io
import json
import statistics
import sys
import time
import uuid

import django


def copil_pdf() -> dict:
    try:
        from suivi.copil import copil_pack_generate
        from suivi.models import CopilPack
    except ImportError as error:
        return {"skipped": f"dossier COPIL absent ({error})"}
    from django.db.models import Count, Q

    from cooperations.models import Cooperation

    cooperation = (
        Cooperation.objects.annotate(
            members=Count("memberships", filter=Q(memberships__left_on__isnull=True))
        )
        .order_by("-members", "pk")
        .first()
    )
    if cooperation is None:
        return {"skipped": "aucune coopération"}
    pack = CopilPack.objects.create(cooperation=cooperation, request_key=uuid.uuid4())
    started = time.perf_counter()
    pack = copil_pack_generate(pack_id=pack.pk)
    seconds = time.perf_counter() - started
    from pypdf import PdfReader

    with pack.file.open("rb") as handle:
        content = handle.read()
    return {
        "seconds": seconds,
        "pages": len(PdfReader(io.BytesIO(content)).pages),
        "bytes": len(content),
        "members": cooperation.members,
        "cooperation": cooperation.title,
    }


def radar() -> dict:
    try:
        from evalimpact.services import radar as radar_module
    except ImportError as error:
        return {"skipped": f"radar Eval'Impact absent ({error})"}
    from django.conf import settings
    from django.core.cache import cache

    labels = ("Qualité des soins", "Accès aux soins", "Efficience", "Ressources humaines")

    def data(seed: int):
        values = tuple(float((seed * 17 + i * 23) % 100) for i in range(len(labels)))
        effective = tuple(max(0.0, v - 12) for v in values)
        return radar_module.RadarData(
            labels,
            (
                radar_module.Series("potential", f"Impact potentiel (essai {seed})", values),
                radar_module.Series("effective", f"Impact effectif (essai {seed})", effective),
            ),
        )

    cache.clear()
    started = time.perf_counter()
    radar_module.render(data(1))
    first = time.perf_counter() - started
    cold = []
    for seed in range(2, 7):
        started = time.perf_counter()
        radar_module.render(data(seed))
        cold.append(time.perf_counter() - started)
    cached = []
    for _ in range(50):
        started = time.perf_counter()
        radar_module.render(data(3))
        cached.append(time.perf_counter() - started)
    return {
        "first_ms": first * 1000,
        "cold_ms": statistics.median(cold) * 1000,
        "cached_ms": statistics.median(cached) * 1000,
        "cached_max_ms": max(cached) * 1000,
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
    }


def worklist_export() -> dict:
    """The work list's export of the largest region (synth.agent.84), CSV then XLSX, as the
    web request streams it: every column, every filtered row."""
    from django.test import Client

    from accounts.models import User

    user = User.objects.filter(username="synth.agent.84").first()
    if user is None:
        return {"skipped": "compte synth.agent.84 absent"}
    try:
        from django.urls import reverse

        url = reverse("cooperations:export")
    except Exception as error:  # noqa: BLE001
        return {"skipped": f"export absent ({error})"}
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    output = {}
    for fmt in ("csv", "xlsx"):
        started = time.perf_counter()
        response = client.get(url, {"format": fmt})
        size = sum(len(chunk) for chunk in response.streaming_content)
        output[f"{fmt}_s"] = time.perf_counter() - started
        output[f"{fmt}_bytes"] = size
    from cooperations.models import Cooperation

    output["rows"] = Cooperation.objects.visible_to(user).count()
    return output


def main() -> None:
    django.setup()
    from config.celery import preload_renderers

    # A worker imports WeasyPrint and matplotlib once at start (config/celery.py): time it
    # apart, then time the renders as a started worker runs them.
    started = time.perf_counter()
    preload_renderers()
    output = {"preload_s": time.perf_counter() - started}
    for name, function in (
        ("copil_pdf", copil_pdf),
        ("radar", radar),
        ("worklist_export", worklist_export),
    ):
        try:
            output[name] = function()
        except Exception as error:  # noqa: BLE001 - reported, never fatal to the whole bench
            output[name] = {"failed": f"{type(error).__name__} : {error}"[:500]}
    json.dump(output, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
