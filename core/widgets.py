"""Widgets shared by every form."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


def _text(value) -> str:
    # A label already marked safe is kept as is (Django's conditional_escape rule).
    return str(value.__html__()) if hasattr(value, "__html__") else escape(str(value))


class DateInput(forms.DateInput):
    """The browser's date picker (<input type="date">), which reads and sends ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class FastSelect(forms.Select):
    """A <select> whose options are rendered in Python.

    Django's stock widget includes one template per <option>, and even format_html per
    option costs about 5 ms on the portfolio's filters (101 départements, 18 ARS,
    catalogues). The markup is the stock one (same attributes, same selected option); only
    the way it is built differs: plain string escaping, the attribute helper only for the
    rare option that carries attributes beyond "selected".
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_text(widget["name"])}"{flatatt(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{_text(group_name)}">')
            for option in options:
                option_attrs = option["attrs"]
                if not option_attrs:
                    extra = ""
                elif option_attrs.keys() == {"selected"}:
                    extra = " selected"
                else:
                    extra = flatatt(option_attrs)
                parts.append(
                    f'<option value="{_text(option["value"])}"{extra}>'
                    f"{_text(option['label'])}</option>"
                )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
