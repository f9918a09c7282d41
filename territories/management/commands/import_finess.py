import os
import sys

from django.core.management.base import BaseCommand, CommandError

from territories.importers import NotAFinessFile, import_finess


class Command(BaseCommand):
    help = (
        "Importe l'extrait public FINESS (établissements) : crée ou met à jour, jamais en double."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="chemin de l'extrait FINESS (.csv)")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--quiet-progress", action="store_true")

    def handle(self, *args, **options):
        path = options["file"]
        if not os.path.isfile(path):
            raise CommandError(f"Fichier introuvable : {path}")
        total = os.path.getsize(path) or 1
        show = not options["quiet_progress"]

        def progress(done: int) -> None:
            if show:
                width = 40
                filled = int(width * done / total)
                sys.stderr.write(
                    f"\r[{'#' * filled}{'.' * (width - filled)}] {done * 100 // total:3d} %"
                )
                sys.stderr.flush()

        try:
            with open(path, "rb") as handle:
                report = import_finess(handle, batch_size=options["batch_size"], progress=progress)
        except NotAFinessFile as error:
            raise CommandError(str(error)) from error
        if show:
            sys.stderr.write("\n")
        self.stdout.write(
            f"Établissements créés : {report.created} ; mis à jour : {report.updated} ; "
            f"lignes de géolocalisation : {report.geolocations} ; rejetées : {report.rejected} ; "
            f"hors ARS : {report.without_ars}"
        )
        for item in report.rejected_lines[:200]:
            self.stdout.write(f"  ligne {item['line']} : {item['reason']}")
        if report.rejected > 200:
            self.stdout.write(f"  … et {report.rejected - 200} autres lignes rejetées")
