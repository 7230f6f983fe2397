"""Models in and out of the surgery commands: ``.onnx`` files and documents alike.

A command reads either kind and writes the kind its output's name asks for: ``.onnx`` a model,
``.yaml``/``.yml``/``.json`` the canonical document (through :mod:`onnxtext.api`).  Both are written
atomically and never over an existing file unless ``force``.  External data files (never read here)
are copied beside the output when it goes to another folder, so its references still resolve.
"""

from __future__ import annotations

import os
from pathlib import Path

import onnx

from onnxtext import api, text
from onnxtext.roundtrip.external import copy_external_data, external_locations, remove_files
from onnxtext.roundtrip.save import check_writable


def is_document(path: os.PathLike[str] | str) -> bool:
    """True for a name ending in .yaml, .yml or .json (any case)."""
    try:
        text.format_for(os.fspath(path))
    except ValueError:
        return False
    return True


def read_any(path: Path) -> onnx.ModelProto:
    """The model in ``path``: a document is decoded (errors placed at file:line:col), a model loaded
    without its external data."""
    return api.load(path) if is_document(path) else api.read_model(path)


def write_any(model: onnx.ModelProto, target: Path, *, source: Path, force: bool = False) -> None:
    """Write ``model`` to ``target`` (model or document by its name); ``source`` is where it was read."""
    check_writable(target, force=force)
    locations = external_locations(model)
    copied = copy_external_data(locations, source.resolve().parent, target.resolve().parent, force=force)
    try:
        if is_document(target):
            api.dump(model, target, force=True)
        else:
            api.save_model(model, target, force=True)
    except BaseException:
        remove_files(copied)
        raise
