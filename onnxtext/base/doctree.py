"""The document tree's one layout hint, shared by the layers that build trees and the ones that write them.

A document tree is plain data: dicts with str keys, lists, str, int, float, bool and None.
:class:`Flow` is a dict that asks the writers to put the mapping on one line
(``{name: x, type: 'float32[2]'}``): a small record whose text never depends on anything around it.
It compares equal to the plain dict a parser reads back, so the hint never changes what a tree means.
"""

from __future__ import annotations

import re


class Flow(dict):  # type: ignore[type-arg]
    """A mapping written on one line."""

    __slots__ = ()


MAPPINGS = (dict, Flow)


# The largest integer every reader of JSON numbers holds exactly (JavaScript, jq: doubles).  A writer
# may spell an integer beyond +-SAFE_INT as its decimal string; readers take such a string back
# wherever an integer is expected.
SAFE_INT = 2**53 - 1


def big_int_text(text: object) -> int | None:
    """The integer a decimal string stands for when a writer would spell it so (beyond +-SAFE_INT)."""
    value = decimal_int(text) if isinstance(text, str) and 16 <= len(text) <= 21 else None
    return value if value is not None and abs(value) > SAFE_INT else None


_DECIMAL = re.compile(r"-?[0-9]{1,30}")


def decimal_int(text: object) -> int | None:
    """The integer a decimal string spells (readers take one wherever an integer is expected)."""
    return int(text) if isinstance(text, str) and _DECIMAL.fullmatch(text) else None
