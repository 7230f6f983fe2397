"""onnxtext: lossless ONNX <-> YAML/JSON.  ``dumps``/``loads`` mirror :mod:`json`.

The public names load on first use (PEP 562), so ``import onnxtext`` (and with it every
``onnxtext`` command, ``--version`` included) does not pay for onnx, numpy and the YAML parser
until something needs them.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from onnxtext.base.version import __version__

if TYPE_CHECKING:
    from onnxtext.api import dump, dumps, load, loads
    from onnxtext.base.errors import OnnxTextError
    from onnxtext.codecs.policy import Policy

# public name -> the module that defines it
_LAZY = {
    "dump": "onnxtext.api",
    "dumps": "onnxtext.api",
    "load": "onnxtext.api",
    "loads": "onnxtext.api",
    "Policy": "onnxtext.codecs.policy",
    "OnnxTextError": "onnxtext.base.errors",
}

__all__ = ["OnnxTextError", "Policy", "__version__", "dump", "dumps", "load", "loads"]


def __getattr__(name: str) -> Any:
    """A public name, or a submodule not imported yet (``onnxtext.api.build`` after ``import onnxtext``)."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
