"""Input normalisation: the one rule for text, dates and numbers a user types.

- text: Unicode NFC; control characters removed except tab and newline; CR LF and lone CR
  become LF (what a textarea sends is stored the same on every browser);
- dates: a plausible range for project dates (`PLAUSIBLE_DATES`), checked by every form
  and by the models' check constraints;
- numbers: French formats ("1 200", "1 200,5", non-breaking spaces), bounded length and
  exponent, parsed by `parse_number`.

Forms apply these once (`core.forms.DsfrFormMixin`); writers of exports and documents
(`core.spreadsheets`, `core.pdf`, the convention DOCX) call `printable` again so that rows
stored before the rule existed never break a file.
"""

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

# C0 controls but tab (\x09) and newline (\x0a), DEL, C1 controls; also the UTF-16
# surrogates and the two non-characters XML refuses.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def normalise_text(value: str) -> str:
    """NFC text with CR LF → LF and control characters (except tab, newline) removed."""
    if not value:
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _CONTROL.sub("", value))


def required_text(value, *, max_length: int, empty: str, too_long: str, field: str = "body") -> str:
    """`value` (a message a user wrote: a comment, a note) without surrounding blanks.
    ValidationError on `field` with the French `empty` message when nothing is left, or
    `too_long` past `max_length` characters."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: empty})
    if len(value) > max_length:
        raise ValidationError({field: too_long})
    return value


def printable(value):
    """For writers (XLSX, DOCX, PDF): a string without the characters XML cannot carry;
    anything else is returned unchanged."""
    if isinstance(value, str):
        return _CONTROL.sub("", value.replace("\r\n", "\n"))
    return value


# Project dates (deliverables, activities, cooperations, reports, conventions…).
PLAUSIBLE_DATES = (dt.date(1950, 1, 1), dt.date(2100, 12, 31))


def is_plausible(day) -> bool:
    if day is None:
        return True
    if isinstance(day, dt.datetime):
        day = day.date()
    return PLAUSIBLE_DATES[0] <= day <= PLAUSIBLE_DATES[1]


def plausible_date_message() -> str:
    low, high = PLAUSIBLE_DATES
    return f"Saisissez une date entre le {low:%d/%m/%Y} et le {high:%d/%m/%Y}."


def validate_plausible_date(value) -> None:
    """Form and model validator: a date outside PLAUSIBLE_DATES is refused in French."""
    if not is_plausible(value):
        raise ValidationError(plausible_date_message(), code="date_out_of_range")


# Numbers: at most this many digits before the decimal mark and after it.
MAX_INTEGER_DIGITS = 15
MAX_DECIMAL_DIGITS = 6
MAX_NUMBER_LENGTH = 40
_SPACES = re.compile("[ \u00a0\u202f\u2009\u2007']")
_FRENCH_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d{1,3})?$")


def parse_number(
    raw, *, max_integer_digits=MAX_INTEGER_DIGITS, max_decimal_digits=MAX_DECIMAL_DIGITS
) -> Decimal | None:
    """ "1 200,5" → Decimal("1200.5"); "" → None.

    Accepts spaces, non-breaking and narrow non-breaking spaces as thousands separators,
    a comma or a point as the decimal mark and a short exponent ("1,5e3"). Refuses, with a
    French message, text that is not a number, infinities and NaN, and numbers with more
    than `max_integer_digits` digits before the mark or `max_decimal_digits` after it.
    """
    if raw is None:
        return None
    if isinstance(raw, Decimal | int | float) and not isinstance(raw, bool):
        text = str(raw)
    else:
        text = str(raw).strip()
    if text == "":
        return None
    if len(text) > MAX_NUMBER_LENGTH:
        raise ValidationError("Ce nombre est trop long.", code="number_too_long")
    text = _SPACES.sub("", text)
    if not _FRENCH_NUMBER.match(text):
        raise ValidationError(
            "Saisissez un nombre (par exemple 1 200 ou 1 200,5).", code="invalid_number"
        )
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValidationError("Saisissez un nombre.", code="invalid_number") from None
    if not number.is_finite():
        raise ValidationError("Saisissez un nombre.", code="invalid_number")
    if number != 0 and number.adjusted() >= max_integer_digits:
        raise ValidationError(
            f"Ce nombre est trop grand ({max_integer_digits} chiffres au plus avant la virgule).",
            code="number_too_large",
        )
    normalised = number.normalize()
    if -normalised.as_tuple().exponent > max_decimal_digits:
        raise ValidationError(
            f"Ce nombre a trop de décimales ({max_decimal_digits} au plus).",
            code="number_too_precise",
        )
    # normalize() may write 1E+3: quantize back to a plain exponent ≥ 0 for storage.
    if normalised.as_tuple().exponent > 0:
        normalised = normalised.quantize(Decimal(1))
    return normalised


def plausible_date_constraints(model_name: str, *fields: str) -> list:
    """Check constraints keeping each date field within PLAUSIBLE_DATES (NULL passes).

    Added by migrations with `core.migration_operations.AddConstraintNotValid`, so that
    rows stored before the rule stay readable (reported by `manage.py check_dates`).
    """
    from django.db import models

    low, high = PLAUSIBLE_DATES
    return [
        models.CheckConstraint(
            condition=models.Q(**{f"{field}__gte": low, f"{field}__lte": high}),
            name=f"{model_name}_{field}_plausible",
            violation_error_message=plausible_date_message(),
        )
        for field in fields
    ]


def implausible_dates():
    """Rows whose dates break a plausible-date constraint (stored before the rule, or
    left by a NOT VALID constraint on PostgreSQL).

    Yields (model, field name, pk, stored value as text): the value is read as text, as a
    year 0 or a negative year stored by PostgreSQL has no Python date.
    """
    from django.apps import apps
    from django.db.models import CharField, Q
    from django.db.models.functions import Cast

    low, high = PLAUSIBLE_DATES
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if not constraint.name.endswith("_plausible"):
                continue
            field = constraint.condition.children[0][0].split("__")[0]
            rows = (
                model._default_manager.filter(
                    Q(**{f"{field}__lt": low}) | Q(**{f"{field}__gt": high})
                )
                .annotate(_stored=Cast(field, output_field=CharField()))
                .order_by("pk")
                .values_list("pk", "_stored")
            )
            for pk, stored in rows:
                yield model, field, pk, stored
