"""The one garbage-collector policy: the cyclic collector is paused while big trees are built.

A document of a big model is hundreds of thousands of containers that all stay alive, and each
time the collector runs it walks them all for nothing: parsing, encoding, decoding and linting run
with it paused (:func:`gc_paused`).  Pauses may overlap, in one thread (nested) or in several (the
language server lints on a worker thread while its event loop parses): the policy is therefore
process-wide.  One lock-protected count of the pauses in progress decides: the first pause to start
switches the collector off, the last one to end switches it back on, and nothing else in the
package calls :func:`gc.disable`.  Whatever the order in which overlapping pauses end, the
collector is on again once none is in progress (unless the program had switched it off itself
before the first one began: that choice is left as it was found).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_pauses = 0  # pauses in progress, in every thread
_restore = False  # whether the collector was on when the first of them began


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Run the body with the cyclic garbage collector off (see the module docstring)."""
    global _pauses, _restore
    with _lock:
        if _pauses == 0:
            _restore = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _restore:
                gc.enable()


def pauses() -> int:
    """How many pauses are in progress now (the language server reports it when asked)."""
    with _lock:
        return _pauses
