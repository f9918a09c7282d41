from django.core.management.base import BaseCommand, CommandError

from core.text import PLAUSIBLE_DATES, implausible_dates


class Command(BaseCommand):
    help = (
        "Liste les dates enregistrées hors de la plage plausible (livrables, risques, "
        "rapports, COPIL, coopérations, membres), pour les corriger avant de valider les "
        "contraintes de la base."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fail",
            action="store_true",
            help="termine en erreur s'il reste des dates hors plage (pour une vérification automatique)",
        )

    def handle(self, *args, fail, **options):
        low, high = PLAUSIBLE_DATES
        count = 0
        for model, field, pk, stored in implausible_dates():
            count += 1
            label = model._meta.get_field(field).verbose_name
            self.stdout.write(
                f"{model._meta.verbose_name} n° {pk} ({model._meta.label}) : {label} = {stored}"
            )
        if not count:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Aucune date hors de la plage du {low:%d/%m/%Y} au {high:%d/%m/%Y}."
                )
            )
            return
        message = (
            f"{count} date(s) hors de la plage du {low:%d/%m/%Y} au {high:%d/%m/%Y} : "
            "corrigez-les (administration ou page de la coopération)."
        )
        if fail:
            raise CommandError(message)
        self.stdout.write(self.style.WARNING(message))
