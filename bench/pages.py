"""The pages the benchmark drives, and the users it drives them as.

Each page builds, for one user, the list of URLs its clients cycle through. Pages of kits
that are not installed (their URL name does not reverse) are skipped, never faked.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import NoReverseMatch, reverse

# Two ARS agents (a large and a middle-sized region) and the two busiest directors.
USERS = ["synth.agent.84", "synth.agent.53", "synth.directeur.001", "synth.directeur.002"]
# SQL queries are counted for one user of each kind (the load uses all of them).
COUNTED_USERS = ["synth.agent.84", "synth.directeur.001"]
MAX_URLS = 200


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    url_name: str | None = None  # None: always available
    load: bool = True  # False: only counted (SQL queries), not put under load

    def available(self) -> bool:
        if not self.url_name:
            return True
        for args in ([1], []):
            try:
                reverse(self.url_name, args=args)
            except NoReverseMatch:
                continue
            return True
        return False


PAGES = [
    Page("bare", "Vue Django nue (plafond du framework)"),
    Page("home", "Accueil (tableau de bord de l'utilisateur)"),
    Page("portfolio", "Portefeuille filtré (phase + forme juridique)"),
    Page("worklist", "Liste de travail ARS triée par attente (KIT 1)", "cooperations:export"),
    Page("dashboard", "Tableau de bord régional", "cooperations:dashboard"),
    Page("detail", "Fiche d'une coopération"),
    Page("detail_small", "Fiche d'une coopération à 2 membres", load=False),
    Page("detail_large", "Fiche d'une coopération à 8 membres", load=False),
    Page("search", "Recherche d'établissement"),
    Page("kit1", "KIT 1 : étapes d'une coopération", "fiches:stepper"),
    Page("step", "KIT 1 : formulaire d'une étape", "fiches:step"),
    Page("tracker", "Suivi KIT 3 : tableau de bord", "suivi:tracker"),
    Page("radar", "Eval'Impact : radar d'une coopération", "evalimpact:cooperation"),
    Page(
        "api_list", "API : liste des coopérations (filtrée, phase + forme)", "api:cooperation_list"
    ),
    # The register (issue 13).
    Page("establishment", "Fiche d'un établissement (référentiel)", "registre:establishment"),
    Page("suggestions", "Suggestions de l'établissement pendant la saisie", "registre:suggestions"),
    Page("ght", "GHT de la région (agents d'ARS)", "registre:ght_region"),
]


def _visible(user):
    from cooperations.models import Cooperation

    return Cooperation.objects.visible_to(user).order_by("-updated_at", "-pk")


def cooperation_ids(user, members: int | None = None) -> list[int]:
    """Ids (at most MAX_URLS) of the cooperations `user` sees, most recently updated first;
    with `members`, only those of exactly that many members."""
    queryset = _visible(user)
    if members is not None:
        # Cooperations of a given size: a page whose query count grows with it has an N+1.
        queryset = queryset.annotate(size=Count("memberships")).filter(size=members)
    return list(queryset.values_list("pk", flat=True)[:MAX_URLS])


def _coop_urls(user, url_name: str, members: int | None = None) -> list[str]:
    return [reverse(url_name, args=[pk]) for pk in cooperation_ids(user, members)]


def _step_urls(user) -> list[str]:
    from fiches.models import Step

    steps = Step.objects.filter(cooperation__in=_visible(user).values("pk")).order_by("pk")
    return [
        reverse("fiches:step", args=[pk]) for pk in steps.values_list("pk", flat=True)[:MAX_URLS]
    ]


def count_urls_for(page: Page, user) -> list[str]:
    """URLs for counting SQL queries: the same page shape at every scale.

    The cooperation page is counted on a cooperation of 4 members, so that a count that
    differs between scales is due to the scale, not to the size of the cooperation.
    """
    if page.key == "detail":
        return _coop_urls(user, "cooperations:detail", members=4) or urls_for(page, user)
    return urls_for(page, user)


def urls_for(page: Page, user) -> list[str]:
    from territories.models import Establishment

    if page.key == "bare":
        return ["/bench/nu/"]
    if page.key == "home":
        return [reverse("home")]
    if page.key in ("portfolio", "api_list"):
        # Filter values taken from the user's own cooperations, so no page is empty.
        # The API list is the portfolio's query with the JSON of 50 rows (members and all).
        base = reverse("cooperations:list" if page.key == "portfolio" else "api:cooperation_list")
        combos = []
        for phase, form in _visible(user).values_list("phase", "legal_form_id")[:100]:
            if form and (phase, form) not in combos:
                combos.append((phase, form))
        return [
            f"{base}?{urlencode({'phase': phase, 'legal_form': form})}"
            for phase, form in combos[:9]
        ]
    if page.key == "worklist":
        # Sorted by the oldest step waiting for the ARS, first pages and a "to handle" flag.
        base = reverse("cooperations:list")
        return [
            f"{base}?tri=kit1",
            f"{base}?tri=kit1&page=2",
            f"{base}?tri=kit1&a_traiter=a-valider",
            f"{base}?tri=planning",
            f"{base}?tri=-activite",
        ]
    if page.key == "dashboard":
        # The ARS's page: directors have none (403), so they are not driven there.
        if not (user.is_ars_agent or user.is_national_admin):
            return []
        return [reverse("cooperations:dashboard")]
    if page.key == "detail":
        return _coop_urls(user, "cooperations:detail")
    if page.key == "detail_small":
        return _coop_urls(user, "cooperations:detail", members=2)
    if page.key == "detail_large":
        return _coop_urls(user, "cooperations:detail", members=8)
    if page.key == "search":
        base = reverse("territories:search")
        sample = list(Establishment.objects.order_by("pk").values_list("commune", "finess")[:3000])
        terms = ["EHPAD", "pharmacie du centre", "CH DE", "LES TILLEULS"]
        for commune, finess in sample[:: max(1, len(sample) // 12)][:12]:
            terms += [commune, finess[:5]]
        return [f"{base}?{urlencode({'q': term})}" for term in terms]
    if page.key == "step":
        return _step_urls(user)
    if page.key == "establishment":
        # Sites that are members of the user's cooperations, then any site.
        from cooperations.models import Membership

        mine = Membership.objects.filter(
            cooperation__in=_visible(user).values("pk")[:MAX_URLS], establishment__isnull=False
        ).values_list("establishment__finess", flat=True)[:MAX_URLS]
        numbers = list(dict.fromkeys(mine)) or list(
            Establishment.objects.order_by("pk").values_list("finess", flat=True)[:MAX_URLS]
        )
        return [reverse("registre:establishment", args=[f]) for f in numbers]
    if page.key == "suggestions":
        base = reverse("registre:suggestions")
        terms = ["ehpad", "centre hosp", "pharmacie", "ch de", "sante", "rééducation"]
        sample = Establishment.objects.order_by("pk").values_list("commune", "finess")[:3000]
        for commune, finess in list(sample)[:: max(1, len(sample) // 10)][:10]:
            terms += [commune[:6], finess[:6]]
        return [f"{base}?{urlencode({'q': term})}" for term in terms]
    if page.key == "ght":
        if not (user.is_national_admin or user.role == "agent_ars"):
            return []  # directors are not allowed on this page (403): not measured for them
        return [reverse("registre:ght_region")]
    return _coop_urls(user, page.url_name)
