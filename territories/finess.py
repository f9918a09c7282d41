"""FINESS numbers: format and check key.

A FINESS number has 9 characters: the département on 2 characters (01–95, 2A, 2B,
or 97/98 for overseas, whose 3rd digit completes the département), then digits.
The 9th character is a Luhn key computed over all 9 characters, the Corsican
prefixes 2A and 2B counting as 21 and 22.
"""

import re

from django.core.exceptions import ValidationError

FINESS_RE = re.compile(r"^(?:\d{2}|2[AB])\d{7}$")


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_finess(value: str) -> str:
    return (value or "").strip().upper()


def finess_error(value: str) -> str | None:
    """Return the French reason why `value` is not a valid FINESS number, or None."""
    value = normalise_finess(value)
    if not value:
        return "Le numéro FINESS est vide."
    if len(value) != 9:
        return f"Le numéro FINESS « {value} » doit comporter 9 caractères (il en a {len(value)})."
    if not FINESS_RE.match(value):
        return (
            f"Le numéro FINESS « {value} » doit commencer par un code de département "
            "(01 à 95, 2A, 2B, 97 ou 98) suivi de chiffres uniquement."
        )
    if value.startswith("00") or value.startswith("96") or value.startswith("99"):
        return f"Le numéro FINESS « {value} » commence par un code de département inexistant."
    digits = value.replace("2A", "21", 1) if value.startswith("2A") else value
    digits = digits.replace("2B", "22", 1) if digits.startswith("2B") else digits
    if not luhn_ok(digits):
        return f"La clé de contrôle du numéro FINESS « {value} » est fausse (faute de frappe ?)."
    return None


def is_valid_finess(value: str) -> bool:
    return finess_error(value) is None


def validate_finess(value: str) -> None:
    error = finess_error(value)
    if error:
        raise ValidationError(error, code="invalid_finess")


def with_check_key(first_eight: str) -> str:
    """Complete 8 characters with the Luhn key that makes a valid FINESS number."""
    digits = first_eight.replace("2A", "21", 1) if first_eight.startswith("2A") else first_eight
    digits = digits.replace("2B", "22", 1) if digits.startswith("2B") else digits
    for key in "0123456789":
        if luhn_ok(digits + key):
            return first_eight + key
    raise ValueError(first_eight)  # pragma: no cover - a Luhn key always exists
