from django.core.management.base import BaseCommand

from demo.plan_objectives import load_plan_objectives


class Command(BaseCommand):
    help = "Charge les objectifs des plans régionaux de santé de fixtures/plan_objectives/."

    def handle(self, *args, **options):
        count = load_plan_objectives()
        self.stdout.write(f"Objectifs des plans régionaux de santé : {count} chargés.")
