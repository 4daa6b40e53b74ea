"""Redis as a cache the site can do without for a while.

The cache only saves work (report fragments are rendered again when it cannot answer), and holds
nothing that must not be lost: sessions stay in the database. So while Redis is unreachable or
restarting, it answers as an empty cache would (a read is a miss, an add succeeds) while the
writes and deletes are skipped (each logged), and the pages and sign-in keep working.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ForgivingRedisCache(RedisCache):
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except RedisError as error:
            logger.warning("cache read skipped, Redis did not answer: %s", error)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            logger.warning("cache read skipped, Redis did not answer: %s", error)
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except RedisError as error:
            logger.warning("cache read skipped, Redis did not answer: %s", error)
            return False

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            logger.warning("cache write skipped, Redis did not answer: %s", error)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            logger.warning("cache write skipped, Redis did not answer: %s", error)
            return True  # as an empty cache would answer (allauth's rate-limit lock relies on it)

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except RedisError as error:
            logger.warning("cache delete skipped, Redis did not answer: %s", error)
            return False
