"""docs/GLOSSARY.md says what the models say (regenerate it with scripts/glossary.py)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_glossary_matches_the_models_and_their_choices():
    spec = importlib.util.spec_from_file_location("glossary", ROOT / "scripts" / "glossary.py")
    glossary = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(glossary)
    assert (ROOT / "docs" / "GLOSSARY.md").read_text(encoding="utf-8") == glossary.render(), (
        "docs/GLOSSARY.md is out of date: run scripts/glossary.py"
    )
