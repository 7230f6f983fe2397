"""The type of every value as shape inference sees it, written as the document writes types.

Hover and inlay hints show a value's declared type when the document gives one and the inferred one
otherwise.  Inference is onnx's own: the strict run lint already made (with data propagation) when
it succeeded, else a lenient run, which still types the values before the first problem.
"""

from __future__ import annotations

from collections.abc import Iterator

import onnx

from onnxtext.core.document import Document
from onnxtext.lint.facts import inference
from onnxtext.roundtrip.types import format_type


def inferred_types(document: Document) -> dict[str, str]:
    """Value name -> type string for every value of the model's graphs that inference typed."""
    model = inference(document)[0]
    if model is None and document.model is not None:
        try:
            model = onnx.shape_inference.infer_shapes(document.model)
        except Exception:  # inference refuses some broken models outright: then nothing is known
            model = None
    if model is None:
        return {}
    found: dict[str, str] = {}
    for info in _infos(model.graph):
        if info.name not in found and info.HasField("type"):
            written = format_type(info.type)
            if written is not None:
                found[info.name] = written
    return found


def _infos(graph: onnx.GraphProto) -> Iterator[onnx.ValueInfoProto]:
    yield from graph.input
    yield from graph.output
    yield from graph.value_info
    for node in graph.node:
        for attribute in node.attribute:
            for sub in [attribute.g] if attribute.HasField("g") else list(attribute.graphs):
                yield from _infos(sub)
