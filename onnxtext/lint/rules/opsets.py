"""Opsets and schemas: every op exists at the imported version of its domain, with the attributes,
inputs and outputs its schema (``onnx.defs``) asks for.  Custom domains (no schemas in onnx.defs) and
calls of the model's own functions are not judged here.
"""

from __future__ import annotations

import difflib
import functools
import weakref
from collections.abc import Iterator
from typing import Any

import onnx
from onnx import defs, helper

from onnxtext.base.diagnostics import Diagnostic, Fix
from onnxtext.core.document import Document
from onnxtext.core.index import Index, Node
from onnxtext.lint.edits import append_item, insert_entry, removal, rename_key, replace_value, value_at
from onnxtext.lint.facts import (
    attributes,
    bound,
    known_domain,
    known_versions,
    local_functions,
    newest_version,
    normal_domain,
    opsets_of,
    schema,
    scope_opsets,
)
from onnxtext.lint.registry import fixer, rule, where

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

The fix (unsafe) writes the op the did-you-mean hint offers.
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
            close = _close_op(node.op_type, domain)
            hint = f"did you mean '{close}'?" if close else "check the op's spelling and its domain"
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

The fix (unsafe) renames the attribute to the one the did-you-mean hint offers.
""",
)
def unknown_attributes(document: Document, index: Index) -> Iterator[Diagnostic]:
    for node, domain, version, _ in _checked(document, index):
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
    found = next((entry for entry in _checked(document, index) if path and entry[0].path == path[:-2]), None)
    if found is None or not path:
        return None
    node, domain, version, _ = found
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

The fix (unsafe: the version is a guess) imports the domain at the newest version onnx knows
of it (1 for a custom domain).
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


@fixer("O407", "unsafe")
def import_domain(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Add the domain to ``opset_import`` at the newest version onnx knows of it (1 for a custom
    domain; unsafe: the version is a guess)."""
    path = diagnostic.path
    node = index.node_at.get(path[:-1] if path and path[-1] == "domain" else path) if path else None
    imports = value_at(document.tree, ("opset_import",))
    if node is None or not imports:
        return None
    domain = normal_domain(node.domain)
    version = newest_version(domain)
    if isinstance(imports, dict):
        edits = insert_entry(document, ("opset_import", list(imports)[-1]), domain, version)
    else:
        edits = append_item(
            document, ("opset_import", len(imports) - 1), {"domain": domain, "version": version}
        )
    return Fix(f"Import domain '{domain}' (opset {version})", tuple(edits)) if edits else None


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

The fix raises ir_version to the lowest one the imported opsets need.
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


