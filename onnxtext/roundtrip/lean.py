"""Reading a ``.onnx`` without copying its big weights through the message (what ``dump`` needs).

``onnx.load`` reads the whole file into memory and protobuf copies every ``raw_data`` into the
message; the encoder then copies each out again to write its sidecar.  :func:`read_lean` maps the
file instead, finds the main graph's big ``raw_data`` fields in the wire format, and parses a copy
of the model without them: the payloads stay in the mapping, as memoryviews, until the sidecars are
written from there.  A model it cannot thin out exactly (anything but a plain tensor with one
``raw_data`` of the size its type and dims say) is read whole, as ``onnx.load`` reads it.
"""

from __future__ import annotations

import math
import mmap
import os

from onnx import GraphProto, ModelProto, TensorProto

from onnxtext.codecs import dtype_by_onnx
from onnxtext.codecs.storage import packed_size, payload_fields
from onnxtext.codecs.wire import read_varint, varint
from onnxtext.roundtrip.encode import unknown_bytes

LEAN_MIN_BYTES = 1 << 20  # payloads smaller than this are parsed into the message as usual
# Smaller files are read whole: finding the payloads walks every node in Python, which costs more
# than the copies it saves unless the weights are big.
LEAN_FILE_MIN_BYTES = 1 << 26
_GRAPH = ModelProto.DESCRIPTOR.fields_by_name["graph"].number
_INITIALIZER = GraphProto.DESCRIPTOR.fields_by_name["initializer"].number
_RAW_DATA = TensorProto.DESCRIPTOR.fields_by_name["raw_data"].number
_LENGTH_DELIMITED = 2

# id(initializer) -> (the initializer, kept alive so that its id stays its own; its raw_data, in the
# file's mapping)
Payloads = dict[int, tuple[TensorProto, memoryview]]


def read_lean(path: str | os.PathLike[str]) -> tuple[ModelProto, Payloads]:
    """The model at ``path`` and the payloads left out of it (none when it is read whole).

    Raises what ``ModelProto.ParseFromString`` raises for a file that is not a model.
    """
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size < LEAN_FILE_MIN_BYTES:
            return _parsed(f.read()), {}
        data = memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
    thinned = _thin_model(data)
    if thinned is None:
        return _parsed(data.tobytes()), {}
    skeleton, cut = thinned
    model = _parsed(skeleton)
    initializers = list(model.graph.initializer)
    if not all(_plain(initializers[i], payload) for i, payload in cut.items()):
        return _parsed(data.tobytes()), {}
    return model, {id(initializers[i]): (initializers[i], payload) for i, payload in cut.items()}


def without_big_weights(model: ModelProto, encoding: bytes | None = None) -> ModelProto:
    """``model`` without the ``raw_data`` of its big floating-point main-graph initializers: for shape
    inference, which reads an initializer's type and dims but the values only of integer tensors (shape
    data), and which otherwise copies the whole model four times (serialized, parsed in C++, the result
    serialized, parsed back).  ``model`` itself when it has no big weights, or a big one of another type.
    ``encoding`` is ``model`` serialized, when the caller has it already.
    """
    sizes = [payload_size(tensor) for tensor in model.graph.initializer]
    big = [size is None or size >= LEAN_MIN_BYTES for size in sizes]
    if not any(big) or not all(
        floating(tensor.data_type)
        for tensor, is_big in zip(model.graph.initializer, big, strict=True)
        if is_big
    ):
        return model
    thinned = _thin_model(memoryview(model.SerializeToString() if encoding is None else encoding))
    return model if thinned is None else _parsed(thinned[0])


def payload_size(tensor: TensorProto) -> int | None:
    """The ``raw_data`` bytes ``tensor``'s type and dims call for (None when unknown), without reading it."""
    dtype = dtype_by_onnx(tensor.data_type)
    if dtype is None or dtype.kind == "string" or any(d < 0 for d in tensor.dims):
        return None
    return packed_size(dtype, math.prod(tensor.dims))


