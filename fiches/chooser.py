"""The legal-form chooser: questionnaire answers → forms ranked with reasons for and against.

The rules are data (`ChooserRule`, seeded from legal-forms.md, editable in the admin):
each (criterion, answer, form) row adds a weight (positive = for, negative = against) and
may exclude the form outright. A form's score is the sum of the weights of the rows that
match the answers; excluded forms are listed last with what rules them out.
"""

from dataclasses import dataclass, field

from cooperations.models import LegalForm
from fiches.models import ChooserRule


@dataclass
class Ranked:
    legal_form: LegalForm
    score: int = 0
    excluded: bool = False
    reasons_for: list[str] = field(default_factory=list)
    reasons_against: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "code": self.legal_form.code,
            "name": self.legal_form.short_name,
            "score": self.score,
            "excluded": self.excluded,
            "for": self.reasons_for,
            "against": self.reasons_against,
        }


def rank_legal_forms(answers: dict) -> list[Ranked]:
    rules = ChooserRule.objects.select_related("legal_form").filter(legal_form__is_historical=False)
    ranked: dict[int, Ranked] = {}
    for rule in rules:
        # Every form that the rule table knows is a candidate, even with no matching row.
        entry = ranked.setdefault(rule.legal_form_id, Ranked(rule.legal_form))
        if answers.get(rule.criterion) != rule.value:
            continue
        entry.score += rule.weight
        if rule.excludes:
            entry.excluded = True
            entry.reasons_against.append(rule.reason)
        elif rule.weight > 0:
            entry.reasons_for.append(rule.reason)
        elif rule.weight < 0:
            entry.reasons_against.append(rule.reason)
    return sorted(
        ranked.values(),
        key=lambda r: (r.excluded, -r.score, r.legal_form.order, r.legal_form.name),
    )
