from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evalimpact.services.hospidiag import HospidiagFormatError, import_hospidiag


class Command(BaseCommand):
    help = (
        "Importe un fichier Hospi Diag (hd2022.csv, pdmza_2022.csv ou pdmreg_2022.csv) : valeurs par FINESS "
        "pour préremplir Eval'Impact, avec le compte rendu des lignes écartées."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--year", type=int, help="Année des données (sinon lue dans le nom).")

    def handle(self, *args, files, year=None, **options):
        for path in files:
            if not path.is_file():
                raise CommandError(f"Fichier introuvable : {path}")
            try:
                run = import_hospidiag(path, year=year)
            except HospidiagFormatError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(run.report.summary())
