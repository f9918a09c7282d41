from datetime import date

import pytest
from django.core.exceptions import ValidationError

from core.locking import StaleObjectError
from suivi import services
from suivi.models import DateRevision, Deliverable
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.suivi.factories import ActivityFactory, DeliverableFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


def test_baseline_is_set_once_then_frozen():
    deliverable = DeliverableFactory(planned_on=None)
    services.deliverable_update(
        deliverable=deliverable, data={"planned_on": date(2026, 9, 1)}, version=1, today=TODAY
    )
    deliverable.refresh_from_db()
    assert deliverable.planned_on == date(2026, 9, 1)
    with pytest.raises(ValidationError) as error:
        services.deliverable_update(
            deliverable=deliverable, data={"planned_on": date(2026, 10, 1)}, version=2, today=TODAY
        )
    assert "ne se modifie plus" in error.value.message_dict["planned_on"][0]
    deliverable.refresh_from_db()
    assert deliverable.planned_on == date(2026, 9, 1)


def test_revised_date_needs_a_reason_and_each_revision_is_kept():
    deliverable = DeliverableFactory(planned_on=date(2026, 6, 30))
    with pytest.raises(ValidationError) as error:
        services.deliverable_update(
            deliverable=deliverable, data={"revised_on": date(2026, 7, 15)}, version=1, today=TODAY
        )
    assert "motif" in error.value.message_dict["revision_reason"][0]
    assert Deliverable.objects.get(pk=deliverable.pk).revised_on is None
    services.deliverable_update(
        deliverable=deliverable,
        data={"revised_on": date(2026, 7, 15)},
        version=1,
        revision_reason="Fournisseur en retard",
        today=TODAY,
    )
    services.deliverable_update(
        deliverable=deliverable,
        data={"revised_on": date(2026, 8, 1)},
        version=2,
        revision_reason="Congés d'été",
        today=TODAY,
    )
    revisions = list(DateRevision.objects.filter(deliverable=deliverable).order_by("pk"))
    assert [(r.previous_date, r.new_date, r.reason) for r in revisions] == [
        (None, date(2026, 7, 15), "Fournisseur en retard"),
        (date(2026, 7, 15), date(2026, 8, 1), "Congés d'été"),
    ]
    # The simple-history trail records the same changes on the deliverable itself.
    assert deliverable.history.count() == 3


def test_unchanged_revised_date_needs_no_reason():
    deliverable = DeliverableFactory(revised_on=date(2026, 7, 1))
    services.deliverable_update(
        deliverable=deliverable,
        data={"progress": 40, "revised_on": date(2026, 7, 1)},
        version=1,
        today=TODAY,
    )
    assert Deliverable.objects.get(pk=deliverable.pk).progress == 40
    assert not DateRevision.objects.exists()


@pytest.mark.parametrize("value", [-1, 101, 250])
def test_progress_outside_0_100_is_refused_in_french(value):
    activity = ActivityFactory()
    with pytest.raises(ValidationError) as error:
        services.deliverable_create(
            activity=activity,
            data={"title": "Étude", "planned_on": date(2026, 7, 1), "progress": value},
            today=TODAY,
        )
    assert "entre 0 et 100" in error.value.message_dict["progress"][0]
    assert not Deliverable.objects.exists()


def test_done_date_sets_progress_to_100_and_cannot_be_in_the_future():
    activity = ActivityFactory()
    done = services.deliverable_create(
        activity=activity,
        data={
            "title": "Étude",
            "planned_on": date(2026, 5, 1),
            "done_on": date(2026, 5, 3),
            "progress": 60,
        },
        today=TODAY,
    )
    assert done.progress == 100
    with pytest.raises(ValidationError) as error:
        services.deliverable_create(
            activity=activity,
            data={"title": "Autre", "planned_on": date(2026, 5, 1), "done_on": date(2026, 6, 2)},
            today=TODAY,
        )
    assert "postérieure à aujourd'hui" in error.value.message_dict["done_on"][0]


def test_rag_override_requires_a_written_justification():
    deliverable = DeliverableFactory()
    with pytest.raises(ValidationError) as error:
        services.deliverable_update(
            deliverable=deliverable,
            data={"rag_override": "on_time", "rag_override_reason": "  "},
            version=1,
            today=TODAY,
        )
    assert "Justifiez" in error.value.message_dict["rag_override_reason"][0]
    services.deliverable_update(
        deliverable=deliverable,
        data={"rag_override": "on_time", "rag_override_reason": "Livré hors outil le 28/06."},
        version=1,
        today=TODAY,
    )
    assert (
        Deliverable.objects.get(pk=deliverable.pk).rag_override_reason
        == "Livré hors outil le 28/06."
    )


def test_stale_edit_is_refused_and_keeps_the_stored_values():
    deliverable = DeliverableFactory(progress=10)
    services.deliverable_update(
        deliverable=deliverable, data={"progress": 20}, version=1, today=TODAY
    )
    stale = Deliverable.objects.get(pk=deliverable.pk)
    with pytest.raises(StaleObjectError):
        services.deliverable_update(
            deliverable=stale, data={"progress": 90}, version=1, today=TODAY
        )
    assert Deliverable.objects.get(pk=deliverable.pk).progress == 20


def test_activity_lead_member_must_belong_to_the_cooperation():
    cooperation = CooperationFactory()
    own = MembershipFactory(cooperation=cooperation)
    foreign = MembershipFactory()
    with pytest.raises(ValidationError) as error:
        services.activity_create(
            cooperation=cooperation, data={"title": "SI", "lead_member": foreign}
        )
    assert "membre actif" in error.value.message_dict["lead_member"][0]
    activity = services.activity_create(
        cooperation=cooperation, data={"title": "SI", "lead_member": own}
    )
    assert activity.lead_member == own


def test_activity_dependencies_refuse_cycles():
    cooperation = CooperationFactory()
    a = services.activity_create(cooperation=cooperation, data={"title": "A"})
    b = services.activity_create(cooperation=cooperation, data={"title": "B", "depends_on": [a]})
    c = services.activity_create(cooperation=cooperation, data={"title": "C", "depends_on": [b]})
    with pytest.raises(ValidationError) as error:
        services.activity_update(activity=a, data={"depends_on": [c]}, version=1)
    assert "boucle" in error.value.message_dict["depends_on"][0]
    assert list(a.depends_on.all()) == []
    other = ActivityFactory()
    with pytest.raises(ValidationError):
        services.activity_update(activity=a, data={"depends_on": [other]}, version=1)


def test_duplicate_activity_title_gets_a_french_error():
    cooperation = CooperationFactory()
    services.activity_create(cooperation=cooperation, data={"title": "Achats"})
    with pytest.raises(ValidationError) as error:
        services.activity_create(cooperation=cooperation, data={"title": "Achats"})
    assert "déjà cet intitulé" in str(error.value)
