"""What an audit read of the repository, so that a later run can tell whether any of it changed.

While a ``Journal`` is open (``recording``), every look at the audited tree is written in it as
an observation and what it saw: a file's content digest (or the error reading it), a folder's
listing, a path's kind and size, where a path resolves, what a git command printed. Each kind
of look has one function in ``safefiles`` that both makes it and is used again to check it
(``OBSERVERS``), so a check sees the tree exactly as the audit did. A test keeps every other
engine module away from the file system, so the journal holds all the audit depended on.

``unchanged(observations)`` looks again at each, and is true only when every one sees what it
saw: then the audit's result still holds (``reportcache``). A journal that saw one thing two
different ways while it recorded (a file edited during the audit) is ``unsettled``: nothing it
holds may be trusted later.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Observation = tuple[str, ...]  # (kind, *arguments), e.g. ("file", "/abs/path")

_current: ContextVar[Journal | None] = ContextVar("convex_audit_journal", default=None)


class Journal:
    def __init__(self) -> None:
        self.seen: dict[Observation, str] = {}
        self.unsettled = False

    def note(self, observation: Observation, result: str) -> None:
        earlier = self.seen.setdefault(observation, result)
        if earlier != result:
            self.unsettled = True


def note(observation: Observation, result: str) -> None:
    """Write what ``observation`` saw in the open journal, if one is open."""
    journal = _current.get()
    if journal is not None:
        journal.note(observation, result)


def is_recording() -> bool:
    return _current.get() is not None


@contextmanager
def recording() -> Iterator[Journal]:
    """Open a journal for the looks at the tree made inside the block (in this thread or task)."""
    journal = Journal()
    token = _current.set(journal)
    try:
        yield journal
    finally:
        _current.reset(token)


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def unchanged(observations: dict[Observation, str], observers: dict[str, Callable[..., str]]) -> bool:
    """Whether every observation, made again now, sees what it saw. An observation of an unknown
    kind (a journal written by another engine) counts as changed."""
    for observation, result in observations.items():
        observe = observers.get(observation[0])
        if observe is None or observe(*observation[1:]) != result:
            return False
    return True
