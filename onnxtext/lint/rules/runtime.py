"""Runtime support: the nodes onnxruntime's CPU provider cannot run, asked of the installed onnxruntime.

The kernels come from onnxruntime's own registry (``get_all_opkernel_def()``: op, domain, the op
versions each kernel implements, the element types of each type parameter), so the answer is the
installed version's, not a copied table.  An op without a kernel still runs when onnxruntime can
expand it: an op whose onnx schema has a function body (onnxruntime inlines it), a call of the
model's own functions, and ``Constant`` (folded into an initializer when the model loads).

The rules are opt-in (``--select RT``); without onnxruntime they find nothing, and ``onnxtext lint``
says so once (:func:`available`).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from typing import Any

import onnx

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.core.document import Document
from onnxtext.core.index import Index, Node
from onnxtext.lint.facts import (
    bound,
    domain_text,
    inference,
    local_functions,
    normal_domain,
    opsets_by_scope,
    schema,
)
from onnxtext.lint.registry import rule

PROVIDER = "CPUExecutionProvider"
_OPEN = 2**31 - 1  # the end of a kernel's version range that no later version closes
_EXPANDED_ON_LOAD = frozenset({("", "Constant")})


@dataclasses.dataclass(frozen=True)
class Kernel:
    """One kernel of the registry: the op versions it implements and each type parameter's types."""

    first: int
    last: int
    types: dict[str, list[str]]

    def implements(self, version: int) -> bool:
        """Whether the kernel runs the op's schema ``version`` (its since_version), as onnxruntime
        matches them: a kernel open at the end (the newest version it knows) only the version it
        starts at, since a later version may change the op."""
        return self.first == version or (self.first < version <= self.last and self.last != _OPEN)


@functools.cache
def _registry() -> tuple[str, dict[tuple[str, str], list[Kernel]]] | None:
    """onnxruntime's version and its CPU kernels by (domain, op); None without onnxruntime."""
    try:
        import onnxruntime
        from onnxruntime.capi import _pybind_state
    except ImportError:
        return None
    table: dict[tuple[str, str], list[Kernel]] = {}
    for kernel in _pybind_state.get_all_opkernel_def():
        if kernel.provider == PROVIDER:
            first, last = kernel.version_range
            key = (normal_domain(kernel.domain), kernel.op_name)
            table.setdefault(key, []).append(Kernel(first, last, dict(kernel.type_constraints)))
    return onnxruntime.__version__, table


def available() -> bool:
    """Whether onnxruntime is installed (else the RT rules find nothing)."""
    return _registry() is not None


@functools.cache
def _runtime_schemas() -> dict[tuple[str, str], list[Any]]:
    """onnxruntime's own op schemas (its contrib domains' included), by (domain, op)."""
    from onnxruntime.capi import _pybind_state

    table: dict[tuple[str, str], list[Any]] = {}
    for found in _pybind_state.get_all_operator_schema():
        table.setdefault((normal_domain(found.domain), found.name), []).append(found)
    return table


def _op_version(op_type: str, domain: str, imported: int) -> int:
    """The version of the op a node at opset ``imported`` runs: the newest since_version not above it."""
    known = [
        s.since_version for s in _runtime_schemas().get((domain, op_type), []) if s.since_version <= imported
    ]
    found = schema(op_type, domain, imported)
    return found.since_version if found is not None else max(known, default=imported)


def _expandable(op_type: str, domain: str, imported: int) -> bool:
    found = schema(op_type, domain, imported)
    return found is not None and (found.has_function or found.has_context_dependent_function)


@dataclasses.dataclass(frozen=True)
class _Judged:
    node: Node
    domain: str
    version: int
    kernels: list[Kernel] | None  # None: no kernel of any version; []: none at this version


