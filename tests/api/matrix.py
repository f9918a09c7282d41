"""Every read API endpoint against every role (see tests/matrix.py). Out of scope: 404."""

from tests.matrix import EVERYONE, READ_COOP_ARA, Case


def _coop(w):
    return [w.coop_ara.pk]


# Anonymous callers get the API's 401 (with WWW-Authenticate), not the login redirect.
CASES = [
    Case("api:cooperation_list", expect=EVERYONE, anonymous=401),
    Case("api:cooperation_detail", args=_coop, expect=READ_COOP_ARA, anonymous=401),
    Case("api:cooperation_steps", args=_coop, expect=READ_COOP_ARA, anonymous=401),
    Case("api:cooperation_convention", args=_coop, expect=READ_COOP_ARA, anonymous=401),
    Case("api:cooperation_evaluations", args=_coop, expect=READ_COOP_ARA, anonymous=401),
    Case("api:cooperation_deliverables", args=_coop, expect=READ_COOP_ARA, anonymous=401),
    Case("api:cooperation_risks", args=_coop, expect=READ_COOP_ARA, anonymous=401),
    Case("api:legal_forms", expect=EVERYONE, anonymous=401),
    Case("api:establishment", args=lambda w: [w.et_a.finess], expect=EVERYONE, anonymous=401),
    Case(
        "api:legal_entity",
        args=lambda w: [w.et_a.legal_entity.finess],
        expect=EVERYONE,
        anonymous=401,
    ),
    Case("api:schema", expect=EVERYONE, anonymous=401),
    Case("api:docs", expect=EVERYONE),
    Case("api:console", expect=EVERYONE),
]
