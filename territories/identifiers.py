"""Identifiers as spreadsheets damage them: one normaliser per identifier.

Used by every importer (per-line notes and refusals in the report), every form (the member
form's "vouliez-vous dire 010780054 ?"), and the search. Each normaliser returns a
`Normalised(value, note, error)`: `value` is what to store ("" when refused), `note` says
in French what was corrected, `error` why the value is refused (then nothing is stored).

What spreadsheets do to identifiers, and what we do about it:
- leading zeros dropped (FINESS 010780054 → 10780054, commune 01053 → 1053, postcode
  01440 → 1440, phone 0474… → 474…): restored when the length leaves no doubt, and for
  FINESS, SIREN and SIRET only when the check key proves the restored number;
- long numbers written in scientific notation (SIRET 26010004500012 → 2,601E+13): the
  digits are lost, so the value is refused, never "repaired";
- a trailing ".0" (a number read back from a workbook): removed.
"""

import re
from dataclasses import dataclass

from territories.finess import finess_error, luhn_ok, normalise_finess

FINESS_FAST_RE = re.compile(r"^(?:\d{2}|2[AB])\d{7}$")
SCIENTIFIC_RE = re.compile(r"^[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+$")
SEPARATORS_RE = re.compile(r"[\s.\-/_\u00a0\u202f]")
CORSICA_COMMUNE_RE = re.compile(r"^2[AB][0-9]{3}$")


@dataclass(frozen=True)
class Normalised:
    value: str
    note: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _strip_float_suffix(text: str) -> str:
    return text[:-2] if re.fullmatch(r"[0-9]+\.0", text) else text


def _is_scientific(text: str) -> bool:
    return bool(SCIENTIFIC_RE.match(text.replace(" ", "")))


def normalise_finess_number(raw: str, *, label: str = "FINESS") -> Normalised:
    """A FINESS number, with its leading zero restored when the check key proves it.

    `10780054` → `010780054` with a note; `1,0780054E+8` refused; an invalid number
    refused with the reason of territories.finess.finess_error.
    """
    text = normalise_finess(str(raw or ""))
    if len(text) == 9 and FINESS_FAST_RE.match(text) and not finess_error(text):
        return Normalised(text)  # the common case, checked first (national imports)
    if not text:
        return Normalised("", error=f"numéro {label} vide")
    if _is_scientific(text):
        return Normalised(
            "",
            error=(
                f"numéro {label} « {text} » en notation scientifique : le tableur a arrondi le "
                "numéro, reprenez-le du fichier d'origine"
            ),
        )
    text = SEPARATORS_RE.sub("", _strip_float_suffix(text))
    if len(text) == 8 and text.isdigit() and not finess_error("0" + text):
        restored = "0" + text
        return Normalised(
            restored,
            note=f"{label} « {text} » complété en {restored} (zéro initial perdu par un tableur)",
        )
    error = finess_error(text)
    if error:
        return Normalised("", error=error[0].lower() + error[1:].rstrip("."))
    return Normalised(text)


def finess_suggestion(raw: str) -> str | None:
    """The 9-character number a user most likely meant (for "vouliez-vous dire … ?")."""
    text = SEPARATORS_RE.sub("", _strip_float_suffix(normalise_finess(str(raw or ""))))
    if len(text) == 8 and text.isdigit() and not finess_error("0" + text):
        return "0" + text
    return None


def _restore_with_key(digits: str, length: int, label: str) -> Normalised:
    if not digits.isdigit():
        return Normalised("", error=f"{label} « {digits} » : seuls des chiffres sont attendus")
    if len(digits) == length:
        return Normalised(digits)
    if len(digits) < length and luhn_ok(digits.zfill(length)) and len(digits) >= length - 2:
        restored = digits.zfill(length)
        return Normalised(
            restored,
            note=f"{label} « {digits} » complété en {restored} (zéros initiaux perdus par un tableur)",
        )
    return Normalised(
        "", error=f"{label} « {digits} » : {length} chiffres attendus (il en a {len(digits)})"
    )


