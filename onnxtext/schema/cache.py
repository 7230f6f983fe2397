"""The generated schema on disk: generating takes about a second, reading it back a few milliseconds.

The schema is a pure function of the onnx release (its op schemas and protobuf descriptors) and of
onnxtext's own code, so the cache file is named after a digest of both and never goes stale: a new
onnx or an edited generator simply makes a new name.  ``ONNXTEXT_CACHE_DIR`` moves the folder
(default: ``$XDG_CACHE_HOME/onnxtext`` or ``~/.cache/onnxtext``); a folder that cannot be written
only costs the time to generate.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from onnxtext.base.version import __version__

_PACKAGE = Path(__file__).resolve().parent.parent
# the code the schema is made from: the generator, the encoder's tables, the codecs' names
_SOURCES = (
    "schema",
    "roundtrip/layout.py",
    "roundtrip/types.py",
    "roundtrip/external.py",
    "codecs",
    "base/doctree.py",
)


def folder() -> Path:
    explicit = os.environ.get("ONNXTEXT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "onnxtext"


@functools.cache
def key() -> str:
    """A digest of onnx's version and the source files the schema is generated from."""
    onnx_version = importlib.metadata.version("onnx")  # without importing onnx (a quarter of a second)
    digest = hashlib.sha256(f"{__version__}\0{onnx_version}".encode())
    for name in _SOURCES:
        root = _PACKAGE / name
        for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def cached_text(make: Callable[[], str]) -> str:
    """The schema text from the cache, or ``make()`` (then stored for next time)."""
    path = folder() / f"schema-{key()}.json"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    text = make()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as tmp:
            tmp.write(text)
        os.replace(tmp.name, path)  # whole or not at all, even with two processes at once
    except OSError:
        pass
    return text
