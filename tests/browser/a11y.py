"""axe-core checks inside Playwright pages."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A/AA rules, the basis of RGAA 4.1.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[str]:
    if not AXE.exists():
        raise AssertionError(
            "axe-core absent : lancez `make deps-test` (npm ci dans tests/browser/axe)."
        )
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    problems = []
    for violation in result["violations"]:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        problems.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} → {targets}"
        )
    return problems
