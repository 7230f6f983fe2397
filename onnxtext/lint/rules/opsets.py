"""Opsets and schemas: every op exists at the imported version of its domain, with the attributes,
inputs and outputs its schema (``onnx.defs``) asks for.  Custom domains (no schemas in onnx.defs) and
calls of the model's own functions are not judged here.
"""

from __future__ import annotations

import difflib
import functools
import weakref
from collections.abc import Iterator

import onnx
from onnx import defs, helper

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.core.document import Document
from onnxtext.core.index import Index, Node
from onnxtext.lint.facts import (
    attributes,
    bound,
    known_domain,
    known_versions,
    local_functions,
    normal_domain,
    opsets_of,
    schema,
    scope_opsets,
)
from onnxtext.lint.registry import rule, where

_CHECKED: weakref.WeakKeyDictionary[Index, list[tuple[Node, str, int, defs.OpSchema]]] = (
    weakref.WeakKeyDictionary()
)


def _checked(document: Document, index: Index) -> list[tuple[Node, str, int, defs.OpSchema]]:
    """(node, domain, imported version, schema) of every node whose op has a schema at that version.

    Computed once per index: five rules walk it.
    """
    if index in _CHECKED:
        return _CHECKED[index]
    functions = local_functions(document)
    opsets = _opsets(document, index)
    found = []
    for node in index.nodes:
        domain = normal_domain(node.domain)
        if (domain, node.op_type) in functions or not known_domain(domain):
            continue
        version = opsets[node.scope.id].get(domain)
        entry = schema(node.op_type, domain, version) if version is not None else None
        if entry is not None and version is not None:
            found.append((node, domain, version, entry))
    _CHECKED[index] = found
    return found


def _opsets(document: Document, index: Index) -> dict[int, dict[str, int]]:
    """scope id -> the opsets its nodes are read against (asked per node: looked up once per scope)."""
    return {scope.id: scope_opsets(document, index, scope) for scope in index.scopes}


def _domain_text(domain: str) -> str:
    return f"'{domain}'" if domain else "'' (ai.onnx)"


