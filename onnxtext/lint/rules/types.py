"""Types and shapes: what one strict ``onnx.shape_inference`` run (with data propagation) finds, each
placed at the node that fails.  Payloads that do not fit their type are the decoder's E30x codes.
"""

from __future__ import annotations

from collections.abc import Iterator

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.paths import Path
from onnxtext.core.document import Document
from onnxtext.core.index import Index, Node
from onnxtext.lint.facts import inference, node_by_name
from onnxtext.lint.registry import rule

_CASCADE = "expected to have type but instead is null"
_DECLARED = ("existing shape", "existing elem type", "existing type", "Inferred elem type differs")


def _failures(document: Document, index: Index, code: str) -> Iterator[tuple[Node | None, str]]:
    """The inference failures that belong to rule ``code``, with the node each names."""
    failures = inference(document)[1]
    nodes = node_by_name(index) if failures else {}
    for name, op_type, message in failures:
        if _CASCADE in message and len(failures) > 1:
            continue  # an input left untyped by a failure upstream: that failure is the problem
        if _classify(message) == code:
            yield nodes.get((name, op_type)), message


def _classify(message: str) -> str:
    if any(needle in message for needle in _DECLARED):
        return "T301"
    if "TypeInferenceError" in message or "inconsistent type" in message:
        return "T302"
    return "T303"


def _declared(index: Index, node: Node) -> Path:
    """Where the type of the node's first output is declared (graph output or value_info), else the node."""
    for output in node.outputs:
        for use in index.consumers_of(node.scope, output):
            if use.kind == "output":
                return use.path
        for name, path in node.scope.value_info:
            if name == output:
                return path
    return node.path


@rule(
    "T301",
    "declared-type-contradicts",
    "error",
    "a declared type (value_info, graph output) contradicts what shape inference derives",
    """
onnx.shape_inference derives each output's type from the inputs and the op. A declaration that
says otherwise (another element type, another fixed dimension) is wrong, usually after an edit.

Bad:
    inputs: [{name: x, type: 'float32[2,3]'}]
    outputs: [{name: y, type: 'float32[3,3]'}]
    nodes: [{op_type: Relu, inputs: [x], outputs: [y]}]
Good:
    outputs: [{name: y, type: 'float32[2,3]'}]
""",
    stage="model",
)
def declared_types(document: Document, index: Index) -> Iterator[Diagnostic]:
    for node, message in _failures(document, index, "T301"):
        path = _declared(index, node) if node is not None else ("graph",)
        yield Diagnostic("T301", f"shape inference: {message}", "error", path, "fix the declared type")


@rule(
    "T302",
    "element-type-mismatch",
    "error",
    "a node receives an element type its op does not accept, or inputs whose types disagree",
    """
Ops constrain the element types of their inputs (Add wants both inputs of one type; MatMul takes
no bool). A producer and a consumer that disagree are rejected.

Bad:
    inputs: [{name: a, type: 'float32[2]'}, {name: b, type: 'int64[2]'}]
    nodes: [{op_type: Add, inputs: [a, b], outputs: [c]}]
Good:
    nodes:
      - {op_type: Cast, inputs: [b], outputs: [b_float], attributes: {to: float32}}
      - {op_type: Add, inputs: [a, b_float], outputs: [c]}
""",
    stage="model",
)
def element_types(document: Document, index: Index) -> Iterator[Diagnostic]:
    for node, message in _failures(document, index, "T302"):
        path = node.path if node is not None else ("graph",)
        yield Diagnostic("T302", f"type inference: {message}", "error", path, "make the element types agree")


@rule(
    "T303",
    "shape-inference",
    "error",
    "shape inference fails at a node (rank, broadcast, a shape input)",
    """
Strict shape inference (with data propagation) checks ranks, broadcasting and constant shape
inputs node by node; a node it cannot infer is wrong or fed wrong inputs.

Bad:
    inputs: [{name: a, type: 'float32[2,3]'}, {name: b, type: 'float32[4,3]'}]
    nodes: [{op_type: Add, inputs: [a, b], outputs: [c]}]
Good:
    inputs: [{name: a, type: 'float32[2,3]'}, {name: b, type: 'float32[2,3]'}]
""",
    stage="model",
)
def shape_failures(document: Document, index: Index) -> Iterator[Diagnostic]:
    for node, message in _failures(document, index, "T303"):
        path = node.path if node is not None else ("graph",)
        yield Diagnostic("T303", f"shape inference: {message}", "error", path, "fix the node or its inputs")
