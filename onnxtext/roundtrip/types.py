"""Compact type strings: ``float32[N,3,224,224]``, ``seq(float32[?])``, ``map(int64, float32)``.

Grammar (spaces around ``,`` and inside parentheses are ignored when reading)::

    type    := tensor | "seq(" type ")" | "optional(" type ")" | "map(" dtype "," type ")"
             | "sparse(" tensor ")"
    tensor  := dtype                     # shape absent (rank unknown)
             | dtype "[" [dim {"," dim}] "]"   # "[]" is a scalar
    dim     := integer (dim_value, negative too) | "?" (neither value nor param)
             | identifier (dim_param) | JSON string (any other dim_param: "floor(h/2) + 1", "?", "")

Readers also take an unquoted dim_param of any text without ``,[]()"`` (format 1 wrote ``batch
size`` plainly).  A TypeProto that this grammar cannot say exactly (a denotation, an opaque type, a
missing element type, unknown fields) is written as a mapping of its fields instead;
:func:`format_type` returns ``None`` for those.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]

from onnx import TypeProto

from onnxtext.codecs.dtypes import dtype_by_name, dtype_by_onnx, dtype_hint

_INT = re.compile(r"[-+]?[0-9]+\Z")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_NOT_BARE = re.compile(r'[\[\]()"]')


def format_type(tp: TypeProto) -> str | None:
    """The compact string for ``tp``, or ``None`` when only the mapping form is exact."""
    if tp.HasField("denotation"):
        return None
    kind = tp.WhichOneof("value")
    if kind == "tensor_type":
        return _format_tensor(tp.tensor_type)
    if kind == "sparse_tensor_type":
        inner = _format_tensor(tp.sparse_tensor_type)
        return None if inner is None else f"sparse({inner})"
    if kind in ("sequence_type", "optional_type"):
        holder = getattr(tp, kind)
        if not holder.HasField("elem_type"):
            return None
        inner = format_type(holder.elem_type)
        word = "seq" if kind == "sequence_type" else "optional"
        return None if inner is None else f"{word}({inner})"
    if kind == "map_type":
        mt = tp.map_type
        key = dtype_by_onnx(mt.key_type) if mt.HasField("key_type") else None
        if key is None or not mt.HasField("value_type"):
            return None
        inner = format_type(mt.value_type)
        return None if inner is None else f"map({key.name}, {inner})"
    return None


def _format_tensor(tt: TypeProto.Tensor | TypeProto.SparseTensor) -> str | None:
    dtype = dtype_by_onnx(tt.elem_type) if tt.HasField("elem_type") else None
    if dtype is None:
        return None
    if not tt.HasField("shape"):
        return dtype.name
    dims = []
    for dim in tt.shape.dim:
        text = _format_dim(dim)
        if text is None:
            return None
        dims.append(text)
    return f"{dtype.name}[{','.join(dims)}]"


def _format_dim(dim: TypeProto) -> str | None:
    if dim.HasField("denotation"):
        return None
    kind = dim.WhichOneof("value")
    if kind == "dim_value":
        return str(dim.dim_value)
    if kind is None:
        return "?"
    param = dim.dim_param
    if not isinstance(param, str):  # protobuf hands back bytes that are not UTF-8
        return None
    return param if _IDENTIFIER.match(param) else json.dumps(param, ensure_ascii=False)


class TypeStringError(ValueError):
    """A type string that does not follow the grammar; the message says what was expected.

    ``code`` is the diagnostic it becomes: ``E203`` (bad type string), or ``E204`` for an unknown
    element type, whose ``hint`` names the closest known one.
    """

    def __init__(self, message: str, *, code: str = "E203", hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.hint = hint


def parse_type(text: str) -> TypeProto:
    """Parse a compact type string into a TypeProto (inverse of :func:`format_type`)."""
    tp = TypeProto()
    _parse_into(text.strip(), tp)
    return tp


def _parse_into(text: str, tp: TypeProto) -> None:
    for word, field in (
        ("seq", "sequence_type"),
        ("optional", "optional_type"),
        ("sparse", "sparse_tensor_type"),
    ):
        inner = _call_argument(text, word)
        if inner is None:
            continue
        if field == "sparse_tensor_type":
            _parse_tensor(inner, tp.sparse_tensor_type)
        else:
            _parse_into(inner, getattr(tp, field).elem_type)
        return
    inner = _call_argument(text, "map")
    if inner is not None:
        key, sep, value = inner.partition(",")
        if not sep:
            raise TypeStringError(f"map type needs a key and a value type: map(int64, float32), not {text!r}")
        tp.map_type.key_type = _dtype_code(key.strip())
        _parse_into(value.strip(), tp.map_type.value_type)
        return
    _parse_tensor(text, tp.tensor_type)


def _call_argument(text: str, word: str) -> str | None:
    """``"seq( float32 )"`` with word ``seq`` gives ``"float32"``; other text gives None."""
    if not text.startswith(word):
        return None
    rest = text[len(word) :].lstrip()
    if not rest.startswith("("):
        return None
    if not rest.endswith(")"):
        raise TypeStringError(f"missing ')' in {text!r}")
    return rest[1:-1].strip()


def _parse_tensor(text: str, tt: TypeProto.Tensor | TypeProto.SparseTensor) -> None:
    name, bracket, dims = text.partition("[")
    tt.elem_type = _dtype_code(name.strip())
    if not bracket:
        return
    if not dims.endswith("]"):
        raise TypeStringError(f"missing ']' in {text!r}")
    tt.shape.SetInParent()
    body = dims[:-1].strip()
    if not body:
        return
    for quoted, part in _dim_tokens(body, text):
        dim = tt.shape.dim.add()
        if quoted:
            dim.dim_param = part
        elif _INT.match(part):
            dim.dim_value = _dim(part, text)
        elif part == "":
            raise TypeStringError(f"empty dimension in {text!r}: write a number, a name or '?'")
        elif _NOT_BARE.search(part):
            raise TypeStringError(f'dimension {part!r} in {text!r} needs double quotes: "{part}"')
        elif part != "?":
            dim.dim_param = part


def _dim_tokens(body: str, text: str) -> list[tuple[bool, str]]:
    """The dimensions of ``body`` (between the brackets) as (quoted, text) pairs, bare ones stripped."""
    tokens: list[tuple[bool, str]] = []
    pos, end = 0, len(body)
    while True:
        while pos < end and body[pos] == " ":
            pos += 1
        if body.startswith('"', pos):
            try:
                value, pos = scanstring(body, pos + 1, True)
            except json.JSONDecodeError as err:
                raise TypeStringError(f"bad quoted dimension in {text!r}: {err.msg}") from None
            tokens.append((True, value))
            while pos < end and body[pos] == " ":
                pos += 1
            if pos < end and body[pos] != ",":
                raise TypeStringError(f"expected ',' after the quoted dimension {value!r} in {text!r}")
        else:
            comma = body.find(",", pos)
            stop = end if comma < 0 else comma
            tokens.append((False, body[pos:stop].strip()))
            pos = stop
        if pos >= end:
            return tokens
        pos += 1  # the comma


def _dim(part: str, text: str) -> int:
    value = int(part)
    if not -(2**63) <= value < 2**63:
        raise TypeStringError(f"dimension {part} in {text!r} does not fit in int64")
    return value


def _dtype_code(name: str) -> int:
    dtype = dtype_by_name(name)
    if dtype is None:
        raise TypeStringError(f"unknown element type {name!r}", code="E204", hint=dtype_hint(name))
    return dtype.onnx


def format_tensor_type(data_type: int, dims: list[int]) -> str | None:
    """``float32[2,3]`` for a TensorProto's data_type and dims (always with brackets)."""
    dtype = dtype_by_onnx(data_type)
    return None if dtype is None else f"{dtype.name}[{','.join(map(str, dims))}]"


def parse_tensor_type(text: str) -> tuple[int, list[int]]:
    """Inverse of :func:`format_tensor_type`; every dimension must be an integer."""
    name, bracket, dims = text.strip().partition("[")
    if not bracket or not dims.endswith("]"):
        raise TypeStringError(
            f"a tensor type needs its dimensions, like float32[2,3] or float32[] (scalar), not {text!r}"
        )
    code = _dtype_code(name.strip())
    body = dims[:-1].strip()
    values = []
    for part in body.split(",") if body else []:
        part = part.strip()
        if not _INT.match(part):
            raise TypeStringError(f"tensor dimensions must be integers, not {part!r} in {text!r}")
        values.append(_dim(part, text))
    return code, values
