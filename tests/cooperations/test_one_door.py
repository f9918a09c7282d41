"""One door to the scope (docs/ARCHITECTURE.md, Scope): views get a `CooperationAccess` from
`cooperations.access` and pass it to their templates as `caps`; no template tag or helper
computes the rights a second way."""

import ast
import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def _project_folders() -> list[Path]:
    """Every installed app of the project (a new app is searched too), and config/."""
    folders = [Path(c.path) for c in apps.get_app_configs()]
    return sorted({f for f in folders if f.is_relative_to(ROOT)} | {ROOT / "config"})


def test_no_template_computes_the_rights_itself():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for line in re.findall(r"{%\s*load\s+([^%]+)%}", path.read_text(encoding="utf-8")):
            for library in line.split():
                if library == "access_tags" or "caps" in library:
                    found.append(f"{path.relative_to(ROOT)} charge {library}")
        if "cooperation_caps" in path.read_text(encoding="utf-8"):
            found.append(f"{path.relative_to(ROOT)} appelle cooperation_caps")
    assert found == []
    assert not (ROOT / "cooperations" / "templatetags" / "access_tags.py").exists()


def test_only_the_scope_rule_builds_a_cooperation_access():
    """`Scope.access` (cooperations/scoping.py) is the one place that builds the value the door
    (`cooperation_access` / `access_to`) answers."""
    builders = []
    for folder in _project_folders():
        for path in sorted(folder.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            parents = {
                child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)
            }
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name != "CooperationAccess":
                    continue
                function = node
                while function in parents and not isinstance(function, ast.FunctionDef):
                    function = parents[function]
                where = getattr(function, "name", "<module>")
                builders.append(f"{path.relative_to(ROOT).as_posix()}:{where}")
    assert builders == ["cooperations/scoping.py:access"]
