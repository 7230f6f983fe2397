"""Attribute literals: what a bare value under ``attributes:`` means.

``1`` is an INT, ``1.0`` a FLOAT, ``'x'`` a STRING, a list of one kind INTS, FLOATS or STRINGS; where
the attribute holds an element type (``to`` of Cast), its name is an INT.  The encoder writes a
literal only where it reads back as the same attribute (see :meth:`Policy.bare_floats`), and every
other attribute as a mapping of its fields that says its type: the type is never guessed.
"""

from __future__ import annotations

from typing import Any

from onnx import AttributeProto

from onnxtext.base.doctree import big_int_text
from onnxtext.base.paths import Path
from onnxtext.codecs import dtype_by_name
from onnxtext.codecs.messages import kind
from onnxtext.roundtrip.values import fail, set_field, set_scalar


def set_literal(attr: AttributeProto, value: Any, path: Path, holds_dtype: bool) -> None:
    """``1`` is INT, ``1.0`` FLOAT, ``'x'`` STRING, lists likewise; anything else is refused.

    Where an element type is expected, its name is an INT (``to: float16``); a decimal string
    beyond +-(2^53 - 1) is an integer (JSON writes those as strings).
    """
    if isinstance(value, list):
        if not value:
            fail(
                "E205",
                "an empty list does not say its attribute type",
                path,
                "write {type: INTS} (or FLOATS, STRINGS, ...) for an empty list",
            )
        kinds = {type(v) for v in value}
        if str in kinds and all(type(v) is int or big_int_text(v) is not None for v in value):
            value, kinds = [v if type(v) is int else int(v) for v in value], {int}
        if kinds == {int}:
            attr.type, field = AttributeProto.INTS, "ints"
        elif kinds <= {int, float}:
            attr.type, field = AttributeProto.FLOATS, "floats"
        elif kinds == {str}:
            attr.type, field = AttributeProto.STRINGS, "strings"
        else:
            fail(
                "E205",
                "a list attribute must hold only numbers or only strings",
                path,
                "use {type: ..., <field>: ...} for other attribute kinds",
            )
        set_scalar(attr, AttributeProto.DESCRIPTOR.fields_by_name[field], value, path)
    elif type(value) is int:
        attr.type = AttributeProto.INT
        set_field(attr, "i", value, path)
    elif type(value) is float:
        attr.type = AttributeProto.FLOAT
        attr.f = value
    elif isinstance(value, str):
        code = _dtype_attribute(value) if holds_dtype else None
        if code is None:
            code = big_int_text(value)
        if code is not None:
            attr.type = AttributeProto.INT
            set_field(attr, "i", code, path)
        else:
            attr.type = AttributeProto.STRING
            attr.s = value.encode("utf-8", "surrogatepass")
    else:
        fail(
            "E205",
            f"{kind(value)} is not an attribute value",
            path,
            "write a number, a string, a list, a tensor {type: 'float32[2]', values: [...]}, "
            "a graph, or {type: <AttributeType>, ...} with the attribute's fields",
        )


def literal_key(name: Any, value: Any, holds_dtype: frozenset[str]) -> tuple[Any, ...] | None:
    """What decides the attribute a literal becomes, as a dict key (types kept apart: ``1``,
    ``1.0`` and ``True`` are equal in Python, and so are ``0.0`` and ``-0.0``); None for a value
    that is not a short literal."""
    kind = type(value)
    if kind is int or kind is str:
        return (name, name in holds_dtype, kind, value)
    if kind is float:
        return (name, False, kind, value.hex())
    if kind is list and len(value) <= 16 and set(map(type, value)) == _INT:
        return (name, False, list, *value)
    return None


_INT = {int}


def _dtype_attribute(name: str) -> int | None:
    dtype = dtype_by_name(name)
    return None if dtype is None else dtype.onnx
