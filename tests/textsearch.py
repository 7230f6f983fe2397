"""Where things are in a dump, found by reading its lines: the expected positions of tests that check
where onnxtext places a diagnostic or a range, found without the source map, ``text.locate`` or the
server under test.  Each helper knows only how a dump is laid out (YAML block items start with
``- ``, JSON items with a ``{`` line, one key per line), in both formats."""

from __future__ import annotations


def bare(line: str) -> str:
    """A line without its indentation, list dash, double quotes and trailing comma: ``name: n9`` for
    both ``      name: n9`` (YAML) and ``        "name": "n9",`` (JSON)."""
    return line.strip().removeprefix("- ").replace('"', "").rstrip(",")


def line_of(text: str, content: str, nth: int = 0) -> int:
    """The number (from 1) of the ``nth`` line whose :func:`bare` form is ``content``."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if bare(line) == content]
    assert len(found) > nth, f"{content!r} is on {len(found)} lines"
    return found[nth]


def first_difference(before: str, after: str) -> int:
    """The number (from 1) of the first line where two texts differ."""
    for number, (old, new) in enumerate(zip(before.splitlines(), after.splitlines(), strict=False), 1):
        if old != new:
            return number
    raise AssertionError("the texts have the same lines")


def item_start(text: str, line: int) -> int:
    """The line where the list item holding ``line`` begins: the nearest line at or above it that
    starts a YAML block item (``- ``) or is a JSON item's lone ``{``."""
    lines = text.splitlines()
    for number in range(line, 0, -1):
        stripped = lines[number - 1].strip()
        if stripped.startswith("- ") or stripped == "{":
            return number
    raise AssertionError(f"line {line} is in no list item")
