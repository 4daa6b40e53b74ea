"""Rendered parts of finished audits, kept in the cache and keyed by everything they show.

A finished audit's findings and inventory never change, and rendering a page of them is most of
what its page costs. Each fragment's key is a digest of every input it reads: the audit, the
filters and page, the triage decisions and ignore rules in force, the repository's address,
and the release (settings.AUDITOR_RELEASE, the commit of the code and templates that render it).
A change to any of them is a new key, so nothing is ever invalidated by hand; old keys simply
age out of the cache (CACHE_TIMEOUT_SECONDS).

Only what every viewer of the audit may see goes in a fragment: no CSRF token, no user, no
role-dependent control. The page around it (header, counts, gate, triage totals) is rendered
per request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db.models import Model
from django.utils.safestring import SafeString, mark_safe

from projects.models import Audit

T = TypeVar("T")

def release() -> str:
    """The release (settings.AUDITOR_RELEASE: the commit the code was built from): a deploy that
    changes how a fragment looks gets new keys, without a cache flush."""
    return settings.AUDITOR_RELEASE


def model_state(instance: Model | None) -> list[object] | None:
    """Every loaded field of a model instance, for a key: any change to what it holds shows.

    Deferred fields are left out; a fragment cannot show what was never read.
    """
    if instance is None:
        return None
    loaded = instance.__dict__
    return [instance._meta.label, *(loaded[f.attname] for f in instance._meta.concrete_fields if f.attname in loaded)]


def fragment_key(kind: str, inputs: Iterable[object]) -> str:
    # repr, not JSON: the inputs are field values (numbers, strings, datetimes, decoded JSON),
    # whose repr is stable and several times cheaper to build for a page of rows.
    payload = repr([kind, release(), *inputs])
    return f"fragment:{kind}:{hashlib.sha256(payload.encode()).hexdigest()}"


def cached(kind: str, inputs: Iterable[object], compute: Callable[[], T]) -> T:
    """The value for these inputs: from the cache, or computed by `compute` and stored."""
    key = fragment_key(kind, inputs)
    value = django_cache.get(key)
    if value is None:
        value = compute()
        django_cache.set(key, value)
    return value


def cached_html(kind: str, inputs: Iterable[object], render: Callable[[], str]) -> SafeString:
    """The fragment for these inputs: from the cache, or rendered by `render` and stored."""
    return mark_safe(cached(kind, inputs, render))  # our own templates' output, escaped when rendered


def finished_audit_inputs(audit: Audit) -> list[object]:
    """What every rendering of a finished audit's results depends on, for its key.

    A done audit's findings and inventory never change; their counts are in the key only as a
    guard. The repository's address makes the links to its files.
    """
    result = audit.result
    counts = (result.error_count, result.warning_count, result.info_count)
    return [audit.pk, result.pk, result.finished_at, counts, audit.repository.url, audit.commit_sha]
