"""Fixtures of the test OpenID provider, made available to every test by tests/conftest.py."""

import pytest

from tests.oidc_provider.harness import CLIENT_ID, CLIENT_SECRET, Provider


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    provider = Provider.start(tmp_path_factory.mktemp("oidc-provider"))
    yield provider
    provider.stop()


@pytest.fixture
def proconnect(settings, oidc_provider):
    """ProConnect switched on against the local provider (its discovery document)."""
    settings.PROCONNECT_ISSUER = oidc_provider.issuer
    settings.PROCONNECT_DISCOVERY_URL = ""
    settings.PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    settings.PROCONNECT_SIGN_ALGO = "RS256"
    return oidc_provider
