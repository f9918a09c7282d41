"""Catalogue lists of the Django admin: no input without a label (issue 12)."""

from django.contrib import admin


def test_no_admin_list_has_unlabelled_inline_inputs():
    # Django's list_editable renders one input per row with no label: national admins using
    # a screen reader could not tell which row an "order" box belongs to.
    editable = [
        f"{model._meta.label}: {list(model_admin.list_editable)}"
        for model, model_admin in admin.site._registry.items()
        if model_admin.list_editable
    ]
    assert editable == []