def normalise_siret(raw: str) -> Normalised:
    """14 digits; scientific notation refused; a lost leading zero restored if the key proves it.

    An empty value is allowed (many register rows have none): Normalised("").
    """
    text = str(raw or "").strip()
    if not text:
        return Normalised("")
    if len(text) == 14 and text.isdigit():
        return Normalised(text)
    if _is_scientific(text):
        return Normalised(
            "",
            error=(
                f"SIRET « {text} » en notation scientifique : le tableur a arrondi le numéro "
                "(ses derniers chiffres sont perdus), il n'est pas enregistré"
            ),
        )
    return _restore_with_key(SEPARATORS_RE.sub("", _strip_float_suffix(text)), 14, "SIRET")


def normalise_siren(raw: str) -> Normalised:
    """9 digits; same rules as the SIRET."""
    text = str(raw or "").strip()
    if not text:
        return Normalised("")
    if len(text) == 9 and text.isdigit():
        return Normalised(text)
    if _is_scientific(text):
        return Normalised(
            "", error=f"SIREN « {text} » en notation scientifique : il n'est pas enregistré"
        )
    return _restore_with_key(SEPARATORS_RE.sub("", _strip_float_suffix(text)), 9, "SIREN")


def normalise_commune_code(raw: str) -> Normalised:
    """INSEE commune code on 5 characters: `1053` → `01053`; `2A004` kept; empty allowed."""
    if isinstance(raw, str) and len(raw) == 5 and raw.isdigit():
        return Normalised(raw)
    text = _strip_float_suffix(str(raw or "").strip().upper())
    if not text:
        return Normalised("")
    if CORSICA_COMMUNE_RE.match(text) or (len(text) == 5 and text.isdigit()):
        return Normalised(text)
    if text.isdigit() and len(text) == 4:
        return Normalised(
            "0" + text,
            note=f"code commune « {text} » complété en 0{text} (zéro initial perdu)",
        )
    return Normalised(
        "", error=f"code commune « {text} » : 5 caractères attendus (ex. 01053, 2A004)"
    )


def normalise_postcode(raw: str) -> Normalised:
    """Postcode on 5 digits: `1440` → `01440`; Corsican postcodes are numeric (20000…)."""
    if isinstance(raw, str) and len(raw) == 5 and raw.isdigit():
        return Normalised(raw)
    text = _strip_float_suffix(str(raw or "").strip())
    if not text:
        return Normalised("")
    if text.isdigit() and len(text) == 5:
        return Normalised(text)
    if text.isdigit() and len(text) == 4:
        return Normalised(
            "0" + text, note=f"code postal « {text} » complété en 0{text} (zéro initial perdu)"
        )
    return Normalised("", error=f"code postal « {text} » : 5 chiffres attendus")


def normalise_departement_code(raw: str) -> Normalised:
    """`1` → `01`; `2a` → `2A`; `971`, FINESS's `9A` kept as given."""
    text = _strip_float_suffix(str(raw or "").strip().upper())
    if text.isdigit() and len(text) == 1:
        return Normalised("0" + text, note=f"département « {text} » complété en 0{text}")
    return Normalised(text)


def normalise_phone(raw: str) -> Normalised:
    """French numbers on 10 digits starting with 0: `+33 4 74…`, `474454647`, `04.74.45…`.

    Anything else (foreign numbers) is kept as typed, without separators.
    """
    if isinstance(raw, str) and len(raw) == 10 and raw.isdigit() and raw[0] == "0":
        return Normalised(raw)
    text = _strip_float_suffix(str(raw or "").strip())
    if not text:
        return Normalised("")
    digits = re.sub(r"[^0-9+]", "", text)
    if digits.startswith("+33"):
        digits = "0" + digits[3:].lstrip("0")
    elif digits.startswith("0033"):
        digits = "0" + digits[4:].lstrip("0")
    if digits.isdigit() and len(digits) == 9 and digits[0] != "0":
        return Normalised(
            "0" + digits, note=f"téléphone « {text} » complété en 0{digits} (zéro initial perdu)"
        )
    if digits.isdigit() and len(digits) == 10 and digits.startswith("0"):
        return Normalised(digits)
    return Normalised(digits[:20])


def format_phone(value: str) -> str:
    """`0474454647` → `04 74 45 46 47` (display only)."""
    if value and len(value) == 10 and value.isdigit():
        return " ".join(value[i : i + 2] for i in range(0, 10, 2))
    return value or ""
