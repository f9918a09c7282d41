"""Helpers for HTML fragments built in Python (the work list's cells, registry.PortfolioColumn).

Each one gives what the matching template construct prints, escaped the same way
(Django's autoescape), so a cell built with them matches its reference template.
"""

from django.template.defaultfilters import join, pluralize
from django.utils import dateformat
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime


def esc(value) -> str:
    """`{{ value }}`: the text escaped, unless already marked safe; None prints "None"."""
    return str(conditional_escape(value))


def date_fr(value) -> str:
    """`{{ value|date:"d/m/Y" }}`: a datetime in local time, "" for no value."""
    if value in (None, ""):
        return ""
    return dateformat.format(template_localtime(value), "d/m/Y")


def plural(count) -> str:
    """`{{ count|pluralize }}`: "s" unless the count is exactly 1 ("" for no number)."""
    return pluralize(count)


def joined(values, separator: str = ", ") -> str:
    """`{{ values|join:", " }}`: each value escaped."""
    return join(values, separator, autoescape=True)
