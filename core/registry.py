"""Extension points through which each kit shows itself in the shared screens.

`cooperations` must not import the kits (imports point one way), so each kit lists in
`<kit>/hooks.py` (`REGISTRY`, registered at startup by its `KitConfig`) what it adds to:
- the main navigation (`NavItem`),
- the cooperation page (`CooperationSection`: a tab link and a summary block),
- the home page (`HomeWidget`: "what needs my attention"),
- the COPIL PDF pack (`CopilSection`), assembled by `suivi`,
- a KIT 1 step page (`StepPanel`: a block under the step's questions, e.g. the SI checklist).

A context function must run a constant number of queries, whatever the data size.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import AppConfig


def signed_in(flag: str) -> Callable:
    """A `visible` test for the signed-in users whose role flag `flag` is true
    ("is_ars_agent", "is_referent", "is_copil_guest": properties of accounts.User)."""
    return lambda user: user.is_authenticated and getattr(user, flag)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int = 50
    visible: Callable = field(default=lambda user: True)
    # (request) -> int | None: a count shown beside the label (e.g. unread notifications).
    badge: Callable | None = None


@dataclass(frozen=True)
class CooperationSection:
    key: str
    label: str
    url_name: str  # reversed with the cooperation's pk
    order: int = 50
    summary_template: str | None = None
    get_context: Callable | None = None  # (request, cooperation) -> dict
    visible: Callable = field(default=lambda user, cooperation: True)


@dataclass(frozen=True)
class HomeWidget:
    key: str
    template: str
    get_context: Callable  # (request) -> dict
    order: int = 50
    visible: Callable = field(default=lambda user: True)


@dataclass(frozen=True)
class CopilSection:
    """A section of the COPIL PDF pack contributed by a kit.

    get_context(cooperation) returns the template context, or None when the kit has no
    data for this cooperation (the section is then left out of the pack).
    The template is an HTML fragment rendered inside templates/pdf/base.html.
    """

    key: str
    title: str
    template: str
    get_context: Callable  # (cooperation) -> dict | None
    order: int = 50


@dataclass(frozen=True)
class PortfolioColumn:
    """A column of the portfolio work list (cooperations:list) and of its export.

    annotate(queryset, today) adds the column's annotations (correlated subqueries on the
    cooperation: a constant number of queries, whatever the page size). The list applies
    the sort column's annotation to the whole filtered set, and every column's only to the
    page's rows. `sort` names the annotation or field sorted on ("-" first: most urgent is
    the largest value). `export(row)` gives the values under `export_headers`.

    The page's annotations are compiled to SQL once per day and thread (cooperations.
    portfolio.page_rows): `annotate` may depend on `today` and the settings only, never on
    the clock or the request. `cell(row)` gives the cell's HTML (every value escaped),
    rendered in Python because one template include per cell costs ~0.1 ms (140 cells a
    page); `cell_template` (context: `coop`, `row`) is the reference markup, rendered when
    `cell` is None, and tests check that both give the same HTML.
    """

    key: str
    label: str
    cell_template: str
    export_headers: tuple
    export: Callable  # (row) -> list
    annotate: Callable = field(default=lambda queryset, today: queryset)
    cell: Callable | None = None  # (PortfolioRow) -> SafeString
    sort: str | None = None
    order: int = 50
    default: bool = True  # shown and exported unless the user chooses otherwise


@dataclass(frozen=True)
class PortfolioFlag:
    """A "to handle" filter of the work list (stalled, waiting for validation, report
    overdue…): apply(queryset, today) -> the cooperations concerned."""

    key: str
    label: str
    apply: Callable
    order: int = 50


@dataclass(frozen=True)
class StepPanel:
    """A block of a KIT 1 step page contributed by another app.

    get_context(request, step) returns the template context, or None when the panel does
    not concern this step (it is then left out). Constant number of queries.
    """

    key: str
    template: str
    get_context: Callable  # (request, step) -> dict | None
    order: int = 50


@dataclass(frozen=True)
class EstablishmentSection:
    """A block of the establishment / legal-entity page contributed by another app.

    get_context(request, establishment, legal_entity) returns the template context, or None
    to leave the block out; `establishment` is None on a legal entity's page. Constant queries.
    """

    key: str
    title: str
    template: str
    get_context: Callable
    order: int = 50


NAV_ITEMS: list[NavItem] = []
PORTFOLIO_COLUMNS: list[PortfolioColumn] = []
PORTFOLIO_FLAGS: list[PortfolioFlag] = []
STEP_PANELS: list[StepPanel] = []
ESTABLISHMENT_SECTIONS: list[EstablishmentSection] = []
COPIL_SECTIONS: list[CopilSection] = []
COOPERATION_SECTIONS: list[CooperationSection] = []
HOME_WIDGETS: list[HomeWidget] = []


def _add(registry: list, item) -> None:
    # ready() may run twice (tests, autoreload): keep each entry once.
    key = getattr(item, "key", None) or item.url_name
    registry[:] = [i for i in registry if (getattr(i, "key", None) or i.url_name) != key]
    registry.append(item)
    registry.sort(key=lambda i: i.order)


_REGISTRIES = {
    NavItem: NAV_ITEMS,
    CooperationSection: COOPERATION_SECTIONS,
    HomeWidget: HOME_WIDGETS,
    CopilSection: COPIL_SECTIONS,
    PortfolioColumn: PORTFOLIO_COLUMNS,
    PortfolioFlag: PORTFOLIO_FLAGS,
    StepPanel: STEP_PANELS,
    EstablishmentSection: ESTABLISHMENT_SECTIONS,
}


def register(*items) -> None:
    """Add each item to the list of its kind (KeyError for an object of another type)."""
    for item in items:
        _add(_REGISTRIES[type(item)], item)


class KitConfig(AppConfig):
    """The AppConfig of a kit: at startup, its catalogues (`<kit>.catalogue.register_catalogues`)
    and what it shows in the shared screens (`<kit>.hooks.REGISTRY`) are registered, by the
    same module-naming convention as Django's `models.py` and `admin.py`.

    Subclass it as `registry.KitConfig`: a class imported by name into `apps.py` would be a
    second AppConfig there, and Django would not pick the kit's own.
    """

    def ready(self):
        import_module(f"{self.name}.catalogue").register_catalogues()
        register(*import_module(f"{self.name}.hooks").REGISTRY)
