"""Room on CPython's frame stack, so that deep recursion stops mapping and unmapping memory.

CPython 3.11 keeps Python frames in chunks of 16 KiB that it maps from the operating system as
the stack grows, and unmaps a chunk as soon as the last frame in it returns. esprima's recursive
descent goes a dozen frames deeper and back again for every expression: wherever a chunk boundary
falls inside that range, each crossing costs an mmap, a munmap and page faults on fresh memory.
A cold audit of a real app (convex-crm, 460 files) made 58,000 of each, an eighth of esprima's time.

``with_stack_room(fn, *args)`` calls ``fn`` from a frame too big for any 16 KiB chunk: CPython maps
a chunk of 1 MiB for it, the frame takes a little over half, and the calls below it stay in the
rest (some 2,000 frames, twice Python's default recursion limit). Only the pages the calls touch
are ever faulted in, and the chunk is mapped once per call. A call made inside the room (a nested
``with_stack_room``) runs as it is.
"""

from __future__ import annotations

import threading
import types
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

# Stack slots of the frame that asks for the room. CPython sizes a new chunk as the smallest
# doubling of 16 KiB that holds the frame plus about 1,000 slots; at 64K slots (512 KiB) that is
# 1 MiB, leaving about 512 KiB for the frames below.
_ROOM_SLOTS = 64 * 1024
_inside = threading.local()


def _call_in_room(fn: Callable[..., R], args: tuple[object, ...], kwargs: dict[str, object]) -> R:
    _inside.active = True
    try:
        return fn(*args, **kwargs)
    finally:
        _inside.active = False


# The same function with a declared stack depth it never uses: the interpreter reserves a frame of
# that size, and a frame bigger than what is left of the current chunk gets a chunk of its own.
_call_in_room = types.FunctionType(  # type: ignore[assignment]
    _call_in_room.__code__.replace(co_stacksize=_call_in_room.__code__.co_stacksize + _ROOM_SLOTS),
    _call_in_room.__globals__, _call_in_room.__name__)


def with_stack_room(fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """``fn(*args, **kwargs)``, its calls with room on the frame stack (see the module docstring)."""
    if getattr(_inside, "active", False):
        return fn(*args, **kwargs)
    return _call_in_room(fn, args, kwargs)


__all__ = ["with_stack_room"]
