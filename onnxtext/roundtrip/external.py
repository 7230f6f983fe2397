"""External data: where a model's tensors keep their bytes outside the .onnx, and moving those files.

The document keeps every ``external_data`` reference as it is (location, offset, length, checksum).
References are relative to the model file, so when a model is built into another folder than the
one its data lives in, the data files are copied beside it (streamed by the OS, never read into
memory).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from google.protobuf.message import Message
from onnx import ModelProto, TensorProto
from onnx.checker import ValidationError
from onnx.external_data_helper import load_external_data_for_tensor

from onnxtext.base.errors import OnnxTextError
from onnxtext.roundtrip.lean import LEAN_MIN_BYTES, payload_size
from onnxtext.roundtrip.save import atomic_file, copy_file_into

DATA_DIR_KEY = "external_data_dir"  # document key: the data's folder, relative to the document


def _tensors(msg: Message) -> Iterator[TensorProto]:
    for field, value in msg.ListFields():
        if field.message_type is None:
            continue
        for item in value if field.is_repeated else (value,):
            if isinstance(item, TensorProto):
                yield item
            else:
                yield from _tensors(item)


def external_locations(model: ModelProto, document: str | None = None) -> list[str]:
    """The distinct ``location`` of every tensor stored as external data, in order of appearance.

    ``document``, the model's text, spares big graphs the walk when it proves there are
    none: every external tensor's ``data_location`` is written ``EXTERNAL`` (YAML and JSON alike).
    """
    if document is not None and "EXTERNAL" not in document:
        return []
    seen: dict[str, None] = {}
    for tensor in _tensors(model):
        if tensor.data_location == TensorProto.EXTERNAL:
            for entry in tensor.external_data:
                if entry.key == "location":
                    seen.setdefault(entry.value)
    return list(seen)


def with_small_external_data(model: ModelProto, data_dir: Path) -> ModelProto:
    """A copy of ``model`` whose external tensors under ``LEAN_MIN_BYTES`` hold their bytes: what shape
    inference must see, since it reads the values of shape inputs (a Reshape's shape, an Unsqueeze's
    axes: small tensors that ``size_threshold=0`` exporters store outside too) and refuses external
    ones.  Big tensors stay where they are (inference needs their type and dims only), and so does one
    whose bytes cannot be read (T307 says why).
    """
    copy = ModelProto()
    copy.CopyFrom(model)
    for tensor in _tensors(copy):
        size = payload_size(tensor)
        if tensor.data_location == TensorProto.EXTERNAL and size is not None and size < LEAN_MIN_BYTES:
            try:
                load_external_data_for_tensor(tensor, str(data_dir))
            except (OSError, ValueError, ValidationError):
                continue
    return copy


def _safe_relative(location: str) -> PurePosixPath:
    path = PurePosixPath(location.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or ":" in location:
        raise OnnxTextError(
            "E305",
            f"external data location {location!r} is not a plain relative path",
            hint="external data must sit beside the model (onnx refuses other locations too)",
        )
    return path


def copy_external_data(locations: list[str], source: Path, target: Path, *, force: bool) -> list[Path]:
    """Copy each data file from ``source`` into ``target`` unless already there; return the files made."""
    created: list[Path] = []
    try:
        for location in locations:
            relative = _safe_relative(location)
            src, dst = source / relative, target / relative
            if dst.exists() and src.exists() and os.path.samefile(src, dst):
                continue
            if not src.is_file():
                raise OnnxTextError(
                    "E502",
                    f"external data file {src} not found",
                    hint=f"the document says the model's data lives in {source}; "
                    "set external_data_dir (relative to the document) to its folder",
                )
            if dst.exists() and not force:
                raise OnnxTextError("E501", f"{dst} already exists", hint="pass --force to overwrite it")
            _copy_atomically(src, dst)
            created.append(dst)
    except BaseException:
        remove_files(created)
        raise
    return created


def _copy_atomically(src: Path, dst: Path) -> None:
    with atomic_file(dst) as out:
        copy_file_into(src, out)


def remove_files(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
