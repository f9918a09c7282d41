"""The floors of docs/ARCHITECTURE.md: kits → cooperations → territories/accounts → core.

An app imports only apps of its own floor or below, wherever the import stands (top of a
module or inside a function: a lazy import is still a dependency). Read from the source with
`ast`, so that it needs no import of the apps.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Floor of each first-party package: 0 is the ground floor.
FLOORS = {
    "core": 0,
    "accounts": 1,
    "territories": 1,
    "cooperations": 2,
    "fiches": 3,
    "conventions": 3,
    "evalimpact": 3,
    "suivi": 3,
    "notifications": 3,
    "si": 3,
    "api": 4,
    "home": 4,
    "demo": 4,
    "config": 5,
}

# Known exceptions, each with its reason (none today).
ALLOWED: set[tuple[str, str]] = set()


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module.split(".")[0]


def upward_imports(root: Path = ROOT) -> list[str]:
    found = []
    for package, floor in FLOORS.items():
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "/migrations/" in relative:
                continue  # migrations name other apps' models by label, frozen in time
            for line, top in _imports(path):
                if FLOORS.get(top, -1) > floor and (relative, top) not in ALLOWED:
                    found.append(f"{relative}:{line} importe {top} (étage {FLOORS[top]} > {floor})")
    return found


def test_no_app_imports_a_floor_above_its_own():
    assert upward_imports() == []


def test_no_app_imports_the_demo():
    """The demo fills the kits; nothing runs on its sample data (bench/ and tests/ may)."""
    found = [
        f"{path.relative_to(ROOT).as_posix()}:{line}"
        for package in FLOORS
        if package != "demo"
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, top in _imports(path)
        if top == "demo"
    ]
    assert found == []


def test_every_first_party_package_has_a_floor():
    packages = {p.parent.name for p in ROOT.glob("*/apps.py") if not p.parent.name.startswith(".")}
    assert packages - set(FLOORS) == set()


def test_the_floors_name_exactly_the_installed_project_apps(settings):
    """`settings.PROJECT_APPS` is the one list of KitCoop's apps: an app installed there
    without a floor here would escape the layer check."""
    assert set(settings.PROJECT_APPS) == set(FLOORS) - {"config"}


def test_the_check_sees_a_lazy_upward_import(tmp_path):
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "probe.py").write_text(
        "import core.forms\n\n\ndef f():\n    from suivi.models import Activity\n",
        encoding="utf-8",
    )
    assert upward_imports(tmp_path) == ["core/probe.py:5 importe suivi (étage 3 > 0)"]
