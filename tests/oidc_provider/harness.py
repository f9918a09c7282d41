"""Start the test OpenID provider in its own process and act as a browser towards it.

`Provider.start(tmp_dir)` picks a free port, writes an RSA key and the identities, runs
`python -m tests.oidc_provider.serve` and waits for it. The tests then:
- `allow(redirect_uri, post_logout_uri)`: register KitCoop's callback and post-logout URIs
  (the live server's port is known only at test time);
- `sign_in(session, authorize_url, username, password, until)`: follow the provider's
  redirects and its login form with a `requests.Session`, stopping at the first redirect
  whose target starts with `until` (KitCoop's callback) and returning that URL;
- `expire_codes()`: age every authorization code issued so far (a real expiry, in the
  provider's own database).
"""

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "kitcoop-tests"
CLIENT_SECRET = "secret-de-test-kitcoop-0123456789"

# Identities known to the provider (not to KitCoop: each test creates its own accounts).
IDENTITIES = {
    "camille.agent": {
        "password": "mdp-fournisseur-1",
        "email": "Camille.Agent@ARS.sante.gouv.fr",
        "given_name": "Camille",
        "usual_name": "Agent",
        "siret": "13002808500011",
        "idp_id": "fi-ministeres-sociaux",
    },
    "inconnu": {
        "password": "mdp-fournisseur-2",
        "email": "personne.inconnue@exemple.gouv.fr",
        "given_name": "Dominique",
        "usual_name": "Inconnu",
        "siret": "21010053100013",
        "idp_id": "fi-proconnect-identite",
    },
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Provider:
    process: subprocess.Popen
    port: int
    db: Path

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}/o"

    @classmethod
    def start(cls, tmp_dir: Path) -> "Provider":
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_file = tmp_dir / "op-key.pem"
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        identities = tmp_dir / "op-identities.json"
        identities.write_text(json.dumps(IDENTITIES))
        port = free_port()
        db = tmp_dir / "op.sqlite3"
        env = {
            **os.environ,
            "OP_PORT": str(port),
            "OP_DB": str(db),
            "OP_KEY": str(key_file),
            "OP_IDENTITIES": str(identities),
            "OP_ISSUER": f"http://127.0.0.1:{port}/o",
            "OP_CLIENT_ID": CLIENT_ID,
            "OP_CLIENT_SECRET": CLIENT_SECRET,
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.pop("DATABASE_URL", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider.serve"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        line = process.stdout.readline()
        if "READY" not in line:
            process.kill()
            rest = process.stdout.read()
            raise RuntimeError(f"Le fournisseur OIDC de test n'a pas démarré : {line}{rest}")
        return cls(process=process, port=port, db=db)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def _execute(self, sql: str, params=()) -> int:
        with sqlite3.connect(self.db, timeout=10) as connection:
            return connection.execute(sql, params).rowcount

    def allow(self, redirect_uri: str, post_logout_uri: str) -> None:
        self._execute(
            "UPDATE oauth2_provider_application SET redirect_uris = redirect_uris || ' ' || ?, "
            "post_logout_redirect_uris = post_logout_redirect_uris || ' ' || ? "
            "WHERE client_id = ?",
            (redirect_uri, post_logout_uri, CLIENT_ID),
        )

    def expire_codes(self) -> int:
        return self._execute("UPDATE oauth2_provider_grant SET expires = '2000-01-01 00:00:00'")

    def sign_in(self, session, url: str, username: str, password: str, until: str) -> str:
        """Follow redirects from `url` (logging in at the provider's form when asked) until
        one points at `until`; return that URL."""
        for _ in range(10):
            if url.startswith(until):
                return url
            response = session.get(url, allow_redirects=False, timeout=15)
            if response.status_code in (301, 302, 303):
                url = urljoin(url, response.headers["Location"])
                continue
            if response.status_code == 200 and 'name="password"' in response.text:
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
                next_url = re.search(r'name="next" value="([^"]*)"', response.text)
                posted = session.post(
                    url,
                    data={
                        "csrfmiddlewaretoken": token.group(1),
                        "username": username,
                        "password": password,
                        "next": next_url.group(1).replace("&amp;", "&"),
                    },
                    headers={"Referer": url},
                    allow_redirects=False,
                    timeout=15,
                )
                assert posted.status_code == 302, posted.text[:500]
                url = urljoin(url, posted.headers["Location"])
                continue
            raise AssertionError(
                f"Réponse inattendue du fournisseur ({response.status_code}) : {url}"
            )
        raise AssertionError("Trop de redirections chez le fournisseur.")


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False
