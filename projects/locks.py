"""One audit per repository at a time.

With REDIS_URL: a Redis lock. Without: a lease on the repository row, taken by a single
conditional UPDATE (atomic on SQLite and PostgreSQL alike) rather than SELECT ... FOR UPDATE,
because holding a transaction open for a whole audit would block SQLite's other writers.
Both expire after `ttl` seconds, so a worker killed mid-audit does not hold the lock forever.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from projects.models import Repository


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def redis_lock_name(repository_id: int) -> str:
    # Named by database too: several installs (or test databases) may share one Redis.
    return f"auditor:{settings.DATABASES['default']['NAME']}:audit-lock:{repository_id}"


@contextmanager
def audit_lock(repository_id: int, ttl: int) -> Iterator[bool]:
    """Yield True if this caller holds the repository's audit lock, False if someone else does."""
    if settings.REDIS_URL:
        lock = _redis().lock(redis_lock_name(repository_id), timeout=ttl, blocking=False)
        acquired = bool(lock.acquire(blocking=False))
        try:
            yield acquired
        finally:
            if acquired:
                # Expired and maybe taken by someone else: theirs now.
                with contextlib.suppress(Exception):
                    lock.release()
        return

    token = str(uuid.uuid4())
    now = timezone.now()
    acquired = (
        Repository.objects.filter(pk=repository_id)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(lock_token=token, locked_until=now + timedelta(seconds=ttl))
        == 1
    )
    try:
        yield acquired
    finally:
        if acquired:
            Repository.objects.filter(pk=repository_id, lock_token=token).update(lock_token="", locked_until=None)
