from territories.management.commands.import_finess import Command as ImportCommand


class Command(ImportCommand):
    help = (
        "Importe le flux JSON FINESS « Activités » (.json ou .json.gz) : activités autorisées "
        "et exercées, équipements lourds, par entité juridique et par établissement."
    )
    expected_kind = "finess-activities"
