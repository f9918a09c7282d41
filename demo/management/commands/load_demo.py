from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from demo import conventions, cooperations, evalimpact, fiches, suivi

# The register, the accounts and the showcase cooperations first: each kit's demo data
# (`load(base: dict, stdout) -> None`) builds on them, in this order (the conventions'
# states and the evaluations follow the KIT 1 steps).
KIT_DEMOS = (fiches, conventions, evalimpact, suivi)


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent : peut être relancé sans doublon)."

    # The demo replays workflows: their notification e-mails are not sent.
    @override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
    @transaction.atomic
    def handle(self, *args, **options):
        base = cooperations.load(self.stdout)
        for kit in KIT_DEMOS:
            kit.load(base, self.stdout)
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
        self.stdout.write(
            f"Comptes de démonstration (mot de passe : {cooperations.DEMO_PASSWORD}) :"
        )
        for username, _first, _last, role, _region, job in cooperations.DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<24} {role.label} — {job}")
