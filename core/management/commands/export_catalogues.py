from django.core.management.base import BaseCommand, CommandError

from core.catalogues import CatalogueError, catalogues_dir, export_all


class Command(BaseCommand):
    help = (
        "Écrit les catalogues de la base dans leurs fichiers (dossier catalogues/), pour "
        "relire et versionner les modifications faites dans l'administration."
    )

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="catalogues à écrire (tous par défaut)")
        parser.add_argument("--dir", help="dossier des fichiers (CATALOGUES_DIR par défaut)")

    def handle(self, *args, names, dir, **options):
        try:
            done = export_all(names, root=dir)
        except CatalogueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Écrits dans {dir or catalogues_dir()} : {', '.join(done)}")
        )