def floating(data_type: int) -> bool:
    """Whether ``data_type`` is a floating-point or complex element type (weights, not shape data)."""
    dtype = dtype_by_onnx(data_type)
    return dtype is not None and dtype.kind in ("float", "complex")


def _parsed(data: bytes) -> ModelProto:
    model = ModelProto()
    model.ParseFromString(data)
    return model


def _plain(tensor: TensorProto, payload: memoryview) -> bool:
    """Whether ``payload`` is all there is to ``tensor``'s data, and of the size it should be.

    Then the encoder reads the tensor from its fields plus ``payload`` exactly as from the whole one.
    """
    dtype = dtype_by_onnx(tensor.data_type)
    if dtype is None or dtype.kind == "string" or dtype.packed:
        return False
    if payload_fields(tensor) or unknown_bytes(tensor):
        return False
    if any(d < 0 for d in tensor.dims):
        return False
    return len(payload) == packed_size(dtype, math.prod(tensor.dims))


def _thin_model(data: memoryview) -> tuple[bytes, dict[int, memoryview]] | None:
    """The model's encoding with the big ``raw_data`` of main-graph initializers cut out, and the cuts
    by initializer index; None when there is nothing to cut or the encoding is not plain enough."""
    fields = _fields(data)
    if fields is None:
        return None
    graphs = [f for f in fields if f[0] == _GRAPH and f[1] == _LENGTH_DELIMITED]
    if len(graphs) != 1:  # a repeated singular field is merged by protobuf: leave that to it
        return None
    pieces: list[bytes | memoryview] = []
    cut: dict[int, memoryview] = {}
    for number, _, start, value, end in fields:
        if number != _GRAPH:
            pieces.append(data[start:end])
            continue
        graph = _thin_graph(data[value:end], cut)
        if graph is None:
            return None
        pieces += [varint(_GRAPH << 3 | _LENGTH_DELIMITED), varint(len(graph)), graph]
    return (b"".join(pieces), cut) if cut else None


def _thin_graph(data: memoryview, cut: dict[int, memoryview]) -> bytes | None:
    fields = _fields(data)
    if fields is None:
        return None
    pieces: list[bytes | memoryview] = []
    index = 0
    for number, wire, start, value, end in fields:
        if number != _INITIALIZER or wire != _LENGTH_DELIMITED:
            pieces.append(data[start:end])
            continue
        tensor = _thin_tensor(data[value:end])
        if tensor is None:
            pieces.append(data[start:end])
        else:
            body, cut[index] = tensor
            pieces += [varint(_INITIALIZER << 3 | _LENGTH_DELIMITED), varint(len(body)), body]
        index += 1
    return b"".join(pieces)


def _thin_tensor(data: memoryview) -> tuple[bytes, memoryview] | None:
    """The tensor's encoding without its one big ``raw_data``, and that payload; else None."""
    fields = _fields(data)
    raws = [f for f in fields or () if f[0] == _RAW_DATA]
    if len(raws) != 1 or raws[0][1] != _LENGTH_DELIMITED or raws[0][4] - raws[0][3] < LEAN_MIN_BYTES:
        return None
    _, _, start, value, end = raws[0]
    return b"".join((data[:start], data[end:])), data[value:end]


def _fields(data: memoryview) -> list[tuple[int, int, int, int, int]] | None:
    """(field number, wire type, start, value start, end) of each top-level field; None if malformed."""
    out = []
    pos, size = 0, len(data)
    try:
        while pos < size:
            key, value = read_varint(data, pos)
            wire = key & 7
            if wire == 0:
                end = read_varint(data, value)[1]
            elif wire == _LENGTH_DELIMITED:
                length, value = read_varint(data, value)
                end = value + length
            elif wire in (1, 5):
                end = value + (8 if wire == 1 else 4)
            else:  # groups: not in ONNX's schema
                return None
            if end > size:
                return None
            out.append((key >> 3, wire, pos, value, end))
            pos = end
    except IndexError:
        return None
    return out
