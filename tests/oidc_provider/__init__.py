"""A real OpenID Connect provider for the ProConnect tests (django-oauth-toolkit).

It runs in its own process with its own settings, database, users and session cookie, so
that signing in at the provider never signs anyone in to KitCoop: the two talk only through
browser redirects and back-channel HTTP calls, as KitCoop and ProConnect do. See harness.py.
"""
