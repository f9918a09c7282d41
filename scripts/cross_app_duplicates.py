"""List the blocks that two apps share (issue 17: "no block shared between apps").

Runs the workplace's `duplicates` command (not a project dependency: it must be on PATH) on
a copy of the tracked files without migrations, tests and bench, and keeps the pairs whose
two places stand in different top-level folders (apps, config, templates).

Each pair gets one category, read from the lines of its two places in the copied tree (the
place `duplicates` names: its longest shared run; the "+N more runs" are not read):

- "identique": `duplicates` found lines the same to the letter (no `shape` tag).
- "importations": the same to the letter, but both places lie inside import statements (a
  parenthesised `from x import (...)` list, which `duplicates` reads as code although it
  says it passes import lines over).
- "déclaration …": same shape, other names, and every line of both places declares rather
  than computes (rules below), with what kind of declaration:
  "modèle" (fields, Meta, TextChoices, __str__, a model module's constant tables),
  "URL" (urlpatterns), "formulaire" (a form's fields and Meta), "admin" (ModelAdmin
  attributes), "attributs et tables" (class attributes elsewhere, e.g. a dataclass, and
  module-level constant tables), "arguments" (a run of keyword or literal arguments of a
  call, e.g. the fields of an `objects.create(...)`, the entries of a kit's REGISTRY).
- "logique": anything else. When a rule is unsure, the pair counts here.

Rules, line by line (Python files; any other file, e.g. a template, is "logique"):
- not counted: blank lines, comments, lone brackets and commas, imports, docstrings;
- a class statement's header, and an assignment directly in a class body (a model field,
  a Meta option, a choice, a form or admin attribute), declare;
- a module-level assignment declares if its value holds only literals, names, attributes,
  containers and calls of `path`, `re_path`, `include` or `<view>.as_view` (URL lists,
  tables of allowed moves); a comprehension, an operator or another call makes it logic;
- a line inside a function is logic, except: `__str__` whose body is one `return` of an
  attribute, a name or an f-string (a model's label), and argument lines (a line that is
  only `name=value,` or a literal or dotted name followed by a comma) or the head of the
  call they belong to (a line ending with its opening parenthesis). A place made only of
  argument lines and call heads, with at least four argument lines, is "arguments";
  mixed with other lines of a function, it is logic.

Usage: python scripts/cross_app_duplicates.py [--all]   (--all: also same-app pairs)
Exit status 0 always: the list is a place to look, not a verdict.
"""

import ast
import collections
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = re.compile(r"(^|/)migrations/|^tests/|^bench/")
ROW = re.compile(r"^(D\d+) (\S+):(\d+)-(\d+) ~ (\S+):(\d+)-(\d+)(.*)$")

# What a line is (see the module docstring).
SKIP, DECLARATION, ARGUMENT, CALL_HEAD, LOGIC = "skip", "decl", "arg", "head", "logic"
PUNCTUATION = re.compile(r"^[\s()\[\]{},:]*$")
# An argument alone on its line: `name=value,` or `value,`, the value a literal, a dotted
# name or a call of a dotted name on literals and names (no operator, no comprehension).
SIMPLE_VALUE = (
    r"""(-?\d[\d_.]*|[rbfu]?"[^"]*"|[rbfu]?'[^']*'|[A-Za-z_][\w.]*"""
    r"""(\([\w.\s,="'-]*\))?|\[\]|\{\}|\(\))"""
)
ARGUMENT_LINE = re.compile(rf"^(\*{{0,2}}[A-Za-z_]\w*={SIMPLE_VALUE},?|{SIMPLE_VALUE},)$")
CALL_HEAD_LINE = re.compile(r"^[\w.]+(\s*=\s*[\w.]+)?\($")  # `x = Model.objects.create(`
URL_CALLS = {"path", "re_path", "include", "as_view"}
KIND_BY_FILE = (
    (re.compile(r"(^|/)models\.py$"), "modèle"),
    (re.compile(r"(^|/)(\w+_)?urls\.py$"), "URL"),
    (re.compile(r"(^|/)forms\.py$"), "formulaire"),
    (re.compile(r"(^|/)admin\.py$"), "admin"),
)
CATEGORY_ORDER = [
    "identique",
    "importations",
    "logique",
    "déclaration : modèle",
    "déclaration : URL",
    "déclaration : formulaire",
    "déclaration : admin",
    "déclaration : attributs et tables",
    "déclaration : arguments",
]


def tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [name for name in out.splitlines() if not SKIPPED.search(name)]


def _declarative_value(node: ast.AST) -> bool:
    """A module-level value that declares: literals, names and containers, URL calls."""
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            func = child.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in URL_CALLS:
                return False
        elif isinstance(
            child,
            ast.Lambda
            | ast.ListComp
            | ast.SetComp
            | ast.DictComp
            | ast.GeneratorExp
            | ast.BinOp
            | ast.BoolOp
            | ast.Compare
            | ast.IfExp
            | ast.NamedExpr,
        ):
            return False
    return True


def _simple_str(node: ast.FunctionDef) -> bool:
    body = [s for s in node.body if not _is_docstring(s)]
    return (
        node.name == "__str__"
        and len(body) == 1
        and isinstance(body[0], ast.Return)
        and isinstance(body[0].value, ast.Attribute | ast.Name | ast.JoinedStr | ast.Constant)
    )


