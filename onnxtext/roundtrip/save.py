"""Writing models: atomically (a temp file beside the target, then a rename), and without a second copy.

``SerializeToString`` holds the whole serialized model in memory beside the model itself, so
building a 1 GB model would take 2 GB.  :func:`write_model` writes the same bytes piece by piece
when the main graph's initializers are big: the model's and the graph's own fields in field-number order
(protobuf's order), each node and initializer serialized on its own, length prefixes from
``ByteSize``.  The peak is the model plus its largest single tensor.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import onnx
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from onnxtext.codecs import set_string_field_bytes
from onnxtext.codecs.wire import varint
from onnxtext.errors import OnnxTextError
from onnxtext.roundtrip.encode import unknown_bytes

STREAM_MIN_BYTES = 1 << 26  # a graph whose initializers take this much is written piece by piece


def check_writable(target: Path, *, force: bool) -> None:
    """Refuse to replace an existing file unless asked (E501)."""
    if target.exists() and not force:
        raise OnnxTextError(
            "E501", f"{target} already exists", hint="pass --force to overwrite it, or choose another -o path"
        )


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[BinaryIO]:
    """Yield a temp file in ``target``'s folder; rename it onto ``target`` only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with open(tmp, "wb") as out:  # out.name is the temp path, for checks before the rename
            yield out
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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


def write_model(model: onnx.ModelProto, out: BinaryIO) -> None:
    """Write ``model.SerializeToString()`` to ``out`` without building it in one piece when it is big."""
    if not _holds_big_tensors(model.graph):
        out.write(model.SerializeToString())
        return
    for field, value in model.ListFields():
        if field.name != "graph":
            out.write(_field_bytes(model, field, value))
            continue
        out.write(varint(field.number << 3 | 2) + varint(_streamed_size(value)))
        for graph_field, graph_value in value.ListFields():
            for piece in _pieces(value, graph_field, graph_value):
                out.write(piece)
        out.write(unknown_bytes(value))
    out.write(unknown_bytes(model))


def _holds_big_tensors(graph: onnx.GraphProto) -> bool:
    return sum(t.ByteSize() for t in graph.initializer) >= STREAM_MIN_BYTES  # ByteSize copies nothing


def _streamed_size(graph: onnx.GraphProto) -> int:
    size = len(unknown_bytes(graph))
    for field, value in graph.ListFields():
        if field.message_type is None:
            size += len(_field_bytes(graph, field, value))
        else:
            for item in value:
                item_size = item.ByteSize()
                size += len(varint(field.number << 3 | 2)) + len(varint(item_size)) + item_size
    return size


def _pieces(msg: Message, field: FieldDescriptor, value: object) -> Iterator[bytes]:
    """The encoding of one field of ``msg``: one piece per element of a repeated message field."""
    if field.message_type is None:
        yield _field_bytes(msg, field, value)
        return
    tag = varint(field.number << 3 | 2)
    for item in value:  # type: ignore[attr-defined]
        data = item.SerializeToString()
        yield tag + varint(len(data))
        yield data


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
