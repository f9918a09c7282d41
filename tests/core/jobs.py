"""Test helpers for background jobs (core.models.BackgroundJob) and their pages."""

import html

from django.utils import timezone


def silent_for(job, delay) -> None:
    """The job's heartbeat stopped `delay` ago (its worker was killed)."""
    type(job).objects.filter(pk=job.pk).update(updated_at=timezone.now() - delay)


def assert_import_page(client, url: str, prefix: str, *, shown: str, polls: bool, relancer: bool):
    """An import's page (core/_document_progress.html, core/_import_failure.html) shows
    `shown`, polls while a worker is on it, offers "Relancer l'import" when `relancer`;
    `prefix` names its live region ("<prefix>-news") and progress block ("<prefix>-progress")."""
    page = html.unescape(client.get(url).content.decode())
    # The live region stays on the page; the poll swaps the state below it.
    assert f'id="{prefix}-news" class="fr-sr-only" role="status"' in page
    assert shown in page
    assert ('hx-trigger="every 1s"' in page) is polls
    assert ("Relancer l'import" in page) is relancer
    fragment = html.unescape(client.get(url, HTTP_HX_REQUEST="true").content.decode())
    assert fragment.strip().startswith(f'<div id="{prefix}-progress"')
    # When the poll stops, the end is announced once in the live region (out of band).
    assert (f'id="{prefix}-news" hx-swap-oob="innerHTML"' in fragment) is not polls


def import_page_states(running: str) -> list[tuple[str, bool, str, bool]]:
    """The states of an import's page, for `assert_import_page`: (state, polls, shown,
    relancer), `running` being what the page shows of a running import."""
    return [
        ("pending", True, "En attente", False),
        ("running", True, running, False),
        ("stalled", False, "Import interrompu", True),
        ("failed", False, "Import refusé", True),
        # Failed because of its file: "Relancer" would fail the same way.
        ("refused", False, "Déposez un fichier corrigé", False),
        ("done", False, "Import terminé", False),
    ]
