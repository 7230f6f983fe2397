"""Which YAML and JSON files are onnxtext documents, told from their first lines (no parsing)."""

from __future__ import annotations

import os
import re

from onnxtext import text
from onnxtext.roundtrip.layout import FORMAT_KEY

HEAD_CHARS = 1 << 16  # how much of a file is looked at
_FORMAT_LINE = re.compile(rf'(?m)^(?:{FORMAT_KEY}:|\ufeff?\s*\{{\s*"{FORMAT_KEY}"\s*:)')


def starts_like_document(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is named .yaml/.yml/.json and starts like a document (:func:`looks_like_document`).

    A cheap look at the file's head, for hooks and folder walks that meet every YAML and JSON file.
    """
    try:
        text.format_for(os.fspath(path))
        with open(path, encoding="utf-8", errors="replace") as handle:
            return looks_like_document(handle.read(HEAD_CHARS))
    except (ValueError, OSError):
        return False


def looks_like_document(head: str) -> bool:
    """Whether the start of a text has the format key at the top level: a line ``onnxtext: 2`` (YAML)
    or ``{"onnxtext": 2`` (JSON), as ``dump`` writes them first."""
    return _FORMAT_LINE.search(head) is not None
