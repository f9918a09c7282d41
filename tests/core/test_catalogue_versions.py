"""One catalogue version model and one copy helper for both versioned catalogues."""

import pytest

from core.catalogue_versions import (
    COPY_REASON,
    CatalogueVersion,
    copy_version,
    version_for_edit,
)
from evalimpact import models as eval_models
from fiches import models as fiche_models
from tests.cooperations.factories import CooperationFactory
from tests.evalimpact.factories import create_evaluation

pytestmark = pytest.mark.django_db


def _fiche_rows(version):
    """Every fiche and question of ``version`` as plain values, links by number/code."""
    out = {}
    for fiche in version.fiches.prefetch_related(
        "legal_forms", "prerequisites", "knowledge_pages", "questions__legal_forms"
    ):
        out[fiche.number] = (
            fiche.title,
            sorted(f.code for f in fiche.legal_forms.all()),
            sorted(p.number for p in fiche.prerequisites.all()),
            sorted(p.slug for p in fiche.knowledge_pages.all()),
            sorted(
                (
                    q.code,
                    q.label,
                    q.not_before.code if q.not_before else None,
                    tuple(sorted(f.code for f in q.legal_forms.all())),
                )
                for q in fiche.questions.select_related("not_before")
            ),
        )
    return out


def test_both_kits_version_models_are_the_core_one():
    for model in (fiche_models.CatalogueVersion, eval_models.CatalogueVersion):
        assert issubclass(model, CatalogueVersion)
        assert model.objects.current() is not None


def test_copying_a_kit1_version_copies_its_rows_with_links_to_the_copies(django_user_model):
    source = fiche_models.CatalogueVersion.objects.current()
    before = _fiche_rows(source)
    fiche_pks = set(source.fiches.values_list("pk", flat=True))
    admin = django_user_model.objects.create(username="copieur")

    copy = copy_version(source, note="Révision 2027", actor=admin)

    assert copy.number == source.number + 1 and copy.is_current and copy.note == "Révision 2027"
    assert fiche_models.CatalogueVersion.objects.current() == copy
    source.refresh_from_db()
    assert not source.is_current
    # The copy holds the same fiches and questions, and every link between them points to
    # the copies (prerequisites, a question's "not before"), not back to the source.
    assert _fiche_rows(copy) == before
    copied = fiche_models.Fiche.objects.filter(version=copy)
    assert not fiche_pks & set(copied.values_list("pk", flat=True))
    for fiche in copied.prefetch_related("prerequisites"):
        assert {p.version_id for p in fiche.prerequisites.all()} <= {copy.pk}
    later = fiche_models.Question.objects.filter(fiche__version=copy, not_before__isnull=False)
    assert later.exists()
    assert {q.not_before.fiche.version_id for q in later} == {copy.pk}
    # The source is unchanged: same rows, same links.
    assert set(source.fiches.values_list("pk", flat=True)) == fiche_pks
    assert _fiche_rows(source) == before
    # Traced in the history, with the actor.
    record = copy.history.latest("history_date")
    assert record.history_change_reason == COPY_REASON and record.history_user == admin
    fiche = copied.get(number=1)
    assert fiche.history.latest("history_date").history_change_reason == COPY_REASON

    second = copy_version(copy)
    assert second.number == copy.number + 1 and second.note == f"Copie de la v{copy.number}"
    assert list(
        fiche_models.CatalogueVersion.objects.filter(is_current=True).values_list(
            "number", flat=True
        )
    ) == [second.number]


def test_copying_an_evalimpact_version_remaps_indicators_to_the_copied_axes():
    variant = eval_models.CatalogueVariant.SANITAIRE
    source = eval_models.CatalogueVersion.objects.current(variant=variant)
    other = eval_models.CatalogueVersion.objects.current(
        variant=eval_models.CatalogueVariant.MEDICO_SOCIAL
    )
    counts = {
        name: getattr(source, name).count()
        for name in ("axes", "levels", "activities", "indicators")
    }

    copy = copy_version(source)

    assert copy.variant == variant and copy.number == source.number + 1
    assert {name: getattr(copy, name).count() for name in counts} == counts
    assert {i.axis.version_id for i in copy.indicators.select_related("axis")} == {copy.pk}
    assert {i.axis.version_id for i in source.indicators.select_related("axis")} == {source.pk}
    assert sorted(copy.indicators.values_list("code", "axis__code")) == sorted(
        source.indicators.values_list("code", "axis__code")
    )
    # Numbering and "in force" are per variant: the medico-social set is untouched.
    if other is not None:
        assert eval_models.CatalogueVersion.objects.current(variant=other.variant) == other
    second = copy_version(copy)
    assert second.number == copy.number + 1
    assert eval_models.CatalogueVersion.objects.current(variant=variant) == second


def test_an_edit_copies_a_version_only_once_it_is_used():
    kit1 = fiche_models.CatalogueVersion.objects.current()
    indicators = eval_models.CatalogueVersion.objects.current(variant="sanitaire")
    assert version_for_edit(indicators) == (indicators, False)

    cooperation = CooperationFactory()  # opens its KIT 1 steps on the version in force
    create_evaluation(cooperation)
    assert kit1.in_use() and indicators.in_use()

    target, copied = version_for_edit(indicators, note="Édition")
    assert copied and target.number == indicators.number + 1 and target.note == "Édition"
    target_kit1, copied = version_for_edit(kit1)
    assert copied and target_kit1.number == kit1.number + 1
    # The cooperation's work stays on the versions it was made with.
    assert fiche_models.Step.objects.filter(cooperation=cooperation, fiche__version=kit1).exists()
    assert cooperation.evaluations.get().catalogue == indicators


def test_version_admin_lists_each_kits_versions_read_only(login, world):
    client = login(world.admin)
    for url in ("/admin/fiches/catalogueversion/", "/admin/evalimpact/catalogueversion/"):
        page = client.get(url)
        assert page.status_code == 200
        assert "publiée le" in page.content.decode().lower()
        assert client.get(f"{url}add/").status_code == 403


def test_version_admin_never_deletes_a_version_in_use(rf, world):
    from django.contrib import admin

    cooperation = CooperationFactory()  # opens its KIT 1 steps on the version in force
    create_evaluation(cooperation)
    request = rf.get("/")
    request.user = world.admin
    for model, scope in (
        (fiche_models.CatalogueVersion, {}),
        (eval_models.CatalogueVersion, {"variant": "sanitaire"}),
    ):
        version_admin = admin.site._registry[model]
        used = model.objects.current(**scope)
        assert used.in_use()
        assert not version_admin.has_delete_permission(request, used)
        unused = copy_version(used)
        assert not unused.in_use()
        assert version_admin.has_delete_permission(request, unused)
