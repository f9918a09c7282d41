"""Write the open-data slices of fixtures/ from the full public files (reproducible).

Usage: python scripts/slice_open_data.py /path/to/shared/data

- SAE 2022 identification table: the lines of the demo's départements, bytes unchanged
  (Windows-1252); the GHT list whole.
- Hospi Diag 2022: the lines of the legal entities and sites of that slice (hd2022), their
  own market share in their zone (pdmza: finess == zone), their regional shares (pdmreg).
- FINESS 2026 JSON samples: copied whole (they are the ANS's published examples).
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DEMO_DEPARTEMENTS = {"01", "38", "69", "31", "35", "75"}


def main(source: Path) -> None:
    (FIXTURES / "sae-2022").mkdir(parents=True, exist_ok=True)
    (FIXTURES / "hospidiag-2022").mkdir(parents=True, exist_ok=True)
    (FIXTURES / "finess-2026").mkdir(parents=True, exist_ok=True)
    lines = (source / "sae-2022" / "ID_2022r.csv").read_bytes().splitlines(keepends=True)
    header = lines[0].decode("cp1252").rstrip("\r\n").split(";")
    dep, fi, fi_ej = header.index("dep"), header.index("fi"), header.index("fi_ej")
    kept, numbers = [lines[0]], set()
    for line in lines[1:]:
        fields = line.decode("cp1252").split(";")
        if fields[dep] in DEMO_DEPARTEMENTS:
            kept.append(line)
            numbers |= {fields[fi], fields[fi_ej]}
    (FIXTURES / "sae-2022" / "ID_2022r-demo.csv").write_bytes(b"".join(kept))
    shutil.copyfile(source / "sae-2022" / "GHT_2022r.csv", FIXTURES / "sae-2022" / "GHT_2022r.csv")
    for name, keep in (
        ("hd2022.csv", lambda f: f[0] in numbers),
        ("pdmza_2022.csv", lambda f: f[0] in numbers and f[0] == f[1]),
        ("pdmreg_2022.csv", lambda f: f[0] in numbers),
    ):
        rows = (source / "hospidiag-2022" / name).read_bytes().splitlines(keepends=True)
        out = [rows[0]] + [r for r in rows[1:] if keep(r.decode("utf-8").split(",", 2))]
        target = name.replace(".csv", "-demo.csv")
        (FIXTURES / "hospidiag-2022" / target).write_bytes(b"".join(out))
    for name in ("finess-structures-sample-20260309.json", "finess-activites-sample-20260401.json"):
        shutil.copyfile(source / "finess-2026-json" / name, FIXTURES / "finess-2026" / name)
    print(f"SAE : {len(kept) - 1} lignes ; numéros FINESS : {len(numbers)}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"))
