"""Models in and out of the surgery commands: ``.onnx`` files and documents alike.

A command reads either kind and writes the kind its output's name asks for: ``.onnx`` a model,
``.yaml``/``.yml``/``.json`` the canonical document (through :mod:`onnxtext.convert`).  Both are written
atomically and never over an existing file unless ``force``.  External data files (never read here)
are copied beside the output when it goes to another folder, so its references still resolve.

Combining two models (``merge``) is the exception: their data files could share a name and offsets,
so each model's external data is read in (:func:`read_with_data`) and the result writes its own
data file (``<output>.data``) when an input had one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import onnx
from onnx.external_data_helper import (
    convert_model_to_external_data,
    load_external_data_for_model,
    write_external_data_tensors,
)

from onnxtext import text
from onnxtext.base.errors import OnnxTextError
from onnxtext.convert.dump import dump
from onnxtext.convert.modelfile import read_model, save_model
from onnxtext.core.document import Document
from onnxtext.roundtrip.external import copy_external_data, external_locations, remove_files
from onnxtext.roundtrip.save import check_writable, current_umask


def has_document_suffix(path: os.PathLike[str] | str) -> bool:
    """True for a name ending in .yaml, .yml or .json (any case)."""
    try:
        text.format_for(os.fspath(path))
    except ValueError:
        return False
    return True


def read_any(path: Path) -> onnx.ModelProto:
    """The model in ``path``: a document is decoded (errors placed at file:line:col), a model loaded
    without its external data."""
    return read_located(path)[0]


def read_located(path: Path) -> tuple[onnx.ModelProto, Path]:
    """:func:`read_any`, and the folder the model's external data is relative to (beside a model;
    for a document, where its ``external_data_dir`` says)."""
    if has_document_suffix(path):
        document = Document.read(path)
        return document.model_or_raise(), document.data_dir
    return read_model(path), path.resolve().parent


def read_with_data(path: Path) -> tuple[onnx.ModelProto, bool]:
    """The model in ``path`` with its external data read in (from where the model or its document
    says it lives), and whether it had any."""
    model, folder = read_located(path)
    if not external_locations(model):
        return model, False
    try:
        load_external_data_for_model(model, os.fspath(folder))
    except (OSError, ValueError, onnx.checker.ValidationError) as err:  # the checker's: a file not there
        raise OnnxTextError(
            "E502",
            f"cannot read the external data of {path}: {str(err).strip()}",
            hint="keep the model's data files where it names them (beside it, or external_data_dir)",
        ).at(os.fspath(path)) from None
    return model, True


def write_any(
    model: onnx.ModelProto, target: Path, *, source: Path, force: bool = False, external_data: bool = False
) -> None:
    """Write ``model`` to ``target`` (model or document by its name); ``source`` is where it was read.

    ``external_data``: the model holds its weights (read in by :func:`read_with_data`) and a ``.onnx``
    target keeps them in ``<target name>.data`` beside it, as ``onnx.save`` would.
    """
    check_writable(target, force=force)
    if external_data and not has_document_suffix(target):
        _save_with_data_file(model, target, force=force)
        return
    locations = external_locations(model)
    copied = copy_external_data(locations, source.resolve().parent, target.resolve().parent, force=force)
    try:
        if has_document_suffix(target):
            dump(model, target, force=True)
        else:
            save_model(model, target, force=True)
    except BaseException:
        remove_files(copied)
        raise


def _save_with_data_file(model: onnx.ModelProto, target: Path, *, force: bool) -> None:
    """``model`` to ``target`` and its tensors of 1 KiB and more to ``<target name>.data`` (none when no
    tensor is that big); the data file is written aside and moved in first, and removed again if the
    model cannot be written."""
    location = target.name + ".data"
    data = target.with_name(location)
    check_writable(data, force=force)
    convert_model_to_external_data(model, all_tensors_to_one_file=True, location=location)
    if not external_locations(model):
        save_model(model, target, force=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{location}."))
    try:
        write_external_data_tensors(model, os.fspath(staging))
        os.chmod(staging / location, 0o666 & ~current_umask())  # onnx creates it private
        os.replace(staging / location, data)
        try:
            save_model(model, target, force=True)
        except BaseException:
            remove_files([data])
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
