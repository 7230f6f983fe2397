"""Types and shapes: what one strict ``onnx.shape_inference`` run (with data propagation) finds, each
placed at the node that fails.  Payloads that do not fit their type are the decoder's E30x codes.
"""

from __future__ import annotations

from collections.abc import Iterator

import onnx

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.paths import Path
from onnxtext.core.document import Document
from onnxtext.core.index import Index, Node
from onnxtext.lint.facts import inference, node_by_name
from onnxtext.lint.registry import rule
from onnxtext.lint.rules.tensors import field_form

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
""",
    stage="model",
)
def shape_failures(document: Document, index: Index) -> Iterator[Diagnostic]:
    for node, message in _failures(document, index, "T303"):
        path = node.path if node is not None else ("graph",)
        yield Diagnostic("T303", f"shape inference: {message}", "error", path, "fix the node or its inputs")


def _io(document: Document) -> Iterator[tuple[onnx.ValueInfoProto, Path, str]]:
    """The main graph's inputs and outputs (and value_info entries), each with its path and what it is.

    The decoded lists are paired with the document's by position; a list whose length differs (an
    item decoding skipped) is left alone rather than paired wrongly.
    """
    model, tree = document.model, document.tree
    graph = tree.get("graph") if isinstance(tree, dict) else None
    if model is None or not isinstance(graph, dict):
        return
    for key, protos, what in (
        ("inputs", model.graph.input, "graph input"),
        ("outputs", model.graph.output, "graph output"),
        ("value_info", model.graph.value_info, "value_info"),
    ):
        items = graph.get(key)
        if isinstance(items, list) and len(items) == len(protos):
            for k, proto in enumerate(protos):
                yield proto, ("graph", key, k), what


def _incomplete(kind: onnx.TypeProto, outermost: bool = True) -> str | None:
    """What a type lacks that onnx.checker asks of a graph input or output (None: nothing): a type,
    an element type, and the shape of a tensor (of the outermost type only: the tensors of a
    sequence may leave theirs out)."""
    case = kind.WhichOneof("value")
    if case is None:
        return "has no type"
    inner = getattr(kind, case)
    if case in ("tensor_type", "sparse_tensor_type"):
        if not inner.HasField("elem_type"):
            return "has no element type"
        if outermost and not inner.HasField("shape"):
            return "has no shape ([] is a scalar's, ? an unknown size)"
        return None
    if case in ("sequence_type", "optional_type"):
        return _incomplete(inner.elem_type, False) if inner.HasField("elem_type") else "has no element type"
    if case == "map_type":
        return _incomplete(inner.value_type, False) if inner.HasField("value_type") else "has no value type"
    return None


@rule(
    "T305",
    "missing-value-type",
    "info",
    "a node's output has no declared type (no value_info entry)",
    """
Types of intermediate values are optional: shape inference derives them, and exporters leave most
out. Declared (in `value_info`), they document the graph and let tools check it without inferring.
Opt-in (`--extend-select T305`): a clean export declares few.
""",
    default=False,
)
def missing_value_types(document: Document, index: Index) -> Iterator[Diagnostic]:
    for scope in index.scopes:
        if scope.kind == "function":
            continue  # a function's values have no types to declare
        declared = {name for name, _ in scope.value_info} | {name for name, _ in scope.outputs}
        for node in scope.nodes:
            for k, name in enumerate(node.outputs):
                if name and name not in declared:
                    yield Diagnostic(
                        "T305",
                        f"value '{name}' has no declared type",
                        "info",
                        (*node.path, "outputs", k),
                        "declare it in value_info (`build --infer-shapes` writes what inference derives)",
                    )


@rule(
    "T306",
    "incomplete-io-type",
    "error",
    "a graph input or output has no type, element type or shape",
    """
onnx.checker asks every input and output of the main graph for its full type: the element type
and the shape (a scalar's is empty, `float32[]`; an unknown size is `?` or a name). Subgraphs'
inputs and outputs may leave theirs to inference.
""",
    defers=True,
)
def incomplete_io_types(document: Document, index: Index) -> Iterator[Diagnostic]:
    for proto, path, what in _io(document):
        problem = _incomplete(proto.type) if what != "value_info" else None
        if problem is not None:
            yield Diagnostic(
                "T306", f"{what} '{proto.name}' {problem}", "error", path, "write its type: 'float32[N,3]'"
            )


@rule(
    "T308",
    "undefined-type",
    "error",
    "a tensor, or a declared type, has the element type UNDEFINED",
    """
Element type 0 (UNDEFINED) is a placeholder, not a type: onnx.checker refuses a tensor that has it,
and no runtime can hold a value of it.
""",
    defers=True,
)
def undefined_types(document: Document, index: Index) -> Iterator[Diagnostic]:
    for tensor, path in field_form(document, index):
        if tensor.data_type == onnx.TensorProto.UNDEFINED:
            label = f"tensor '{tensor.name}'" if tensor.name else "a tensor"
            yield Diagnostic(
                "T308", f"{label} has data_type UNDEFINED", "error", path, "give it its element type"
            )
    for proto, path, what in _io(document):
        kind = proto.type.WhichOneof("value")
        if kind in ("tensor_type", "sparse_tensor_type"):
            inner = getattr(proto.type, kind)
            if inner.HasField("elem_type") and inner.elem_type == onnx.TensorProto.UNDEFINED:
                yield Diagnostic(
                    "T308",
                    f"{what} '{proto.name}' has the element type UNDEFINED",
                    "error",
                    path,
                    "give it its element type",
                )
