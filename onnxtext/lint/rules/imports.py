"""What a model imports: every domain its nodes use listed in ``opset_import`` (and nothing else), an
ir_version that fits those opsets and the installed onnx, and functions that import the model's
versions.
"""

from __future__ import annotations

from collections.abc import Iterator

import onnx
from onnx import helper

from onnxtext.base.diagnostics import Diagnostic, Fix
from onnxtext.core.document import Document
from onnxtext.core.index import Index
from onnxtext.lint.edits import append_item, insert_entry, removal, replace_value, value_at
from onnxtext.lint.facts import (
    domain_text,
    local_functions,
    newest_version,
    normal_domain,
    opsets_by_scope,
    opsets_of,
)
from onnxtext.lint.registry import fixer, rule, where


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
    opsets = opsets_by_scope(document, index)
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
                f"node {node.label()} uses domain {domain_text(domain)}, which opset_import does not list",
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
                f"{domain_text(domain)} needs ({needed})",
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
                    f"function '{function.name}' imports opset {version} of domain {domain_text(domain)}, "
                    f"the model {ours[domain]} (model opset_import at {where(document, ('opset_import',))})",
                    "warning",
                    ("functions", i, "opset_import"),
                    "use the model's version in the function's opset_import",
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
                f"no node uses domain {domain_text(domain)} (opset {entry.version})",
                "warning",
                where,
                "remove the entry",
            )


@fixer("O415")
def remove_opset_import(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    return removal(document, diagnostic.path, "Remove the unused opset import")
