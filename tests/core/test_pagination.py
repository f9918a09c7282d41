"""core.pagination.CappedPaginator: a count that stops at its cap (the establishment search
uses it; tests/territories/test_search.py covers the page)."""

import pytest

from core.pagination import CappedPaginator
from territories.models import Departement

pytestmark = pytest.mark.django_db


def _paginator(cap: int) -> CappedPaginator:
    rows = Departement.objects.order_by("code")
    return CappedPaginator(rows, 10, count_query=rows.order_by(), cap=cap)


def test_the_count_stops_at_the_cap_and_pages_end_there():
    total = Departement.objects.count()
    assert total > 30  # the reference data: every département
    paginator = _paginator(30)
    assert (paginator.found, paginator.count, paginator.capped) == (31, 30, True)
    assert paginator.num_pages == 3
    assert paginator.get_page(9).number == 3  # beyond the cap: its last page


def test_below_the_cap_the_count_is_exact():
    total = Departement.objects.count()
    paginator = _paginator(total)
    assert (paginator.count, paginator.capped) == (total, False)
