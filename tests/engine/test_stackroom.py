"""Room on the frame stack: deep recursion below ``with_stack_room`` maps no memory per call."""

from __future__ import annotations

import resource
import sys
import threading

import pytest

from auditor.engine.stackroom import with_stack_room

ROUNDS = 2_000
DEPTH = 300  # frames of `_down`: well over one 16 KiB chunk of CPython's frame stack


def _down(depth: int) -> int:
    return 0 if depth == 0 else _down(depth - 1) + 1


def _faults_of_deep_calls() -> int:
    before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    for _ in range(ROUNDS):
        _down(DEPTH)
    return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before


def test_it_returns_what_the_function_returns():
    assert with_stack_room(lambda a, b: (a, b), 1, b=2) == (1, 2)


def test_it_lets_the_function_s_exception_through():
    def fail() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        with_stack_room(fail)


def test_it_runs_deep_recursion_without_faulting_in_memory_each_time():
    # Without the room every round crosses a chunk boundary and back: a fresh mapping, faulted in.
    assert with_stack_room(_faults_of_deep_calls) < ROUNDS // 20


def test_it_is_needed_on_this_python():
    # CPython unmaps a chunk of its frame stack when the last frame in it returns. If a release
    # stops doing that, this fails, and stackroom can go.
    assert _faults_of_deep_calls() >= ROUNDS


def test_it_runs_a_nested_call_in_the_room_already_made():
    def stack_sizes() -> list[int]:
        frame = sys._getframe()
        sizes = []
        while frame is not None:
            sizes.append(frame.f_code.co_stacksize)
            frame = frame.f_back
        return sizes

    roomy = [size for size in with_stack_room(with_stack_room, stack_sizes) if size > 10_000]
    assert len(roomy) == 1


def test_it_makes_room_again_on_another_thread():
    found: list[int] = []
    thread = threading.Thread(target=lambda: found.append(with_stack_room(_faults_of_deep_calls)))
    with_stack_room(thread.start)
    thread.join()
    assert found and found[0] < ROUNDS // 20
