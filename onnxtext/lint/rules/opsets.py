"""Ops and their schemas: every op exists at the imported version of its domain (not deprecated, not
experimental), with the attributes, inputs and outputs its schema (``onnx.defs``) asks for, each
attribute written with one value of its type.  Custom domains (no schemas in onnx.defs) and
calls of the model's own functions are not judged here.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Iterator
from typing import Any

import onnx
from onnx import defs

from onnxtext.base.diagnostics import Diagnostic, Fix
from onnxtext.core.document import Document
from onnxtext.core.index import Index, Node
from onnxtext.lint.edits import rename_key, replace_value, value_at
from onnxtext.lint.facts import (
    attributes,
    domain_text,
    known_domain,
    known_versions,
    local_functions,
    normal_domain,
    per_node,
    proto_of,
    schema,
    scope_opsets,
)
from onnxtext.lint.registry import fixer, rule


def _checked(document: Document, index: Index, node: Node) -> tuple[str, int, defs.OpSchema] | None:
    """(domain, imported version, schema) of ``node`` when its op has a schema at that version (not a
    call of the model's own function, not a custom domain); found once per node for the rules below."""
    found = node.meta.get(_checked, node)  # the node itself stands for "not yet"
    if found is node:
        found = node.meta[_checked] = _schema_of(document, index, node)
    return found  # type: ignore[return-value]


def _schema_of(document: Document, index: Index, node: Node) -> tuple[str, int, defs.OpSchema] | None:
    domain = normal_domain(node.domain)
    if (domain, node.op_type) in local_functions(document) or not known_domain(domain):
        return None
    version = scope_opsets(document, index, node.scope).get(domain)
    entry = schema(node.op_type, domain, version) if version is not None else None
    return (domain, version, entry) if entry is not None and version is not None else None


def _per_schema_node(
    check: Callable[[Document, Index, Node, str, int, defs.OpSchema], Iterator[Diagnostic]],
) -> Callable[[Document, Index], Iterator[Diagnostic]]:
    """A check of one node whose op has a schema, given its (domain, imported version, schema), run as
    :func:`per_node` runs it."""

    @functools.wraps(check)
    def run(document: Document, index: Index, node: Node) -> Iterator[Diagnostic]:
        checked = _checked(document, index, node)
        if checked is not None:
            yield from check(document, index, node, *checked)

    return per_node(run)


@rule(
    "O401",
    "op-not-in-opset",
    "error",
    "an op does not exist at the imported opset version of its domain",
    """
Each op exists from some version of its domain on. A node whose op is newer than the opset the
model imports (or that no version has) cannot run.

The fix (unsafe) writes the op the did-you-mean hint offers.
""",
)
@per_node
def op_not_in_opset(document: Document, index: Index, node: Node) -> Iterator[Diagnostic]:
    domain = normal_domain(node.domain)
    if not node.op_type or (domain, node.op_type) in local_functions(document) or not known_domain(domain):
        return
    version = scope_opsets(document, index, node.scope).get(domain)
    versions = known_versions(node.op_type, domain)
    if not versions:
        close = _close_op(node.op_type, domain)
        hint = f"did you mean '{close}'?" if close else "check the op's spelling and its domain"
        message = f"op '{node.op_type}' does not exist in domain {domain_text(domain)}"
        yield Diagnostic("O401", message, "error", (*node.path, "op_type"), hint)
    elif version is not None and version < versions[0]:
        yield Diagnostic(
            "O401",
            f"op '{node.op_type}' needs opset {versions[0]} of domain {domain_text(domain)} "
            f"but the model imports {version}",
            "error",
            (*node.path, "op_type"),
            f"raise opset_import['{domain}'] to {versions[0]} or later",
        )


@functools.cache
def _op_names() -> frozenset[tuple[str, str]]:
    return frozenset((s.domain, s.name) for s in defs.get_all_schemas())


def _close_op(op_type: str, domain: str) -> str | None:
    """The op of ``domain`` whose name looks most like ``op_type`` (None when none is close)."""
    close = difflib.get_close_matches(op_type, {name for d, name in _op_names() if d == domain}, n=1)
    return close[0] if close else None


@fixer("O401", "unsafe")
def use_the_near_op(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Write the op the did-you-mean hint offers (unsafe: a guess at what was meant)."""
    node = index.node_at.get(diagnostic.path[:-1]) if diagnostic.path else None
    close = _close_op(node.op_type, normal_domain(node.domain)) if node is not None else None
    edits = replace_value(document, diagnostic.path, close) if close is not None and diagnostic.path else None
    return Fix(f"Change to '{close}'", tuple(edits)) if edits else None


@rule(
    "O402",
    "deprecated-op",
    "error",
    "an op is deprecated (removed) at the imported opset version",
    """
Some ops were removed from later opsets (Upsample from opset 10 on: use Resize). A node using
one at such a version is rejected by the checker and by runtimes.
""",
)
@_per_schema_node
def deprecated_ops(
    document: Document, index: Index, node: Node, domain: str, version: int, found: defs.OpSchema
) -> Iterator[Diagnostic]:
    if found.deprecated:
        yield Diagnostic(
            "O402",
            f"op '{node.op_type}' is deprecated at opset {version} of domain {domain_text(domain)} "
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

The fix (unsafe) renames the attribute to the one the did-you-mean hint offers.
""",
)
@_per_schema_node
def unknown_attributes(
    document: Document, index: Index, node: Node, domain: str, version: int, _: defs.OpSchema
) -> Iterator[Diagnostic]:
    known = attributes(node.op_type, domain, version)
    for name in node.attributes:
        if name not in known:
            close = _close_attribute(name, known)
            allowed = ", ".join(known) or "none"
            hint = f"did you mean '{close}'?" if close else f"attributes of {node.op_type}: {allowed}"
            yield Diagnostic(
                "O403",
                f"{node.op_type} (opset {version}) has no attribute '{name}'",
                "error",
                (*node.path, "attributes", name),
                hint,
            )


def _close_attribute(name: str, known: dict[str, defs.OpSchema.Attribute]) -> str | None:
    close = difflib.get_close_matches(name, list(known), n=1)
    return close[0] if close else None


@fixer("O403", "unsafe")
def use_the_near_attribute(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Rename the attribute to the one the did-you-mean hint offers (unsafe: a guess), unless the node
    has that one already."""
    path = diagnostic.path
    node = index.node_at.get(path[:-2]) if path else None
    found = _checked(document, index, node) if node is not None else None
    if node is None or found is None or not path:
        return None
    domain, version, _ = found
    close = _close_attribute(str(path[-1]), attributes(node.op_type, domain, version))
    if close is None or close in node.attributes:
        return None
    edits = rename_key(document, path, close)
    return Fix(f"Change to '{close}'", tuple(edits)) if edits else None


@rule(
    "O404",
    "missing-attribute",
    "error",
    "a node lacks an attribute its op requires",
    """
Required attributes have no default; the op cannot run without them.
""",
)
@_per_schema_node
def missing_attributes(
    document: Document, index: Index, node: Node, domain: str, version: int, _: defs.OpSchema
) -> Iterator[Diagnostic]:
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
""",
)
@_per_schema_node
def attribute_types(
    document: Document, index: Index, node: Node, domain: str, version: int, _: defs.OpSchema
) -> Iterator[Diagnostic]:
    proto = proto_of(document, index, node) if node.attributes else None
    if proto is None:
        return
    known = attributes(node.op_type, domain, version)
    for attribute in proto.attribute:
        expected = known.get(attribute.name)
        if expected is None or attribute.ref_attr_name or int(expected.type) == attribute.type:
            continue
        wanted, got = expected.type.name, onnx.AttributeProto.AttributeType.Name(attribute.type)
        yield Diagnostic(
            "O405",
            f"attribute '{attribute.name}' of {node.op_type} (opset {version}) must be {wanted}, not {got}",
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
""",
)
@_per_schema_node
def arity(
    document: Document, index: Index, node: Node, _: str, version: int, found: defs.OpSchema
) -> Iterator[Diagnostic]:
    for what, given, low, high in (
        ("inputs", len(node.inputs), found.min_input, found.max_input),
        ("outputs", len(node.outputs), found.min_output, found.max_output),
    ):
        if low <= given <= high:
            continue
        wanted = f"{low}" if low == high else f"{low} to {high}" if high < 2**31 - 1 else f"at least {low}"
        yield Diagnostic(
            "O406",
            f"{node.op_type} (opset {version}) takes {wanted} {what}, this node has {given}",
            "error",
            (*node.path, what),
            f"give it {wanted} {what}",
        )


@rule(
    "O410",
    "experimental-op",
    "warning",
    "an op is experimental at the imported opset version",
    """
onnx.defs marks some op versions experimental: their definition may change or go, and runtimes
need not implement them.
""",
)
@_per_schema_node
def experimental_ops(
    document: Document, index: Index, node: Node, domain: str, version: int, found: defs.OpSchema
) -> Iterator[Diagnostic]:
    if found.support_level == defs.OpSchema.SupportType.EXPERIMENTAL:
        yield Diagnostic(
            "O410",
            f"op '{node.op_type}' is experimental at opset {version} of domain {domain_text(domain)}",
            "warning",
            (*node.path, "op_type"),
            "use a stable op, or an opset where it is stable",
        )


@rule(
    "O414",
    "ref-attribute-outside-function",
    "error",
    "an attribute refers to a function's attribute outside a function",
    """
`ref_attr_name` makes a node's attribute take the value of an attribute of the function the node
is in. Outside a function there is none to refer to: onnx.checker lets it pass, but the attribute
has no value, and onnxruntime runs the op with zero for it.
""",
)
def ref_outside_function(document: Document, index: Index) -> Iterator[Diagnostic]:
    if document.has_text and "ref_attr_name" not in document.text:
        return  # how a document writes a reference (and a dump, of a model with one)
    yield from _refs_outside_function(document, index)


@per_node
def _refs_outside_function(document: Document, index: Index, node: Node) -> Iterator[Diagnostic]:
    written = node.attributes and node.scope.root.kind != "function"
    proto = proto_of(document, index, node) if written else None
    for attribute in proto.attribute if proto is not None else ():
        if attribute.ref_attr_name:
            yield Diagnostic(
                "O414",
                f"attribute '{attribute.name}' refers to '{attribute.ref_attr_name}', but node "
                f"{node.label()} is in no function",
                "error",
                (*node.path, "attributes", attribute.name),
                "give the attribute its value",
            )


_SINGULAR = ("f", "i", "s", "t", "g", "sparse_tensor", "tp")
_REPEATED = ("floats", "ints", "strings", "tensors", "graphs", "sparse_tensors", "type_protos")
_VALUE_FIELDS = frozenset((*_SINGULAR, *_REPEATED))
_FIELD_OF = dict(
    zip(
        (
            "FLOAT",
            "INT",
            "STRING",
            "TENSOR",
            "GRAPH",
            "SPARSE_TENSOR",
            "TYPE_PROTO",
            *(f"{t}S" for t in ("FLOAT", "INT", "STRING", "TENSOR", "GRAPH", "SPARSE_TENSOR", "TYPE_PROTO")),
        ),
        (*_SINGULAR, *_REPEATED),
        strict=True,
    )
)


def _field_form(node: Any) -> bool:
    """Whether a node of the tree writes an attribute field by field (``{type: FLOAT, f: 0.5}``, or the
    list form): the only way to give one several value fields, or one its type does not name."""
    attributes = node.get("attributes") if isinstance(node, dict) else None
    if isinstance(attributes, list):
        return True
    values = attributes.values() if isinstance(attributes, dict) else ()
    return any(isinstance(v, dict) and v.get("type") in _FIELD_OF for v in values)


@rule(
    "O416",
    "attribute-fields",
    "error",
    "an attribute holds its value in several fields, or in a field its type does not name",
    """
An attribute written field by field (`{type: FLOAT, f: 0.5}`) holds its value in the one field its
type names, and one that refers to a function's attribute (`ref_attr_name`) holds none; onnx.checker
refuses an attribute with a value in another or in two fields.
""",
    defers=True,
)
@per_node
def attribute_fields(document: Document, index: Index, node: Node) -> Iterator[Diagnostic]:
    # a .onnx file's tree holds no attribute forms
    written = node.attributes and (not document.has_text or _field_form(value_at(document.tree, node.path)))
    proto = proto_of(document, index, node) if written else None
    for attribute in proto.attribute if proto is not None else ():
        fields = [f.name for f, _ in attribute.ListFields() if f.name in _VALUE_FIELDS]
        kind = onnx.AttributeProto.AttributeType.Name(attribute.type)
        if attribute.ref_attr_name:
            problem = (
                f"refers to '{attribute.ref_attr_name}' but holds {', '.join(fields)}" if fields else None
            )
        elif len(fields) > 1:
            problem = f"holds values in {', '.join(fields)}"
        else:
            problem = (
                f"is {kind} but holds {fields[0]}" if fields and fields[0] != _FIELD_OF.get(kind) else None
            )
        if problem is not None:
            yield Diagnostic(
                "O416",
                f"attribute '{attribute.name}' of node {node.label()} {problem}",
                "error",
                (*node.path, "attributes", attribute.name),
                "keep the one field its type names (`onnxtext dump` writes the plain form: alpha: 0.5)",
            )