def _judged(document: Document, index: Index) -> Iterator[_Judged]:
    """Every node onnxruntime would look a kernel up for, with the kernels it finds."""
    registry = _registry()
    if registry is None or document.model is None:
        return
    table = registry[1]
    functions = local_functions(document)
    opsets = opsets_by_scope(document, index)
    for node in index.nodes:
        domain = normal_domain(node.domain)
        imported = opsets[node.scope.id].get(domain)
        if imported is None or not node.op_type or (domain, node.op_type) in functions | _EXPANDED_ON_LOAD:
            continue  # an import O407 reports, or an op onnxruntime expands
        version = _op_version(node.op_type, domain, imported)
        kernels = table.get((domain, node.op_type))
        if kernels is not None:
            kernels = [k for k in kernels if k.implements(version)]
        if not kernels and _expandable(node.op_type, domain, imported):
            continue
        yield _Judged(node, domain, version, kernels)


def _versions(first: int, last: int) -> str:
    return f"{first}-{last}" if first != last and last != _OPEN else str(first)


def _runtime() -> str:
    registry = _registry()
    return f"onnxruntime {registry[0] if registry else '?'} ({PROVIDER})"


@rule(
    "RT001",
    "runtime-op-unsupported",
    "error",
    "onnxruntime's CPU provider has no kernel for the node's op",
    """
The installed onnxruntime's CPU provider implements no version of the op (and cannot expand it
into others): a session on the CPU refuses the model. Another execution provider, a custom-op
library or a newer onnxruntime may have it. Opt-in: `--select RT` (needs onnxruntime).
""",
    default=False,
)
def unsupported_ops(document: Document, index: Index) -> Iterator[Diagnostic]:
    for judged in _judged(document, index):
        if judged.kernels is None:
            node = judged.node
            yield Diagnostic(
                "RT001",
                f"{_runtime()} has no kernel for op '{node.op_type}' of domain {domain_text(judged.domain)}",
                "error",
                (*node.path, "op_type"),
                "replace the op, or run the model where it is implemented",
            )


@rule(
    "RT002",
    "runtime-opset-unsupported",
    "error",
    "onnxruntime's CPU provider implements the node's op, but not at the model's opset",
    """
The installed onnxruntime's CPU provider has kernels for the op, but none for the version the
model's opset_import selects (newer than it knows, or older than it still supports). Opt-in:
`--select RT` (needs onnxruntime).
""",
    default=False,
)
def unsupported_versions(document: Document, index: Index) -> Iterator[Diagnostic]:
    registry = _registry()
    for judged in _judged(document, index):
        if judged.kernels == [] and registry is not None:
            node = judged.node
            ranges = sorted({(k.first, k.last) for k in registry[1][judged.domain, node.op_type]})
            listed = ", ".join(
                f"{a}+" if b >= 2**31 - 1 else f"{a}-{b}" if a != b else f"{a}" for a, b in ranges
            )
            yield Diagnostic(
                "RT002",
                f"{_runtime()} implements op '{node.op_type}' at versions {listed}, not {judged.version}",
                "error",
                (*node.path, "op_type"),
                "convert the model to an opset it implements (onnxtext build --opset N)",
            )


@rule(
    "RT003",
    "runtime-types-unsupported",
    "error",
    "onnxruntime's CPU provider implements the node's op, but not for its element types",
    """
Each kernel takes given element types for each type parameter of the op (T: float, double...).
When no kernel of the op's version takes the types the node's inputs and outputs have (as shape
inference derives them), onnxruntime refuses the model: cast to a type it takes. Opt-in:
`--select RT` (needs onnxruntime).
""",
    stage="model",
    default=False,
)
def unsupported_types(document: Document, index: Index) -> Iterator[Diagnostic]:
    types = _value_types(document)
    protos = bound(document, index)
    for judged in _judged(document, index):
        proto = protos.get(id(judged.node))
        if not judged.kernels or proto is None:
            continue
        binding = _binding(proto, judged, types)
        node = judged.node
        if (
            binding
            and not any(_takes(kernel, binding) for kernel in judged.kernels)
            and not _expandable(node.op_type, judged.domain, judged.version)  # inlined instead
        ):
            wanted = ", ".join(f"{param}={kind}" for param, kind in sorted(binding.items()))
            yield Diagnostic(
                "RT003",
                f"{_runtime()} has no kernel of op '{judged.node.op_type}' (version {judged.version}) "
                f"for {wanted}",
                "error",
                judged.node.path,
                f"cast to a type it takes ({_offered(judged.kernels, binding)})",
            )


