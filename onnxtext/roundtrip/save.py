"""Writing models: atomically (a temp file beside the target, then a rename), and without a second copy.

``SerializeToString`` holds the whole serialized model in memory beside the model itself, so
building a 1 GB model would take 2 GB.  :func:`write_model` writes the same bytes piece by piece
when the main graph's initializers are big: the model's and the graph's own fields in field-number
order (protobuf's order), each node and initializer serialized on its own, length prefixes from the
pieces' sizes.  The peak is the model plus its largest single tensor.

Initializers whose payload was left in a sidecar (``slices``, from a splicing
:class:`~onnxtext.codecs.npy.SidecarReader`) are written around it: the tensor's fields up to
``raw_data``, the ``raw_data`` key and length, the sidecar's bytes copied from its file (hashed as
they pass), then the rest.  Their bytes never enter the message, so they are read and written once.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO, Protocol

import onnx
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from onnxtext.base.errors import OnnxTextError
from onnxtext.codecs import dtype_by_onnx, set_string_field_bytes
from onnxtext.codecs.storage import packed_size
from onnxtext.codecs.wire import read_varint, varint
from onnxtext.roundtrip.encode import unknown_bytes

STREAM_MIN_BYTES = 1 << 26  # a graph whose initializers take this much is written piece by piece
HOLD_MAX_BYTES = 1 << 20  # an initializer this big is serialized when written, not held meanwhile
_RAW_DATA = onnx.TensorProto.DESCRIPTOR.fields_by_name["raw_data"].number


class Slice(Protocol):
    """A payload kept outside the message until it is written (a sidecar's bytes)."""

    size: int

    def write_to(self, out: BinaryIO) -> None: ...

    def read(self) -> bytes: ...


Slices = Mapping[int, tuple[onnx.TensorProto, Slice]]  # id(tensor) -> (tensor, its raw_data)


def check_writable(target: Path, *, force: bool) -> None:
    """Refuse to replace an existing file unless asked (E501)."""
    if target.exists() and not force:
        raise OnnxTextError(
            "E501", f"{target} already exists", hint="pass --force to overwrite it, or choose another -o path"
        ).at(str(target))


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[BinaryIO]:
    """Yield a temp file in ``target``'s folder; rename it onto ``target`` only if the block succeeds.

    The temp file is created by the very open that writes it (``O_EXCL``, private until renamed).
    Opening an existing file to write it again truncates it, and ext4 (``auto_da_alloc``) takes a file
    truncated and rewritten for a replacement that must reach the disk: closing it starts writing it
    back at once, which made copying 2.25 GiB of external data twice as slow (benchmarks/results.md).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    out, tmp = _fresh_file(target)
    try:
        with out:  # out.name is the temp path, for checks before the rename
            yield out
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _fresh_file(target: Path) -> tuple[BinaryIO, str]:
    """A new private file beside ``target`` (``.<name>.<random>.tmp``), open for writing, and its path."""
    for _ in range(100):
        tmp = str(target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return open(tmp, "xb", opener=_private), tmp  # closed by atomic_file
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {target}")


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def copy_file_into(source: Path, out: BinaryIO) -> None:
    """Append the file ``source`` to ``out``: in the kernel (``sendfile``) where it can, never through
    Python's memory in one piece."""
    out.flush()
    with open(source, "rb") as src:
        size, done = os.fstat(src.fileno()).st_size, 0
        try:
            while done < size:
                sent = os.sendfile(out.fileno(), src.fileno(), done, size - done)
                if not sent:
                    break
                done += sent
        except (AttributeError, OSError):  # no sendfile here (AttributeError), or not for these files
            if done:
                raise
        if done:
            out.seek(0, os.SEEK_END)  # the buffered writer learns where the file now ends
        if done < size:
            src.seek(done)
            shutil.copyfileobj(src, out, 1 << 22)


def current_umask() -> int:
    """The process umask (temp files are created private; the result should not be)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(target: Path, data: bytes | str | Callable[[BinaryIO], None], *, force: bool) -> None:
    """Write ``data`` (bytes, text as UTF-8, or a writer callback) to ``target`` atomically."""
    check_writable(target, force=force)
    try:
        with atomic_file(target) as out:
            if callable(data):
                data(out)
            else:
                out.write(data.encode("utf-8") if isinstance(data, str) else data)
    except OSError as err:
        raise OnnxTextError(
            "E502",
            f"cannot write {target}: {err.strerror or err}",
            hint="check the folder exists and is writable",
        ) from None


def write_model(model: onnx.ModelProto, out: BinaryIO, slices: Slices | None = None) -> None:
    """Write ``model.SerializeToString()`` to ``out`` without building it in one piece when it is big.

    A tensor in ``slices`` has its ``raw_data`` written from its slice (see the module docstring);
    one that is not a main-graph initializer gets the bytes set in the message first.
    """
    spliced = _spliced_initializers(model, slices or {})
    if not spliced and not _holds_big_tensors(model.graph):
        out.write(model.SerializeToString())
        return
    for field, value in model.ListFields():
        if field.name != "graph":
            out.write(_field_bytes(model, field, value))
            continue
        pieces = _graph_pieces(value, spliced)
        size = sum(_piece_size(piece) for piece in pieces)
        out.write(varint(field.number << 3 | 2) + varint(size))
        for piece in pieces:
            _write_piece(piece, out)
    out.write(unknown_bytes(model))


def _spliced_initializers(model: onnx.ModelProto, slices: Slices) -> dict[int, Slice]:
    """The slices of main-graph initializers; every other sliced tensor gets its bytes set now."""
    if not slices:
        return {}
    initializers = {id(tensor) for tensor in model.graph.initializer}
    spliced: dict[int, Slice] = {}
    for key, (tensor, payload) in slices.items():
        if key in initializers:
            spliced[key] = payload
        else:
            tensor.raw_data = payload.read()
    return spliced


def _holds_big_tensors(graph: onnx.GraphProto) -> bool:
    """Whether the initializers' encoding reaches STREAM_MIN_BYTES (counting stops there: ``ByteSize``
    serializes each tensor to count it, quick for small ones)."""
    total = 0
    for tensor in graph.initializer:
        total += tensor.ByteSize()
        if total >= STREAM_MIN_BYTES:
            return True
    return False


def _payload_estimate(tensor: onnx.TensorProto) -> int:
    """The payload bytes ``tensor``'s type and dims call for (0 when unknown), without touching it.

    (``ByteSize`` would serialize the whole tensor to count it.)
    """
    dtype = dtype_by_onnx(tensor.data_type)
    if dtype is None or dtype.kind == "string" or any(d < 0 for d in tensor.dims):
        return 0
    return packed_size(dtype, math.prod(tensor.dims))


# A piece of the graph's encoding: bytes held; a big initializer serialized when written (its size
# counted ahead); or a spliced initializer (its fields before raw_data, the slice, the fields after).
_Piece = bytes | tuple[onnx.TensorProto, int] | tuple[bytes, Slice, bytes]


def _graph_pieces(graph: onnx.GraphProto, spliced: dict[int, Slice]) -> list[_Piece]:
    pieces: list[_Piece] = []
    for field, value in graph.ListFields():
        if field.message_type is None:
            pieces.append(_field_bytes(graph, field, value))
            continue
        tag = varint(field.number << 3 | 2)
        for item in value:  # type: ignore[attr-defined]
            payload = spliced.get(id(item)) if field.name == "initializer" else None
            if payload is not None:
                head, tail = _around_raw_data(item)
                head += varint(_RAW_DATA << 3 | 2) + varint(payload.size)
                size = len(head) + payload.size + len(tail)
                pieces.append((tag + varint(size) + head, payload, tail))
            elif field.name == "initializer" and _payload_estimate(item) >= HOLD_MAX_BYTES:
                size = item.ByteSize()
                pieces += [tag + varint(size), (item, size)]
            else:
                data = item.SerializeToString()
                pieces.append(tag + varint(len(data)) + data)
    pieces.append(unknown_bytes(graph))
    return pieces


def _piece_size(piece: _Piece) -> int:
    if isinstance(piece, bytes):
        return len(piece)
    if isinstance(piece[1], int):
        return piece[1]
    head, payload, tail = piece  # type: ignore[misc]
    return len(head) + payload.size + len(tail)


def _write_piece(piece: _Piece, out: BinaryIO) -> None:
    if isinstance(piece, bytes):
        out.write(piece)
    elif isinstance(piece[1], int):
        out.write(piece[0].SerializeToString())  # type: ignore[union-attr]
    else:
        head, payload, tail = piece  # type: ignore[misc]
        out.write(head)
        payload.write_to(out)
        out.write(tail)


def _around_raw_data(tensor: onnx.TensorProto) -> tuple[bytes, bytes]:
    """The encoding of ``tensor`` (which has no ``raw_data``) split where ``raw_data`` would go.

    Protobuf writes known fields in field-number order and the unknown ones after them all, so
    ``raw_data`` goes before the first known field numbered above it.
    """
    data = tensor.SerializeToString()
    unknown = unknown_bytes(tensor)
    known = len(data) - len(unknown)
    pos = 0
    while pos < known:
        key, after_key = read_varint(data, pos)
        if key >> 3 > _RAW_DATA:
            break
        pos = _skip_value(data, after_key, key & 7)
    return data[:pos], data[pos:]


def _skip_value(data: bytes, pos: int, wire_type: int) -> int:
    """Where the value of wire type ``wire_type`` that starts at ``pos`` ends (known fields only)."""
    if wire_type == 0:
        return read_varint(data, pos)[1]
    if wire_type == 2:
        length, pos = read_varint(data, pos)
        return pos + length
    return pos + {1: 8, 5: 4}[wire_type]


def _field_bytes(msg: Message, field: FieldDescriptor, value: object) -> bytes:
    """The encoding of one non-message field (ModelProto and GraphProto have only ints and strings)."""
    scratch = type(msg)()
    items = list(value) if field.is_repeated else [value]  # type: ignore[call-overload]
    for item in items:
        if isinstance(item, bytes) and field.type == FieldDescriptor.TYPE_STRING:
            set_string_field_bytes(scratch, field.name, item)
        elif field.is_repeated:
            getattr(scratch, field.name).append(item)
        else:
            setattr(scratch, field.name, item)
    return scratch.SerializeToString()
