"""Every op of every opset of every domain in ``onnx.defs``, as schema branches of a node.

A node's ``op_type`` completes from the ops of its domain (``domain`` absent, ``''`` or ``ai.onnx``
is ONNX's own), each offered with the first paragraph of its documentation; the branch of one op
holds its full text and its attributes (names, value kinds, descriptions, a snippet for the required
ones).  Placement matters for editors: the YAML extension's hover shows the *first* description it
meets among the schemas that match a node, so an op's text sits on the branch that only that op
matches, and the generic definitions carry no description.

One branch describes every version of an op: the attributes of all its versions (an old model's
``consumed_inputs`` still validates), the value kinds any version allowed, and required only what
every version requires.  Which version a model may use is the linter's question (opset_import), not
the schema's.  Domains onnx does not ship stay open: custom ops validate with any attributes.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import onnx
from onnx import AttributeProto, TensorProto, defs, helper

from onnxtext.codecs import DTYPE_NAMES
from onnxtext.roundtrip import layout
from onnxtext.schema import patterns
from onnxtext.schema.definitions import Schema, integer, ref

# attribute type -> (JSON type of its literal, schema of a list's items)
_LITERALS: dict[str, tuple[str, Schema | None]] = {
    "INT": ("integer", None),
    "FLOAT": ("number", None),
    "STRING": ("string", None),
    "INTS": ("array", integer(-(2**63), 2**63 - 1)),
    "FLOATS": ("array", {"type": "number"}),
    "STRINGS": ("array", {"type": "string"}),
}


def schemas_by_op() -> dict[tuple[str, str], list[defs.OpSchema]]:
    """(domain, op) -> its schemas, oldest version first."""
    ops: dict[tuple[str, str], list[defs.OpSchema]] = collections.defaultdict(list)
    for schema in defs.get_all_schemas_with_history():
        ops[(schema.domain, schema.name)].append(schema)
    return {key: sorted(versions, key=lambda s: s.since_version) for key, versions in sorted(ops.items())}


def domain_name(domain: str) -> str:
    return domain or "ai.onnx"


def definitions(ops: dict[tuple[str, str], list[defs.OpSchema]]) -> dict[str, Schema]:
    """One ``op:<domain>:<name>`` definition per op: its attributes."""
    return {
        _op_def(domain, name): op_branch(domain, name, versions) for (domain, name), versions in ops.items()
    }


def domain_branches(ops: dict[tuple[str, str], list[defs.OpSchema]]) -> list[Schema]:
    """One branch per domain: a node's op_type completes from the domain's ops and picks their branch."""
    domains = sorted({domain for domain, _ in ops})
    return [_domain_branch(domain, [name for d, name in ops if d == domain], ops) for domain in domains]


def _op_def(domain: str, name: str) -> str:
    return f"op:{domain_name(domain)}:{name}"


def _domain_branch(domain: str, names: list[str], ops: dict[tuple[str, str], list[defs.OpSchema]]) -> Schema:
    if domain in layout.ONNX_DOMAINS:
        condition: Schema = {"properties": {"domain": {"enum": sorted(layout.ONNX_DOMAINS)}}}
    else:
        condition = {"properties": {"domain": exactly(domain)}, "required": ["domain"]}
    # Checked by one pattern and offered as snippets: an enum (or an anyOf of consts) would make the
    # YAML extension list every op in each hover, and an anyOf of 200 consts slows its every node's check.
    completions = [
        {"label": name, "body": name, "markdownDescription": _summary(ops[(domain, name)])} for name in names
    ]
    first_letters = sorted({name[0] for name in names})
    return {
        "if": condition,
        "then": {
            "properties": {
                "op_type": {
                    "type": "string",
                    "pattern": "^(?:" + "|".join(re.escape(name) for name in names) + ")$",
                    "patternErrorMessage": f"an op of {domain_name(domain)} (onnx {onnx.__version__})",
                    "defaultSnippets": completions,
                }
            },
            # by first letter, then by name: a node meets about 30 conditions instead of 200
            "allOf": [
                {
                    "if": {"properties": {"op_type": {"pattern": f"^{re.escape(letter)}"}}},
                    "then": {
                        "allOf": [
                            {
                                "if": {"properties": {"op_type": exactly(name)}, "required": ["op_type"]},
                                "then": ref(_op_def(domain, name)),
                            }
                            for name in names
                            if name.startswith(letter)
                        ]
                    },
                }
                for letter in first_letters
            ],
        },
    }


def exactly(value: str) -> Schema:
    """A string equal to ``value``: a ``const``, anchored by a ``pattern`` as well, because
    yaml-language-server takes a ``const`` (and an ``enum``) for a prefix while it completes (a Conv
    node was offered ConvTranspose's attributes, a node of ``ai.onnx`` the ops of ``ai.onnx.ml``)."""
    return {"const": value, "pattern": f"^{re.escape(value)}$"}


def _summary(versions: list[defs.OpSchema]) -> str:
    """The first paragraph of the op's documentation: what completion shows beside the name."""
    doc = (versions[-1].doc or "").strip()
    return doc.split("\n\n")[0].strip()


def op_branch(domain: str, name: str, versions: list[defs.OpSchema]) -> Schema:
    """What a node of this op may hold under ``attributes``, described for hover and completion."""
    attributes = _attributes(versions)
    holds_dtype = layout.dtype_attributes(domain, name)
    properties = {
        attr: _attribute_schema(attr, found, len(versions), attr in holds_dtype)
        for attr, found in attributes.items()
    }
    required = [
        attr
        for attr, found in attributes.items()
        if len(found) == len(versions) and all(a.required for _, a in found)
    ]
    schema: Schema = {"properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
        schema["defaultSnippets"] = [
            {
                "label": f"{name}: required attributes",
                "markdownDescription": f"`{'`, `'.join(required)}`",
                "body": _snippet_body(required, attributes, holds_dtype),
            }
        ]
    branch: Schema = {
        "properties": {"op_type": {"markdownDescription": op_doc(versions)}, "attributes": schema}
    }
    if required:
        branch["required"] = ["attributes"]
    return branch


_Found = list[tuple[defs.OpSchema, defs.OpSchema.Attribute]]


def _attributes(versions: list[defs.OpSchema]) -> dict[str, _Found]:
    """attribute name -> (version, attribute) for every version that has it, oldest first."""
    found: dict[str, _Found] = collections.defaultdict(list)
    for version in versions:
        for attr_name, attr in sorted(version.attributes.items()):
            found[attr_name].append((version, attr))
    return dict(sorted(found.items()))


def _attribute_schema(name: str, found: _Found, version_count: int, holds_dtype: bool) -> Schema:
    kinds = sorted({attr.type.name for _, attr in found}, key=_attr_order)
    schema: Schema = {"markdownDescription": _attribute_doc(name, found, version_count, holds_dtype)}
    json_types = ["object"]  # the AttributeProto's fields: always possible
    literal: Schema = {}
    for kind in kinds:
        json_type, items = _LITERALS.get(kind, ("object", None))
        json_types.append(json_type)
        if items is not None:
            literal.update(minItems=1, items=items)
    if "INT" in kinds and "STRING" not in kinds:
        json_types.append("string")  # an integer too big for JSON numbers is written as a string
        literal.update(pattern=patterns.BIG_INT, minimum=-(2**63), maximum=2**63 - 1)
    if "number" in json_types and "integer" in json_types:
        json_types.remove("integer")  # "number" takes integers too
    json_types = sorted(set(json_types))
    type_key: Schema = {"enum": kinds}
    if "TENSOR" in kinds:
        type_key = {"anyOf": [type_key, {"type": "string", "pattern": patterns.ATTRIBUTE_TENSOR}]}
    fields: Schema = {"properties": {"type": type_key}}
    if "GRAPH" not in kinds:
        fields["required"] = ["type"]
    value = {"type": json_types, **literal, **fields}
    if holds_dtype:
        # an element type by name; Cast-1 took a STRING: TensorProto's names (FLOAT, INT64)
        names = list(DTYPE_NAMES) + (_ONNX_DTYPE_NAMES if "STRING" in kinds else [])
        value["type"] = [t for t in json_types if t != "string"]
        schema["anyOf"] = [{"enum": names}, value]
        schema["errorMessage"] = "an element type: " + ", ".join(DTYPE_NAMES)
    else:
        schema.update(value)
    return schema


_ONNX_DTYPE_NAMES = [v.name for v in TensorProto.DESCRIPTOR.enum_types_by_name["DataType"].values][1:]


def _attr_order(kind: str) -> int:
    return AttributeProto.AttributeType.Value(kind)


def _attribute_doc(name: str, found: _Found, version_count: int, holds_dtype: bool) -> str:
    latest = found[-1][1]
    kinds = " or ".join(dict.fromkeys(attr.type.name for _, attr in found))
    facts = [f"`{kinds}`" + (" (an element type: `float32`, `int64`, ...)" if holds_dtype else "")]
    if latest.required:
        facts.append("required")
    default = _default_text(latest)
    if default is not None:
        facts.append(f"default `{default}`")
    if len(found) < version_count:
        since = [version.since_version for version, _ in found]
        facts.append(f"in the op's versions {', '.join(map(str, since))} only")
    return f"**{name}**: {', '.join(facts)}\n\n{latest.description.strip()}"


def _default_text(attr: defs.OpSchema.Attribute) -> str | None:
    proto = attr.default_value
    if proto is None or not proto.HasField("type"):
        return None
    value = helper.get_attribute_value(proto)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float):
        return repr(float(np.float32(value))) if np.isfinite(value) else str(value)
    if isinstance(value, list):
        return repr([v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in value])
    return str(value) if isinstance(value, int) else None


def op_doc(versions: list[defs.OpSchema]) -> str:
    """The op's own documentation (latest version) with its versions, inputs, outputs and attributes."""
    latest = versions[-1]
    since = ", ".join(str(s.since_version) for s in versions)
    head = f"**{latest.name}** ({domain_name(latest.domain)}), opset versions {since}"
    if latest.deprecated:
        head += " — deprecated"
    parts = [head, (latest.doc or "").strip()]
    for title, params in (("Inputs", latest.inputs), ("Outputs", latest.outputs)):
        if params:
            parts.append(f"{title}:\n" + "\n".join(_param_line(p) for p in params))
    return "\n\n".join(part for part in parts if part)


def _param_line(param: defs.OpSchema.FormalParameter) -> str:
    option = param.option.name
    note = {"Optional": ", optional", "Variadic": ", variadic"}.get(option, "")
    return f"- `{param.name}` ({param.type_str}{note}): {' '.join(param.description.split())}"


def _snippet_body(required: Iterable[str], attributes: dict[str, _Found], holds_dtype: frozenset[str]) -> Any:
    """A snippet with one tab stop per required attribute, its value a placeholder of the right kind."""
    body: dict[str, Any] = {}
    stop = 1
    for name in required:
        kind = attributes[name][-1][1].type.name
        if name in holds_dtype:
            body[name] = f"${{{stop}:float32}}"
        elif kind == "GRAPH":
            body[name] = {
                "name": f"${{{stop}:{name}}}",
                "outputs": [{"name": f"${{{stop + 1}:y}}", "type": f"${{{stop + 2}:float32}}"}],
                "nodes": [],
            }
            stop += 2
        elif kind == "TENSOR":
            body[name] = {"type": f"${{{stop}:float32[1]}}", "values": f"^[${{{stop + 1}:0.0}}]"}
            stop += 1
        else:
            body[name] = _PLACEHOLDER.get(kind, "^{type: " + kind + "}").replace("#", str(stop))
        stop += 1
    return body


_PLACEHOLDER = {
    "INT": "^${#:0}",
    "FLOAT": "^${#:1.0}",
    "STRING": "${#:text}",
    "INTS": "^[${#:0}]",
    "FLOATS": "^[${#:1.0}]",
    "STRINGS": "^[${#:text}]",
}
