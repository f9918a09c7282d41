"""Reference tables read on nearly every page (ARS, départements, catalogues), cached.

They change a few times a year, through the admin. Their (pk, label) lists are kept in the
shared cache (Redis in production) and in each process's memory, both keyed by a version
token that is replaced whenever a row of one of these tables is saved or deleted. A web
request reads that token once from the shared cache, so every worker sees an admin's change
on its next request, and otherwise serves the lists from memory: a page with five filters
made fifteen Redis round trips (and unpickled the lists each time) before this.
"""

import threading
import uuid

from django.apps import apps
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save

VERSION_KEY = "refcache:version"
_BY_MODEL: dict[str, list["Reference"]] = {}
# The version read at the start of the current request (None outside a request: read at
# every call, as a Celery task or a command may run for hours).
_request = threading.local()


class _Memo:
    """This process's copy of the lists, valid for one version token (threads share it)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._version: str | None = None
        self._lists: dict[str, list] = {}

    def get(self, version: str, key: str) -> list | None:
        with self._lock:
            if self._version != version:
                self._version, self._lists = version, {}
            return self._lists.get(key)

    def put(self, version: str, key: str, rows: list) -> None:
        with self._lock:
            if self._version == version:  # not if the token moved on meanwhile
                self._lists[key] = rows


_memo = _Memo()


def _shared_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh token, never an old one: a flushed cache must not revive a stale memo.
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY) or uuid.uuid4().hex
    return version


def current_version() -> str:
    version = getattr(_request, "version", None)
    if version is None:
        version = _shared_version()
        if getattr(_request, "in_request", False):
            _request.version = version
    return version


class Reference:
    """The (pk, label) list of one reference model, in the model's default ordering."""

    def __init__(self, model_label: str, label=str, name: str = "str"):
        self.model_label = model_label
        self.label = label
        self.key = f"refcache:{model_label.lower()}:{name}"
        _BY_MODEL.setdefault(model_label.lower(), []).append(self)

    def choices(self) -> list[tuple[int, str]]:
        version = current_version()
        rows = _memo.get(version, self.key)
        if rows is not None:
            return rows
        shared_key = f"{self.key}:{version}"
        rows = cache.get(shared_key)
        if rows is None:
            model = apps.get_model(self.model_label)
            rows = [(obj.pk, self.label(obj)) for obj in model._default_manager.all()]
            cache.set(shared_key, rows, timeout=24 * 3600)
        _memo.put(version, self.key, rows)
        return rows

    def labels(self) -> dict[int, str]:
        return dict(self.choices())

    def __call__(self) -> list[tuple[int, str]]:
        # Callable choices: a form field built now reads the list at that moment.
        return self.choices()


def invalidate() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    _request.version = None


def _drop(sender, **kwargs) -> None:
    if sender._meta.label_lower not in _BY_MODEL:
        return
    # Now, for what this transaction reads next; and after the commit, because another
    # worker may have cached the old rows between the save and the commit.
    invalidate()
    transaction.on_commit(invalidate)


def _request_started(**kwargs) -> None:
    _request.in_request = True
    _request.version = None


def _request_finished(**kwargs) -> None:
    _request.in_request = False
    _request.version = None


post_save.connect(_drop, dispatch_uid="core.refcache.save")
post_delete.connect(_drop, dispatch_uid="core.refcache.delete")
request_started.connect(_request_started, dispatch_uid="core.refcache.request_started")
request_finished.connect(_request_finished, dispatch_uid="core.refcache.request_finished")