def _is_docstring(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def line_kinds(source: str) -> dict[int, str]:
    """What each line of a Python file is: declaration, argument, call head, logic or skip.
    Lines not in the map are skipped (blank, comments, imports, docstrings)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    kinds: dict[int, str] = {}

    def mark(node: ast.AST, kind: str) -> None:
        for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
            kinds[line] = kind

    def visit(body: list[ast.stmt], in_class: bool) -> None:
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom) or _is_docstring(node):
                continue
            if isinstance(node, ast.ClassDef):
                for decorator in node.decorator_list:
                    mark(decorator, LOGIC)
                header_end = node.body[0].lineno - 1 if node.body else node.lineno
                for line in range(node.lineno, header_end + 1):
                    kinds[line] = DECLARATION
                visit(node.body, in_class=True)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if _simple_str(node):
                    mark(node, DECLARATION)
                else:
                    mark(node, LOGIC)
                    for decorator in node.decorator_list:
                        mark(decorator, LOGIC)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                value = node.value
                declares = in_class or value is None or _declarative_value(value)
                mark(node, DECLARATION if declares else LOGIC)
            else:
                mark(node, LOGIC)

    visit(tree.body, in_class=False)
    # Inside functions, a line that is only an argument (or the head of the call) may still
    # belong to a keyword-argument list: say so, the place decides.
    lines = source.splitlines()
    for number, kind in list(kinds.items()):
        if kind != LOGIC or number > len(lines):
            continue
        text = lines[number - 1].strip()
        if ARGUMENT_LINE.match(text):
            kinds[number] = ARGUMENT
        elif CALL_HEAD_LINE.match(text):
            kinds[number] = CALL_HEAD
    for number, text in enumerate(lines, start=1):
        stripped = text.strip()
        if not stripped or stripped.startswith("#") or PUNCTUATION.match(stripped):
            kinds.pop(number, None)
    return kinds


def place_category(tree: Path, name: str, first: int, last: int, cache: dict) -> str:
    """ "logique", "arguments" or the kind of declaration of lines first–last of a file."""
    if not name.endswith(".py"):
        return "logique"
    if name not in cache:
        path = tree / name
        cache[name] = line_kinds(path.read_text(encoding="utf-8")) if path.is_file() else {}
    kinds = [cache[name][n] for n in range(first, last + 1) if n in cache[name]]
    if not kinds or LOGIC in kinds:
        return "logique"
    if ARGUMENT in kinds or CALL_HEAD in kinds:
        if DECLARATION in kinds or kinds.count(ARGUMENT) < 4:
            return "logique"
        return "arguments"
    for pattern, kind in KIND_BY_FILE:
        if pattern.search(name):
            return kind
    return "attributs et tables"


def import_lines(source: str) -> set[int]:
    """The line numbers that import statements span."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {
        number
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for number in range(node.lineno, node.end_lineno + 1)
    }


def only_imports(tree: Path, name: str, first: int, last: int) -> bool:
    path = tree / name
    if not name.endswith(".py") or not path.is_file():
        return False
    return set(range(first, last + 1)) <= import_lines(path.read_text(encoding="utf-8"))


def category(tree: Path, match: re.Match, cache: dict) -> str:
    if "shape" not in match.group(8):
        places = [(match.group(2), match.group(3), match.group(4))]
        places.append((match.group(5), match.group(6), match.group(7)))
        if all(only_imports(tree, name, int(a), int(b)) for name, a, b in places):
            return "importations"
        return "identique"
    left = place_category(tree, match.group(2), int(match.group(3)), int(match.group(4)), cache)
    right = place_category(tree, match.group(5), int(match.group(6)), int(match.group(7)), cache)
    if "logique" in (left, right):
        return "logique"
    if left != right:
        # Two kinds of declaration (a model's fields beside an admin's attributes): the first
        # one named, unless one side is a plain argument list.
        left = right if left == "arguments" else left
    return f"déclaration : {left}"


def main(argv: list[str]) -> int:
    if shutil.which("duplicates") is None:
        print("La commande `duplicates` n'est pas installée sur cette machine.")
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as name:
        tree = Path(name)
        for file_name in tracked_files():
            source = ROOT / file_name
            if source.is_file():
                target = tree / file_name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        result = subprocess.run(
            ["duplicates", "--repo", str(tree), "--most", "200", "--seconds", "120"],
            capture_output=True,
            text=True,
        ).stdout
        lines = result.splitlines()
        cache: dict = {}
        for line in lines:
            match = ROW.match(line)
            if not match:
                continue
            left, right = match.group(2), match.group(5)
            if "--all" in argv or left.split("/")[0] != right.split("/")[0]:
                rows.append((category(tree, match, cache), line))
    print(lines[0] if lines else "duplicates n'a rien répondu")
    counts = collections.Counter(tag for tag, _ in rows)
    boilerplate = sum("boilerplate" in line for _, line in rows)
    print(f"{len(rows)} paires entre applications (dont {boilerplate} « boilerplate ») :")
    for tag in CATEGORY_ORDER + sorted(set(counts) - set(CATEGORY_ORDER)):
        if counts[tag]:
            print(f"  {tag} : {counts[tag]}")
    for tag, line in rows:
        print(f"{line}  [{tag}]")
    for line in lines:
        if line.startswith(("left out:", "incomplete:", "(+")):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
