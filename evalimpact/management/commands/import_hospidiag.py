from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from evalimpact.models import HospidiagImport
from evalimpact.services.hospidiag import (
    HospidiagFormatError,
    hospidiag_run_create,
    import_hospidiag,
)


class Command(BaseCommand):
    help = (
        "Importe un fichier Hospi Diag (hd2022.csv, pdmza_2022.csv ou pdmreg_2022.csv) : valeurs par FINESS "
        "pour préremplir Eval'Impact, avec le compte rendu des lignes écartées."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--year", type=int, help="Année des données (sinon lue dans le nom).")
        parser.add_argument(
            "--en-tache",
            action="store_true",
            dest="in_task",
            help=(
                "Confier l'import au service de traitement (Celery) et afficher l'adresse de "
                "sa page de suivi, au lieu d'importer tout de suite."
            ),
        )

    def handle(self, *args, files, year=None, in_task=False, **options):
        for path in files:
            if not path.is_file():
                raise CommandError(f"Fichier introuvable : {path}")
            if in_task:
                run = hospidiag_run_create(path=path, year=year)
                run.refresh_from_db()
                url = reverse("evalimpact:hospidiag_import", args=[run.pk])
                if run.status == HospidiagImport.Status.FAILED:
                    raise CommandError(f"{run.error} (suivi : {url})")
                self.stdout.write(f"Import n° {run.pk} ({run.get_status_display()}) : {url}")
                if run.status == HospidiagImport.Status.DONE:
                    # Tasks ran at once (no broker): the same report as without --en-tache.
                    self.stdout.write(run.summary)
                continue
            try:
                run = import_hospidiag(path, year=year)
            except HospidiagFormatError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(run.report.summary())
