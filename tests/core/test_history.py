"""History values are shown as a French reader expects them, never as Python reprs."""

import datetime
from decimal import Decimal

from django.utils import timezone, translation

from core.history import _value


def test_values_are_french():
    with translation.override("fr"):
        assert _value(75.6) == "75,6"
        assert _value(69.0) == "69"
        assert _value(Decimal("12.50")) == "12,50"
        assert _value(datetime.date(2026, 1, 15)) == "15/01/2026"
        assert _value(True) == "Oui"
        assert _value(None) == "—"
        assert _value(["a", "b"]) == "a, b"


def test_aware_datetimes_are_local_time():
    moment = datetime.datetime(2026, 1, 15, 8, 30, tzinfo=datetime.UTC)
    with translation.override("fr"), timezone.override("Europe/Paris"):
        assert _value(moment) == "15/01/2026 09:30"


def test_a_json_mapping_is_readable():
    # Eval'Impact's axis scores: {'1': None, …} → {'1': 70.8, …} used to show as reprs.
    with translation.override("fr"):
        text = _value({"1": None, "2": 70.8})
    assert text == "1 : — · 2 : 70,8"
    assert "None" not in text and "{" not in text
