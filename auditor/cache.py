"""Redis as a cache the site can do without for a while.

The cache only saves work (report fragments are rendered again when it cannot answer), and holds
nothing that must not be lost: sessions stay in the database. So while Redis is unreachable or
restarting, it answers as an empty cache would (a read is a miss, an add succeeds) while the
writes and deletes are skipped (each logged), and the pages and sign-in keep working.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
T = TypeVar("T")


def _or_as_if_empty(what: str, call: Callable[[], T], empty_answer: T) -> T:
    try:
        return call()
    except RedisError as error:
        logger.warning("cache %s skipped, Redis did not answer: %s", what, error)
        return empty_answer


class ForgivingRedisCache(RedisCache):
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        read = super().get
        return _or_as_if_empty("read", lambda: read(key, default, version), default)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        read = super().get_many
        return _or_as_if_empty("read", lambda: read(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        read = super().has_key
        return _or_as_if_empty("read", lambda: read(key, version), False)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        write = super().set
        _or_as_if_empty("write", lambda: write(key, value, timeout, version), None)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        write = super().add
        # True, as an empty cache would answer: allauth's rate-limit lock relies on it.
        return _or_as_if_empty("write", lambda: write(key, value, timeout, version), True)

    def delete(self, key: Any, version: int | None = None) -> bool:
        delete = super().delete
        return _or_as_if_empty("delete", lambda: delete(key, version), False)