def _value_types(document: Document) -> dict[str, str]:
    """Value name -> its type as onnxruntime writes it (``tensor(float)``), in every graph, from the
    model with what strict shape inference derived."""
    model = inference(document)[0]
    if model is None:
        return {}
    found: dict[str, str] = {}
    graphs = [model.graph]
    while graphs:
        graph = graphs.pop()
        for info in (*graph.input, *graph.output, *graph.value_info):
            kind = _type_text(info.type)
            if kind is not None:
                found.setdefault(info.name, kind)
        for tensor in graph.initializer:
            found.setdefault(tensor.name, f"tensor({_element(tensor.data_type)})")
        for node in graph.node:
            for attribute in node.attribute:
                graphs += [attribute.g] if attribute.HasField("g") else list(attribute.graphs)
    return found


def _type_text(kind: onnx.TypeProto) -> str | None:
    case = kind.WhichOneof("value")
    if case == "tensor_type" and kind.tensor_type.elem_type:
        return f"tensor({_element(kind.tensor_type.elem_type)})"
    if case in ("sequence_type", "optional_type"):
        inner = _type_text(getattr(kind, case).elem_type)
        return f"{'seq' if case == 'sequence_type' else 'optional'}({inner})" if inner else None
    return None


def _element(data_type: int) -> str:
    """onnxruntime's name of an element type (``float``, ``int64``, ``bfloat16``...)."""
    return onnx.TensorProto.DataType.Name(data_type).lower()


def _binding(proto: onnx.NodeProto, judged: _Judged, types: dict[str, str]) -> dict[str, str]:
    """Type parameter -> the type the node gives it (from its inputs and outputs, where known)."""
    formal = _formal(judged)
    if formal is None:
        return {}
    binding: dict[str, str] = {}
    for names, params in ((proto.input, formal[0]), (proto.output, formal[1])):
        for k, name in enumerate(names):
            param = params[min(k, len(params) - 1)] if params else None
            kind = types.get(name) if name else None
            if param is not None and kind is not None and param in _parameters(judged):
                binding.setdefault(param, kind)
    return binding


def _formal(judged: _Judged) -> tuple[list[str], list[str]] | None:
    """The type parameter (or type) of each formal input and output of the op's version."""
    node = judged.node
    found = schema(node.op_type, judged.domain, judged.version)
    if found is not None:
        return [p.type_str for p in found.inputs], [p.type_str for p in found.outputs]
    versions = [
        s
        for s in _runtime_schemas().get((judged.domain, node.op_type), [])
        if s.since_version <= judged.version
    ]
    if not versions:
        return None
    newest = max(versions, key=lambda s: s.since_version)
    return [p.typeStr for p in newest.inputs], [p.typeStr for p in newest.outputs]


def _parameters(judged: _Judged) -> set[str]:
    return {param for kernel in judged.kernels or () for param in kernel.types}


def _takes(kernel: Kernel, binding: dict[str, str]) -> bool:
    """Whether ``kernel`` takes the types of ``binding``; float16 also where it takes float: the CPU
    provider casts a float16 node without a float16 kernel to float and back (InsertCastTransformer)."""
    return all(
        param not in kernel.types
        or kind in kernel.types[param]
        or (kind == _HALF and _FLOAT in kernel.types[param])
        for param, kind in binding.items()
    )


_HALF, _FLOAT = "tensor(float16)", "tensor(float)"


def _offered(kernels: list[Kernel], binding: dict[str, str]) -> str:
    offered: dict[str, set[str]] = {}
    for kernel in kernels:
        for param in binding:
            offered.setdefault(param, set()).update(kernel.types.get(param, ()))
    return "; ".join(f"{param}: {', '.join(sorted(kinds))}" for param, kinds in sorted(offered.items()))
