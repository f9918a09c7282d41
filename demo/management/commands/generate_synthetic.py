import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from demo import synthetic


class Command(BaseCommand):
    help = (
        "Génère un jeu de données synthétique à l'échelle nationale (établissements, entités "
        "juridiques, coopérations, membres, comptes) et, en option, un extrait FINESS au format "
        "officiel listant les mêmes établissements. Réservé aux bancs de performance."
    )

    def add_arguments(self, parser):
        parser.add_argument("--establishments", type=int, default=100_000)
        parser.add_argument("--cooperations", type=int, default=20_000)
        parser.add_argument("--finess-file", type=Path, help="chemin de l'extrait FINESS à écrire")
        parser.add_argument(
            "--finess-json",
            type=Path,
            help=(
                "chemin du flux JSON FINESS « Structures » à écrire (format officiel 2026, "
                "avec GHT et groupements) ; n'écrit rien dans la base"
            ),
        )
        parser.add_argument(
            "--finess-only",
            action="store_true",
            help="écrire seulement l'extrait FINESS, sans rien créer dans la base",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--directors", type=int, default=50, help="nombre de comptes de directeurs"
        )
        parser.add_argument(
            "--no-kits", action="store_true", help="ne pas générer les données des kits"
        )

    def handle(self, *args, **options):
        establishments, cooperations = options["establishments"], options["cooperations"]
        if establishments < 1 or cooperations < 0:
            raise CommandError(
                "--establishments doit être au moins 1 et --cooperations ne peut être négatif."
            )
        if options["batch_size"] < 1:
            raise CommandError("--batch-size doit être au moins 1.")
        path = options["finess_file"]
        if path and not path.parent.is_dir():
            raise CommandError(f"Dossier introuvable pour l'extrait FINESS : {path.parent}")
        started = time.perf_counter()
        json_path = options["finess_json"]
        if json_path:
            if not json_path.parent.is_dir():
                raise CommandError(f"Dossier introuvable pour le flux JSON : {json_path.parent}")
            report = synthetic.write_structures_json(
                json_path, establishments, seed=options["seed"]
            )
            self.stdout.write(
                f"Flux JSON FINESS écrit : {json_path} ({report.json_entities} entités juridiques, "
                f"{report.json_establishments} établissements, {report.json_ght} GHT, "
                f"{report.json_groupements} groupements ; {json_path.stat().st_size / 1e6:.0f} Mo)"
            )
            if not path:
                self.stdout.write(
                    self.style.SUCCESS(f"Terminé en {time.perf_counter() - started:.1f} s.")
                )
                return
            started = time.perf_counter()
        if options["finess_only"]:
            if not path:
                raise CommandError("--finess-only demande --finess-file.")
            report = synthetic.write_finess_extract(path, establishments, seed=options["seed"])
        else:
            try:
                report = synthetic.generate(
                    establishments=establishments,
                    cooperations=cooperations,
                    seed=options["seed"],
                    finess_file=path,
                    batch_size=options["batch_size"],
                    directors=options["directors"],
                    with_kits=not options["no_kits"],
                    write=self.stdout.write,
                )
            except (synthetic.SyntheticDataExists, ValueError) as error:
                raise CommandError(str(error)) from error
            for app, outcome in report.kits.items():
                self.stdout.write(f"  {app} : {outcome}")
            self.stdout.write(
                f"Comptes créés : {report.users} (mot de passe : {synthetic.SYNTHETIC_PASSWORD})"
            )
        if path:
            self.stdout.write(
                f"Extrait FINESS écrit : {path} ({report.finess_lines} lignes structureet, "
                f"{report.geolocation_lines} lignes geolocalisation)"
            )
        self.stdout.write(self.style.SUCCESS(f"Terminé en {time.perf_counter() - started:.1f} s."))
