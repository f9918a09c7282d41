"""A create form sent twice creates once (double click, two tabs, a network retry).

- The form carries a hidden random key (`SubmissionKeyMixin`, field `submission_key`),
  drawn when the page is shown and kept when the form comes back with errors.
- The view is decorated with `@once_per_submission`: the key is claimed (a unique row in
  `core.SubmissionKey`) in the same transaction as the view's writes. A second post
  with the same key, even concurrent (it waits on the first one's row), is answered with
  a redirect to the first one's result and a French message; nothing is created twice.
- A post that does not end in a redirect (the form was refused) releases its key, so the
  corrected form can be sent again.

Duplicates that keys cannot see (the same member added from two different pages) are
refused by the services' own checks and unique constraints, turned into French messages
with `core.idempotency.save_unique`.
"""

import uuid
from datetime import timedelta
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone

FIELD = "submission_key"
ALREADY_SENT = (
    "Ce formulaire avait déjà été envoyé : il n'a été enregistré qu'une fois, voici le résultat."
)
KEEP_FOR = timedelta(days=1)


class SubmissionKeyMixin:
    """Adds the hidden submission key to a create form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[FIELD] = forms.UUIDField(
            widget=forms.HiddenInput, required=False, initial=uuid.uuid4
        )

    def clean(self):
        # The key is the view's business (once_per_submission reads it from the post):
        # services receive the form's data without it.
        data = super().clean()
        if data is not None:
            data.pop(FIELD, None)
        return data


def _already_sent(request, done):
    messages.info(request, ALREADY_SENT)
    return redirect(done.result_url or "home")


def once_per_submission(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST" or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        try:
            key = uuid.UUID(request.POST.get(FIELD, ""))
        except ValueError:
            return view(request, *args, **kwargs)
        from core.models import SubmissionKey

        done = SubmissionKey.objects.filter(user=request.user, key=key).first()
        if done is not None:
            return _already_sent(request, done)
        try:
            with transaction.atomic():
                claim = SubmissionKey.objects.create(
                    user=request.user, key=key, path=request.path[:300]
                )
                response = view(request, *args, **kwargs)
                location = response.get("Location", "")
                if response.status_code in (301, 302, 303) and location:
                    claim.result_url = location[:500]
                    claim.save(update_fields=["result_url"])
                else:
                    claim.delete()
        except IntegrityError:
            done = SubmissionKey.objects.filter(user=request.user, key=key).first()
            if done is None:
                raise
            return _already_sent(request, done)
        SubmissionKey.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
        return response

    return wrapper


def save_unique(instance, message: str, **save_kwargs) -> None:
    """Save; a unique constraint hit by a concurrent request becomes a French
    ValidationError (not a 500), the transaction stays usable."""
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError:
        raise ValidationError(message) from None
