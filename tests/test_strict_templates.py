"""Strict template rendering (tests/strict_templates.py) fails where it should, and only there."""

import pytest
from django.conf import settings
from django.template import Context, Origin, Template, engines
from django.template.loader import render_to_string

from tests.strict_templates import UndefinedTemplateVariable


def project_template(source: str) -> Template:
    """A template compiled as if it were a file of the project's templates/ folder."""
    engine = engines["django"].engine
    origin = Origin(name=str(settings.BASE_DIR / "templates" / "strict_probe.html"))
    return Template(source, origin=origin, engine=engine)


def test_undefined_variable_in_a_project_template_fails():
    with pytest.raises(UndefinedTemplateVariable, match=r"« missing\.title ».*strict_probe\.html"):
        project_template("<p>{{ missing.title }}</p>").render(Context({}))


def test_undefined_attribute_of_a_present_object_fails():
    with pytest.raises(UndefinedTemplateVariable, match="coop.titel"):
        project_template("{{ coop.titel }}").render(Context({"coop": {"title": "GCS"}}))


def test_a_real_project_template_is_strict():
    with pytest.raises(
        UndefinedTemplateVariable, match=r"fields_output.*layout/buttonholder\.html"
    ):
        render_to_string("kitcoop_dsfr/layout/buttonholder.html", {})


@pytest.mark.parametrize(
    "source, expected",
    [
        ('{{ missing|default:"—" }}', "—"),
        ('{{ missing.title|upper|default:"vide" }}', "vide"),
        ('{{ missing|default_if_none:"" }}', ""),
        ("{% if missing %}oui{% else %}non{% endif %}", "non"),
        ("{% for item in missing %}{{ item }}{% empty %}aucun{% endfor %}", "aucun"),
        ('{% firstof missing "repli" %}', "repli"),
        ("{{ present }}", "là"),
    ],
)
def test_lenient_forms_pass(source, expected):
    assert project_template(source).render(Context({"present": "là"})) == expected


def test_a_template_from_a_string_is_not_affected():
    assert engines["django"].from_string("[{{ missing }}]").render({}) == "[]"


def test_a_third_party_template_is_not_affected():
    # django-dsfr's callout prints `{{ self.text }}` with no default.
    html = render_to_string("dsfr/callout.html", {})
    assert "fr-callout__text" in html
