"""Every view against every role (see tests/matrix.py)."""

import importlib

from django.conf import settings
from django.db import transaction
from django.urls import get_resolver, reverse

from tests.matrix import ROLES

# URL namespaces: one per app, and the register pages' own (cooperations/register_urls.py).
NAMESPACES = [*settings.PROJECT_APPS, "registre"]


def _cases():
    cases = []
    for app in NAMESPACES:
        try:
            module = importlib.import_module(f"tests.{app}.matrix")
        except ModuleNotFoundError:
            continue
        cases.extend(module.CASES)
    return cases


CASES = _cases()


def test_permission_matrix(matrix_world, client):
    """Every view × every role on one world. Each request is rolled back, so the world
    stays the same for the next role and the next view; all mismatches are listed."""
    wrong = []
    for case in CASES:
        url = reverse(case.url_name, args=case.args(matrix_world))
        for role in ROLES:
            client.force_login(
                matrix_world.users()[role], backend="django.contrib.auth.backends.ModelBackend"
            )
            with transaction.atomic():
                if case.method == "post":
                    response = client.post(url, case.data(matrix_world) if case.data else {})
                else:
                    response = client.get(url)
                transaction.set_rollback(True)
            if role not in case.expect:
                wrong.append(f"{case} ({url}) — aucune réponse attendue pour le rôle {role}")
                continue
            expected = case.expect[role]
            allowed = case.ok_statuses if expected == 200 else (expected,)
            if response.status_code not in allowed:
                wrong.append(
                    f"{case} ({url}) — {role} : {response.status_code} au lieu de {expected}"
                )
            client.logout()
    assert not wrong, "\n".join(wrong)


def test_anonymous_users_are_sent_to_login(matrix_world, client):
    for case in CASES:
        url = reverse(case.url_name, args=case.args(matrix_world))
        response = client.get(url)
        if case.anonymous != 302:
            assert response.status_code == case.anonymous, url
            continue
        assert response.status_code == 302 and "/connexion/" in response["Location"], url


def test_every_view_of_the_apps_is_in_the_matrix():
    covered = {case.url_name for case in CASES}
    resolver = get_resolver()
    missing = []
    for app in NAMESPACES:
        namespace = resolver.namespace_dict.get(app)
        if not namespace:
            continue
        for name in namespace[1].reverse_dict:
            if isinstance(name, str) and f"{app}:{name}" not in covered:
                missing.append(f"{app}:{name}")
    assert not missing, f"Vues absentes de la matrice des permissions : {sorted(set(missing))}"
