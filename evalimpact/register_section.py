"""The Hospi Diag block of the establishment / legal-entity page (registered in apps.py)."""

from evalimpact.models import HospidiagValue
from evalimpact.services.hospidiag import CODE_LABELS


def hospidiag_context(request, establishment, legal_entity) -> dict | None:
    """Latest value of each stored Hospi Diag indicator for the site and for its legal
    entity, with its year and source. One query."""
    numbers = {legal_entity.finess: "entité juridique"}
    if establishment is not None:
        numbers[establishment.finess] = "établissement"
    latest = {}
    for value in HospidiagValue.objects.filter(finess__in=list(numbers)).order_by("year"):
        latest[(value.finess, value.code)] = value
    rows = [
        {
            "code": value.code,
            "label": CODE_LABELS.get(value.code, value.code),
            "value": value.value.normalize(),
            "year": value.year,
            "source": value.source,
            "whose": numbers[value.finess],
            "finess": value.finess,
        }
        for (_finess, _code), value in sorted(
            latest.items(), key=lambda item: (item[0][1], item[0][0])
        )
    ]
    return {"rows": rows}