@rule(
    "O401",
    "op-not-in-opset",
    "error",
    "an op does not exist at the imported opset version of its domain",
    """
Each op exists from some version of its domain on. A node whose op is newer than the opset the
model imports (or that no version has) cannot run.

Bad:
    opset_import: {'': 9}
    nodes: [{op_type: RoiAlign, inputs: [x, rois, idx], outputs: [y]}]
Good:
    opset_import: {'': 10}
""",
)
def op_not_in_opset(document: Document, index: Index) -> Iterator[Diagnostic]:
    functions = local_functions(document)
    opsets = _opsets(document, index)
    for node in index.nodes:
        domain = normal_domain(node.domain)
        if not node.op_type or (domain, node.op_type) in functions or not known_domain(domain):
            continue
        version = opsets[node.scope.id].get(domain)
        versions = known_versions(node.op_type, domain)
        if not versions:
            names = {name for d, name in _op_names() if d == domain}
            close = difflib.get_close_matches(node.op_type, names, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "check the op's spelling and its domain"
            message = f"op '{node.op_type}' does not exist in domain {_domain_text(domain)}"
            yield Diagnostic("O401", message, "error", (*node.path, "op_type"), hint)
        elif version is not None and version < versions[0]:
            yield Diagnostic(
                "O401",
                f"op '{node.op_type}' needs opset {versions[0]} of domain {_domain_text(domain)} "
                f"but the model imports {version}",
                "error",
                (*node.path, "op_type"),
                f"raise opset_import['{domain}'] to {versions[0]} or later",
            )


@functools.cache
def _op_names() -> frozenset[tuple[str, str]]:
    return frozenset((s.domain, s.name) for s in defs.get_all_schemas())


@rule(
    "O402",
    "deprecated-op",
    "error",
    "an op is deprecated (removed) at the imported opset version",
    """
Some ops were removed from later opsets (Upsample from opset 10 on: use Resize). A node using
one at such a version is rejected by the checker and by runtimes.

Bad:
    opset_import: {'': 13}
    nodes: [{op_type: Upsample, inputs: [x, scales], outputs: [y]}]
Good:
    nodes: [{op_type: Resize, inputs: [x, '', scales], outputs: [y]}]
""",
)
def deprecated_ops(document: Document, index: Index) -> Iterator[Diagnostic]:
    for node, domain, version, found in _checked(document, index):
        if found.deprecated:
            yield Diagnostic(
                "O402",
                f"op '{node.op_type}' is deprecated at opset {version} of domain {_domain_text(domain)} "
                f"(since version {found.since_version})",
                "error",
                (*node.path, "op_type"),
                f"replace it (see the onnx operator docs), or import an opset below {found.since_version}",
            )


@rule(
    "O403",
    "unknown-attribute",
    "error",
    "a node has an attribute its op does not define",
    """
An attribute the schema does not know is rejected by the checker; often it is a typo.

Bad:
    - {op_type: LeakyRelu, inputs: [x], outputs: [y], attributes: {alhpa: 0.1}}
Good:
    - {op_type: LeakyRelu, inputs: [x], outputs: [y], attributes: {alpha: 0.1}}
""",
)
def unknown_attributes(document: Document, index: Index) -> Iterator[Diagnostic]:
    for node, domain, version, _ in _checked(document, index):
        known = attributes(node.op_type, domain, version)
        for name in node.attributes:
            if name not in known:
                close = difflib.get_close_matches(name, list(known), n=1)
                allowed = ", ".join(known) or "none"
                hint = f"did you mean '{close[0]}'?" if close else f"attributes of {node.op_type}: {allowed}"
                yield Diagnostic(
                    "O403",
                    f"{node.op_type} (opset {version}) has no attribute '{name}'",
                    "error",
                    (*node.path, "attributes", name),
                    hint,
                )


@rule(
    "O404",
    "missing-attribute",
    "error",
    "a node lacks an attribute its op requires",
    """
Required attributes have no default; the op cannot run without them.

Bad:
    - {op_type: Cast, inputs: [x], outputs: [y]}
Good:
    - {op_type: Cast, inputs: [x], outputs: [y], attributes: {to: float16}}
""",
)
def missing_attributes(document: Document, index: Index) -> Iterator[Diagnostic]:
    for node, domain, version, _ in _checked(document, index):
        given = set(node.attributes)
        for name, attribute in attributes(node.op_type, domain, version).items():
            if attribute.required and name not in given:
                yield Diagnostic(
                    "O404",
                    f"{node.op_type} (opset {version}) requires the attribute '{name}'",
                    "error",
                    node.path,
                    f"add `{name}: ...` under the node's attributes ({attribute.type.name})",
                )


@rule(
    "O405",
    "attribute-type",
    "error",
    "an attribute has the wrong type for its op",
    """
Each attribute has one type: `1` is an INT, `1.0` a FLOAT, `'x'` a STRING, `[1, 2]` INTS.

Bad:
    - {op_type: LeakyRelu, inputs: [x], outputs: [y], attributes: {alpha: 1}}
Good:
    - {op_type: LeakyRelu, inputs: [x], outputs: [y], attributes: {alpha: 1.0}}
""",
)
def attribute_types(document: Document, index: Index) -> Iterator[Diagnostic]:
    protos = bound(document, index)
    for node, domain, version, _ in _checked(document, index):
        proto = protos.get(id(node)) if node.attributes else None
        if proto is None:
            continue
        known = attributes(node.op_type, domain, version)
        for attribute in proto.attribute:
            expected = known.get(attribute.name)
            if expected is None or attribute.ref_attr_name or int(expected.type) == attribute.type:
                continue
            wanted, got = expected.type.name, onnx.AttributeProto.AttributeType.Name(attribute.type)
            yield Diagnostic(
                "O405",
                f"attribute '{attribute.name}' of {node.op_type} (opset {version}) must be {wanted}, "
                f"not {got}",
                "error",
                (*node.path, "attributes", attribute.name),
                _type_hint(wanted),
            )


_LITERALS = {
    "FLOAT": "write a number with a dot: 1.0",
    "INT": "write a whole number: 1",
    "STRING": "quote it: 'x'",
}
_LITERALS |= {"FLOATS": "write [1.0, 2.0]", "INTS": "write [1, 2]", "STRINGS": "write [a, b]"}


def _type_hint(wanted: str) -> str:
    return _LITERALS.get(wanted, f"write a {wanted} value")


@rule(
    "O406",
    "arity",
    "error",
    "a node has too few or too many inputs or outputs for its op",
    """
Each op takes between a minimum and a maximum number of inputs and outputs (an omitted optional
input in the middle is written as '').

Bad:
    - {op_type: Relu, inputs: [x, y], outputs: [z]}
Good:
    - {op_type: Relu, inputs: [x], outputs: [z]}
""",
)
def arity(document: Document, index: Index) -> Iterator[Diagnostic]:
    for node, _, version, found in _checked(document, index):
        for what, given, low, high in (
            ("inputs", len(node.inputs), found.min_input, found.max_input),
            ("outputs", len(node.outputs), found.min_output, found.max_output),
        ):
            if low <= given <= high:
                continue
            wanted = (
                f"{low}" if low == high else f"{low} to {high}" if high < 2**31 - 1 else f"at least {low}"
            )
            yield Diagnostic(
                "O406",
                f"{node.op_type} (opset {version}) takes {wanted} {what}, this node has {given}",
                "error",
                (*node.path, what),
                f"give it {wanted} {what}",
            )


@rule(
    "O407",
    "domain-not-imported",
    "error",
    "a node uses a domain the model does not import",
    """
Every domain a node uses needs an entry in `opset_import` saying which version of it to use.

Bad:
    opset_import: {'': 17}
    nodes: [{op_type: LabelEncoder, domain: ai.onnx.ml, inputs: [x], outputs: [y]}]
Good:
    opset_import: {'': 17, ai.onnx.ml: 3}
""",
)
def domain_not_imported(document: Document, index: Index) -> Iterator[Diagnostic]:
    if document.model is None:
        return
    functions = local_functions(document)
    opsets = _opsets(document, index)
    reported: set[tuple[int, str]] = set()
    for node in index.nodes:
        domain = normal_domain(node.domain)
        root = node.scope.root
        if (domain, node.op_type) in functions or (root.id, domain) in reported:
            continue
        if domain not in opsets[node.scope.id]:
            reported.add((root.id, domain))
            yield Diagnostic(
                "O407",
                f"node {node.label()} uses domain {_domain_text(domain)}, which opset_import does not list",
                "error",
                (*node.path, "domain") if node.domain else node.path,
                f"add {domain or repr('')}: <version> to opset_import",
            )


@rule(
    "O408",
    "ir-version-too-old",
    "warning",
    "the model's ir_version is older than its opsets need",
    """
Each ONNX release pairs an IR version with the opsets it defines (onnx.helper.VERSION_TABLE).
A model importing a newer opset than its ir_version knows may be refused by a strict runtime.
Opt-in (`--extend-select O408`): onnx.checker and onnxruntime accept such models, and real
exports carry them (the bundled SqueezeNet, 12 of the models in onnx's own test data).

Bad:
    ir_version: 3
    opset_import: {'': 17}
Good:
    ir_version: 8
    opset_import: {'': 17}
""",
    default=False,
)
def ir_version(document: Document, index: Index) -> Iterator[Diagnostic]:
    model = document.model
    if model is None or not model.HasField("ir_version"):
        return
    for domain, version in opsets_of(list(model.opset_import)).items():
        needed = _ir_for(domain, version)
        if needed is not None and model.ir_version < needed:
            yield Diagnostic(
                "O408",
                f"ir_version {model.ir_version} is older than opset {version} of domain "
                f"{_domain_text(domain)} needs ({needed})",
                "warning",
                ("ir_version",),
                f"raise ir_version to {needed} or later",
            )


def _ir_for(domain: str, version: int) -> int | None:
    column = {"": 2, "ai.onnx.ml": 3}.get(domain)
    if column is None:
        return None
    rows = [row for row in helper.VERSION_TABLE if row[column] is not None and row[column] >= version]
    return min((row[1] for row in rows), default=None)


@rule(
    "O409",
    "function-opset-mismatch",
    "warning",
    "a function imports another version of a domain than the model",
    """
A function's nodes are read against the function's own opset_import. When it names another
version of a domain than the model does, the checker and runtimes may refuse to inline it.

Bad:
    opset_import: {'': 17}
    functions: [{name: f, domain: local, opset_import: {'': 13}, ...}]
Good:
    functions: [{name: f, domain: local, opset_import: {'': 17}, ...}]
""",
)
def function_opsets(document: Document, index: Index) -> Iterator[Diagnostic]:
    model = document.model
    if model is None:
        return
    ours = opsets_of(list(model.opset_import))
    for i, function in enumerate(model.functions):
        for domain, version in opsets_of(list(function.opset_import)).items():
            if domain in ours and ours[domain] != version:
                yield Diagnostic(
                    "O409",
                    f"function '{function.name}' imports opset {version} of domain {_domain_text(domain)}, "
                    f"the model {ours[domain]} (model opset_import at {where(document, ('opset_import',))})",
                    "warning",
                    ("functions", i, "opset_import"),
                    "use the model's version in the function's opset_import",
                )
