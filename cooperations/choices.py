"""Cached (pk, label) lists of the cooperation catalogues (see core.refcache)."""

from core.refcache import Reference

LEGAL_FORMS = Reference("cooperations.LegalForm")  # short name: "GCS de moyens"
TYPOLOGIES = Reference("cooperations.Typology")
THEMES = Reference("cooperations.Theme")
