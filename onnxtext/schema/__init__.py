"""The JSON Schema (draft 2020-12) of an onnxtext document, generated, never written by hand.

Made from one source of truth: the encoder's own description of the format
(:mod:`onnxtext.roundtrip.layout`'s key tables and ONNX's protobuf descriptors, the type-string grammar
of :mod:`onnxtext.roundtrip.types`, the codecs' element types and payload keys) and ``onnx.defs``
(every op of every opset of every domain onnx ships, with its documentation and attributes).  Editors
use it for completion, hover and squiggles (``onnxtext schema``, ``onnxtext editor-setup``).

For tools in Python (the linter wraps it as a rule)::

    from onnxtext.schema import validate
    for path, message in validate(tree):   # tree: what onnxtext.text.parse returns
        ...                                  # path: ("graph", "nodes", 3, "attributes", "kernal_shape")

:func:`validate` returns every finding at once, sorted by path, as ``(document path, message)``;
an unknown key is reported at the key's own path, with a did-you-mean.  The validator is compiled
once per process (about 0.1 s, from the cached schema) and checks a 2,000-node document in about
half a second.  It finds what the schema can say: unknown keys, wrong value kinds, bad type strings
and element type names, unknown ops of onnx's own domains, unknown or mistyped attributes of a known
op, missing required attributes.  Names, references and opset versions are the linter's.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from onnxtext.base.paths import Path
from onnxtext.schema import cache

Schema = dict[str, Any]


def schema_text() -> str:
    """The schema as JSON text (2-space indent, the same bytes every time for one onnx and onnxtext)."""
    return cache.cached_text(_generated_text)


def _generated_text() -> str:
    from onnxtext.schema.generate import generate

    return json.dumps(generate(), indent=2, ensure_ascii=False) + "\n"


@functools.cache
def schema() -> Schema:
    """The schema as a dict (read once per process)."""
    return json.loads(schema_text())


@functools.cache
def _validator() -> Any:
    from onnxtext.schema import check

    return check.compiled(schema())


def validate(tree: Any) -> list[tuple[Path, str]]:
    """Every place ``tree`` (a parsed document) breaks the schema: ``(path, message)``, in document order."""
    from onnxtext.schema import check

    return check.findings(_validator(), tree)


__all__ = ["schema", "schema_text", "validate"]
