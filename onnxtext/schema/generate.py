"""Put the document's definitions (:mod:`.definitions`) and the ops (:mod:`.ops`) together into one schema."""

from __future__ import annotations

import onnx

from onnxtext.base.version import __version__
from onnxtext.roundtrip import layout
from onnxtext.schema import definitions, ops
from onnxtext.schema.definitions import Schema

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def generate() -> Schema:
    """The JSON Schema (draft 2020-12) of an onnxtext document, for this onnxtext and this onnx."""
    by_op = ops.schemas_by_op()
    defs = definitions.definitions()
    defs["NodeProto"]["allOf"] = ops.domain_branches(by_op)
    defs.update(ops.definitions(by_op))
    return {
        "$schema": DRAFT,
        "title": f"onnxtext document (format {layout.FORMAT_VERSION})",
        "markdownDescription": f"An ONNX model as text: `onnxtext dump` writes it, `onnxtext build` reads it "
        f"(onnxtext {__version__}, ops of onnx {onnx.__version__}).",
        **definitions.root(),
        "$defs": dict(sorted(defs.items())),
    }
