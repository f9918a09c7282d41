import importlib

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from cooperations import demo

# Each kit may add its own demo data in <app>/demo.py: load(base: dict, stdout) -> None.
KIT_DEMOS = ["fiches", "conventions", "evalimpact", "suivi"]


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent : peut être relancé sans doublon)."

    # The demo replays workflows: their notification e-mails are not sent.
    @override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
    @transaction.atomic
    def handle(self, *args, **options):
        base = demo.load(self.stdout)
        for app in KIT_DEMOS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{app}.demo":
                    raise
                continue
            module.load(base, self.stdout)
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
        self.stdout.write(f"Comptes de démonstration (mot de passe : {demo.DEMO_PASSWORD}) :")
        for username, _first, _last, role, _region, job in demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<24} {role.label} — {job}")
