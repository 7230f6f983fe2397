"""Ops as the editor sees them: the opsets a document imports, and the ops and schemas at those versions.

Read from the document tree (not the decoded model), so they answer while the model does not decode;
schemas come from ``onnx.defs`` through the lint facts that every rule shares.
"""

from __future__ import annotations

import functools
from typing import Any

from onnx import defs

from onnxtext.lint.facts import known_versions, normal_domain, schema

LATEST = defs.onnx_opset_version()


def tree_opsets(tree: Any, root: Any = None) -> dict[str, int]:
    """domain -> version from ``opset_import`` of a function (``root``) or else of the model."""
    for holder in (root, tree):
        entries = holder.get("opset_import") if isinstance(holder, dict) else None
        if isinstance(entries, dict) and entries:
            return {normal_domain(str(k)): v for k, v in entries.items() if _version(v) is not None}
        if isinstance(entries, list) and entries:
            found = {}
            for entry in entries:
                if isinstance(entry, dict) and _version(entry.get("version")) is not None:
                    found[normal_domain(str(entry.get("domain", "")))] = _version(entry.get("version"))
            return found  # type: ignore[return-value]
    return {}


def _version(value: Any) -> int | None:
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def op_schema(op_type: str, domain: str, opsets: dict[str, int]) -> defs.OpSchema | None:
    """The schema of ``op_type`` at the imported version of its domain (the latest when none is)."""
    domain = normal_domain(domain)
    return schema(op_type, domain, opsets.get(domain, LATEST))


@functools.cache
def ops_at(domain: str, version: int) -> tuple[tuple[str, str], ...]:
    """(op name, one-line summary) of every op ``domain`` has at ``version`` (deprecated ones left out)."""
    found = []
    for name in sorted({s.name for s in defs.get_all_schemas_with_history() if s.domain == domain}):
        versions = known_versions(name, domain)
        if not versions or versions[0] > version:
            continue
        entry = schema(name, domain, version)
        if entry is not None and not entry.deprecated:
            found.append((name, summary(entry)))
    return tuple(found)


def summary(entry: defs.OpSchema) -> str:
    """The first sentence of an op's documentation."""
    text = " ".join((entry.doc or "").split())
    end = text.find(". ")
    return text[: end + 1] if end >= 0 else text


def attribute_type(attribute: defs.OpSchema.Attribute) -> str:
    return str(attribute.type).rsplit(".", 1)[-1]
