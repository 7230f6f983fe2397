"""The garbage-collector policy: overlapping pauses, in one thread or several, end with it on."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from onnxtext.base.collector import gc_paused, pauses


@pytest.fixture(autouse=True)
def collecting() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_pauses_ending_out_of_order_in_two_threads() -> None:
    first, second = ExitStack(), ExitStack()
    first.enter_context(gc_paused())
    thread = threading.Thread(target=lambda: second.enter_context(gc_paused()))
    thread.start()
    thread.join()
    assert not gc.isenabled() and pauses() == 2
    first.close()  # the pause that switched it off ends first: the other is still in progress
    assert not gc.isenabled() and pauses() == 1
    thread = threading.Thread(target=second.close)
    thread.start()
    thread.join()
    assert gc.isenabled() and pauses() == 0


def test_nested_pauses_and_an_error() -> None:
    with pytest.raises(ValueError), gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled() and pauses() == 0


def test_many_threads_pausing_at_once() -> None:
    start = threading.Barrier(8)

    def work() -> None:
        start.wait()
        for _ in range(200):
            with gc_paused(), gc_paused():  # nested
                pass

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gc.isenabled() and pauses() == 0


def test_a_program_that_switched_it_off_keeps_it_off() -> None:
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()
