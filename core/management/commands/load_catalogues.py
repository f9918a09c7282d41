from django.core.management.base import BaseCommand, CommandError

from core.catalogues import CatalogueError, load_all, registered


class Command(BaseCommand):
    help = (
        "Charge les catalogues (formes juridiques, fiches repères, modèles de convention, "
        "indicateurs…) depuis leurs fichiers (dossier catalogues/). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="catalogues à charger (tous par défaut)")
        parser.add_argument("--dir", help="dossier des fichiers (CATALOGUES_DIR par défaut)")
        parser.add_argument(
            "--missing-only",
            action="store_true",
            help="crée seulement ce qui manque, sans modifier ce qui existe (démarrage du conteneur)",
        )
        parser.add_argument("--list", action="store_true", help="liste les catalogues connus")

    def handle(self, *args, names, dir, missing_only, list, **options):
        if list:
            for catalogue in registered():
                self.stdout.write(f"{catalogue.name:<18} {catalogue.label}")
            return
        try:
            report = load_all(names, root=dir, missing_only=missing_only)
        except CatalogueError as error:
            raise CommandError(f"Aucun changement enregistré. {error}") from error
        for line in report.lines():
            self.stdout.write(f"  {line}")
        message = "Catalogues chargés." if report.changed else "Catalogues déjà à jour."
        self.stdout.write(self.style.SUCCESS(message))