@fixer("O408")
def raise_ir_version(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Raise ir_version to the lowest one every imported opset needs (the model computes the same)."""
    needed = _ir_needed(document)
    edits = replace_value(document, ("ir_version",), needed) if needed is not None else None
    return Fix(f"Raise ir_version to {needed}", tuple(edits)) if edits else None


def _ir_needed(document: Document) -> int | None:
    """The lowest ir_version the model's opsets need (None when none says)."""
    model = document.model
    needs = (
        [_ir_for(d, v) for d, v in opsets_of(list(model.opset_import)).items()] if model is not None else []
    )
    return max((n for n in needs if n is not None), default=None)


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
def experimental_ops(document: Document, index: Index) -> Iterator[Diagnostic]:
    for node, domain, version, found in _checked(document, index):
        if found.support_level == defs.OpSchema.SupportType.EXPERIMENTAL:
            yield Diagnostic(
                "O410",
                f"op '{node.op_type}' is experimental at opset {version} of domain {_domain_text(domain)}",
                "warning",
                (*node.path, "op_type"),
                "use a stable op, or an opset where it is stable",
            )


@rule(
    "O411",
    "ir-version-invalid",
    "error",
    "the model has no ir_version, or one that cannot carry its opset_import",
    """
Every model says which version of the ONNX IR it follows; onnx.checker and runtimes refuse one
that does not, and a model of IR version 1 or 2 (before opsets existed) that imports opsets. The
fix writes the lowest ir_version the imported opsets need.
""",
)
def ir_version_invalid(document: Document, index: Index) -> Iterator[Diagnostic]:
    model = document.model
    if model is None:
        return
    if not model.HasField("ir_version") or model.ir_version < 1:
        where = ("ir_version",) if model.HasField("ir_version") else ()
        yield Diagnostic("O411", "the model has no valid ir_version", "error", where, _ir_hint(document))
    elif model.ir_version < 3 and len(model.opset_import):
        yield Diagnostic(
            "O411",
            f"ir_version {model.ir_version} predates opset_import, which the model has",
            "error",
            ("ir_version",),
            _ir_hint(document),
        )


def _ir_hint(document: Document) -> str:
    needed = _ir_needed(document)
    return f"write ir_version: {needed}" if needed is not None else "write the model's ir_version"


@fixer("O411")
def write_ir_version(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Write the lowest ir_version the model's opsets need."""
    needed = _ir_needed(document)
    if needed is None:
        return None
    if diagnostic.path == ("ir_version",):
        edits = replace_value(document, ("ir_version",), needed)
    elif isinstance(document.tree, dict) and "onnxtext" in document.tree:
        edits = insert_entry(document, ("onnxtext",), "ir_version", needed)
    else:
        return None
    return Fix(f"Write ir_version {needed}", tuple(edits)) if edits else None


@rule(
    "O412",
    "ir-version-too-new",
    "error",
    "the model's ir_version is newer than the installed onnx knows",
    """
onnx.checker refuses a model whose ir_version is newer than its own (`onnx.IR_VERSION`): the model
may use what this onnx cannot read. Upgrade onnx (and the runtime), or lower ir_version when the
model uses nothing of the newer IR.
""",
)
def ir_version_too_new(document: Document, index: Index) -> Iterator[Diagnostic]:
    model = document.model
    if model is not None and model.ir_version > onnx.IR_VERSION:
        yield Diagnostic(
            "O412",
            f"ir_version {model.ir_version} is newer than the installed onnx {onnx.__version__} knows "
            f"({onnx.IR_VERSION})",
            "error",
            ("ir_version",),
            "upgrade onnx, or lower ir_version",
        )


@rule(
    "O413",
    "no-opset-import",
    "error",
    "the model imports no opset at all",
    """
A model of IR version 3 or later lists the opsets its nodes are read against in `opset_import`;
onnx.checker refuses one that lists none. (When nodes use a domain, O407 says which to add.)
""",
)
def no_opset_import(document: Document, index: Index) -> Iterator[Diagnostic]:
    model = document.model
    if model is None or len(model.opset_import) or model.ir_version < 3 or index.nodes:
        return
    yield Diagnostic(
        "O413", "opset_import is empty", "error", ("opset_import",), "add opset_import: {'': <version>}"
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
    protos = bound(document, index)
    for node in index.nodes:
        proto = protos.get(id(node)) if node.attributes and node.scope.root.kind != "function" else None
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


@rule(
    "O415",
    "unused-opset-import",
    "warning",
    "the model imports a domain no node uses",
    """
An `opset_import` entry that no node (in any graph or function) uses says nothing about the
model. The fix removes it (never the last one).
""",
    default=False,
)
def unused_opset_imports(document: Document, index: Index) -> Iterator[Diagnostic]:
    model = document.model
    if model is None or len(model.opset_import) < 2:
        return
    used = {normal_domain(node.domain) for node in index.nodes}
    used |= {normal_domain(f.domain) for f in model.functions}  # calling a function imports its domain
    used |= {d for f in model.functions for d in opsets_of(list(f.opset_import))}
    imports = document.tree.get("opset_import") if isinstance(document.tree, dict) else None
    for k, entry in enumerate(model.opset_import):
        domain = normal_domain(entry.domain)
        if domain not in used:
            where = ("opset_import", entry.domain if isinstance(imports, dict) else k)
            yield Diagnostic(
                "O415",
                f"no node uses domain {_domain_text(domain)} (opset {entry.version})",
                "warning",
                where,
                "remove the entry",
            )


@fixer("O415")
def remove_opset_import(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    return removal(document, diagnostic.path, "Remove the unused opset import")


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
def attribute_fields(document: Document, index: Index) -> Iterator[Diagnostic]:
    protos = bound(document, index)
    tree, text = document.tree, document.has_text  # a .onnx file's tree holds no attribute forms
    for node in index.nodes:
        written = node.attributes and (not text or _field_form(value_at(tree, node.path)))
        proto = protos.get(id(node)) if written else None
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
                    f"is {kind} but holds {fields[0]}"
                    if fields and fields[0] != _FIELD_OF.get(kind)
                    else None
                )
            if problem is not None:
                yield Diagnostic(
                    "O416",
                    f"attribute '{attribute.name}' of node {node.label()} {problem}",
                    "error",
                    (*node.path, "attributes", attribute.name),
                    "keep the one field its type names (`onnxtext dump` writes the plain form: alpha: 0.5)",
                )
