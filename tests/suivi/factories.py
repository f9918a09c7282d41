from datetime import date

import factory

from suivi import selectors
from suivi.models import Activity, Deliverable, Risk, RiskCategory, StatusReport
from tests.cooperations.factories import CooperationFactory


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    cooperation = factory.SubFactory(CooperationFactory)
    title = factory.Sequence(lambda n: f"Chantier {n}")
    lead_name = "Dr Jeanne Martin"
    objectives = "Partager une équipe d'imagerie."


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deliverable

    activity = factory.SubFactory(ActivityFactory)
    title = factory.Sequence(lambda n: f"Livrable {n}")
    planned_on = date(2026, 6, 30)
    progress = 0
    weight = 1


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    cooperation = factory.SubFactory(CooperationFactory)
    title = factory.Sequence(lambda n: f"Risque {n}")
    category = factory.LazyFunction(lambda: RiskCategory.objects.get(code="rh"))
    probability = 2
    impact = 3
    owner = "Direction des soins"
    mitigation = "Recruter en commun."


class StatusReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusReport

    cooperation = factory.SubFactory(CooperationFactory)
    period_start = date(2026, 4, 1)
    period_end = date(2026, 4, 30)
    achievements = "Premier COPIL tenu."
    # Every report freezes its numbers when it is made (suivi.services): so does the factory.
    snapshot = factory.LazyAttribute(lambda o: selectors.snapshot(o.cooperation, o.period_end))
