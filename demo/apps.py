from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and benchmark data: the top floor that imports the kits to fill them.

    `manage.py load_demo` (the demo of `make run`, from the files of fixtures/) and
    `manage.py generate_synthetic` (the national-scale dataset of `make bench`). Outside the
    domain apps, so that no kit or lower floor depends on its sample data.
    """

    name = "demo"
    verbose_name = "Démonstration"
