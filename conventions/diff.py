"""Clause-by-clause comparison of two convention versions (difflib on words)."""

import difflib
import re
from dataclasses import dataclass, field

# A word with the spaces that follow it: changes read as whole words, not letters.
TOKEN_RE = re.compile(r"\s*\S+\s*|\s+")
# Below this similarity a word-by-word diff is noise: show the old and the new text whole.
REWRITE_RATIO = 0.5


@dataclass
class ClauseDiff:
    key: str
    title: str
    status: str  # "unchanged", "changed", "added", "removed"
    segments: list = field(default_factory=list)  # [(op, text)], op in "equal", "del", "ins"

    @property
    def status_label(self) -> str:
        return {
            "unchanged": "Inchangée",
            "changed": "Modifiée",
            "added": "Ajoutée",
            "removed": "Retirée",
        }[self.status]


def _segments(old: str, new: str) -> list:
    old_tokens, new_tokens = TOKEN_RE.findall(old), TOKEN_RE.findall(new)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    if matcher.ratio() < REWRITE_RATIO:
        return [("del", old), ("ins", "\n" + new)]
    segments = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", "".join(old_tokens[a1:a2])))
            continue
        if op in ("replace", "delete"):
            segments.append(("del", "".join(old_tokens[a1:a2])))
        if op in ("replace", "insert"):
            segments.append(("ins", "".join(new_tokens[b1:b2])))
    return segments


def _present(clauses) -> dict:
    return {c.key: c for c in clauses if c.included}


def compare(old_version, new_version) -> list[ClauseDiff]:
    """Every clause of either version, in the newer order, with what changed."""
    old = _present(old_version.clauses.all())
    new = _present(new_version.clauses.all())
    result = []
    if old_version.preamble != new_version.preamble:
        result.append(
            ClauseDiff(
                "preambule",
                "Préambule",
                "changed",
                _segments(old_version.preamble, new_version.preamble),
            )
        )
    for key, clause in new.items():
        previous = old.get(key)
        if previous is None:
            result.append(ClauseDiff(key, clause.title, "added", [("ins", clause.body)]))
        elif previous.body == clause.body and previous.title == clause.title:
            result.append(ClauseDiff(key, clause.title, "unchanged", [("equal", clause.body)]))
        else:
            result.append(
                ClauseDiff(key, clause.title, "changed", _segments(previous.body, clause.body))
            )
    for key, clause in old.items():
        if key not in new:
            result.append(ClauseDiff(key, clause.title, "removed", [("del", clause.body)]))
    return result


def changed_titles(diffs: list[ClauseDiff]) -> list[str]:
    return [d.title for d in diffs if d.status != "unchanged"]
