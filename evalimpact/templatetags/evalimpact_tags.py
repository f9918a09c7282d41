from django import template

from evalimpact.services.scoring import format_change, format_number

register = template.Library()


@register.filter
def score(value, digits: int = 1):
    """A score as the radar writes it: 62,5 — or "n.c." when not computed."""
    if value is None or value == "":
        return "n.c."
    return format_number(round(float(value), int(digits)), int(digits))


@register.filter
def axis_score(scores, code):
    return score((scores or {}).get(str(code)))


@register.filter
def change(value):
    return format_change(value)


@register.filter
def score_change(answer_score):
    """The change an AnswerScore was scored on: "+5 %" or "+18 jours par an" (absolute)."""
    if answer_score is None:
        return "—"
    unit = answer_score.unit if answer_score.absolute else None
    return format_change(answer_score.change, unit)


@register.filter
def scale_text(indicator):
    from evalimpact.services.scoring import indicator_scale_text

    return indicator_scale_text(indicator)
