"""Pause the cyclic garbage collector while big trees are built (parse, encode, decode)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a big tree is built.

    A document of a big model is hundreds of thousands of containers that all stay alive, and each
    time the collector runs it walks them all for nothing: pausing it makes ``json.loads`` twice as
    fast, and the YAML parse and the encoder about 15% faster on a 50,000-node graph.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
