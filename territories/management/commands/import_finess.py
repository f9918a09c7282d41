import os
import sys

from django.core.management.base import BaseCommand, CommandError

from territories.importers import (
    ImportBusy,
    NotAFinessFile,
    import_register_file,
    report_details,
)


def progress_bar(total: int, show: bool):
    def progress(done: int) -> None:
        if show:
            width = 40
            filled = min(width, int(width * done / total))
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {min(100, done * 100 // total):3d} %"
            )
            sys.stderr.flush()

    return progress


class Command(BaseCommand):
    help = (
        "Importe le répertoire FINESS : flux JSON « Structures » 2026 (entités juridiques, "
        "établissements, GHT, groupements ; .json ou .json.gz), flux « Activités », ou extrait "
        "CSV historique. Le format est reconnu seul ; crée ou met à jour, jamais en double."
    )
    expected_kind = None

    def add_arguments(self, parser):
        parser.add_argument("file", help="chemin du fichier FINESS (.json, .json.gz, .csv, .xlsx)")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--quiet-progress", action="store_true")

    def handle(self, *args, **options):
        path = options["file"]
        if not os.path.isfile(path):
            raise CommandError(f"Fichier introuvable : {path}")
        show = not options["quiet_progress"]
        progress = progress_bar(os.path.getsize(path) or 1, show)
        try:
            report = import_register_file(
                path, batch_size=options["batch_size"], progress=progress, expect=self.expected_kind
            )
        except (NotAFinessFile, ImportBusy) as error:
            raise CommandError(str(error)) from error
        if show:
            sys.stderr.write("\n")
        for line in report.summary_lines():
            self.stdout.write(line)
        for line in report_details(report):
            self.stdout.write(line)
