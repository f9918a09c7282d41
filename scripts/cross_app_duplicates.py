"""List the blocks that two apps share (issue 17: "no block shared between apps").

Runs the workplace's `duplicates` command (not a project dependency: it must be on PATH) on
a copy of the tracked files without migrations, tests and bench, and keeps the pairs whose
two places stand in different top-level folders (apps, config, templates). Each pair is
tagged: "same" (identical lines), "shape" (same shape, other names and values: mostly
Django declarations such as model fields and URL lists), "boilerplate".

Usage: python scripts/cross_app_duplicates.py [--all]   (--all: also same-app pairs)
Exit status 0 always: the list is a place to look, not a verdict.
"""

import collections
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = re.compile(r"(^|/)migrations/|^tests/|^bench/")
ROW = re.compile(r"^(D\d+) (\S+):(\d+-\d+) ~ (\S+):(\d+-\d+)(.*)$")


def tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [name for name in out.splitlines() if not SKIPPED.search(name)]


def kind(rest: str) -> str:
    if "boilerplate" in rest:
        return "boilerplate"
    return "shape" if "shape" in rest else "same"


def main(argv: list[str]) -> int:
    if shutil.which("duplicates") is None:
        print("La commande `duplicates` n'est pas installée sur cette machine.")
        return 0
    with tempfile.TemporaryDirectory() as tree:
        for name in tracked_files():
            source = ROOT / name
            if source.is_file():
                target = Path(tree) / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        result = subprocess.run(
            ["duplicates", "--repo", tree, "--most", "200", "--seconds", "120"],
            capture_output=True,
            text=True,
        ).stdout
    lines = result.splitlines()
    rows = []
    for line in lines:
        match = ROW.match(line)
        if not match:
            continue
        left, right = match.group(2), match.group(4)
        if "--all" in argv or left.split("/")[0] != right.split("/")[0]:
            rows.append((kind(match.group(6)), line))
    print(lines[0] if lines else "duplicates n'a rien répondu")
    counts = collections.Counter(tag for tag, _ in rows)
    print(f"{len(rows)} paires entre applications : {dict(counts)}")
    for _, line in rows:
        print(line)
    for line in lines:
        if line.startswith(("left out:", "incomplete:", "(+")):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
