"""Canonical form for edited documents: exactly what ``dump`` writes for the model a document describes.

After hand edits, a document may be laid out in any way YAML or JSON allows; :func:`format_file`
rewrites it as ``onnxtext dump`` would write the model it decodes to (so ``fmt`` after an edit and
``dump`` of the rebuilt model agree byte for byte), converting an older format version on the way.
Tensor payloads go where ``dump``'s policy puts them; ``.npy`` sidecars are rewritten with the
document, so they stay valid.

The one thing a model does not hold is a YAML comment: :mod:`.comments` keeps each with the element
it annotates.  The file is read once, through a :class:`~onnxtext.core.document.Document`, and its
text walked once for the tree and the comments together.  :mod:`.sniff` tells documents from other
YAML and JSON files.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path as FsPath
from typing import Any

from onnxtext import text
from onnxtext.base.errors import OnnxTextError
from onnxtext.codecs.policy import Mode, Policy
from onnxtext.convert.dump import SIDECAR_SUFFIX, check_sidecar_folder, dump, replace_sidecar_folder
from onnxtext.convert.modelfile import Transform
from onnxtext.core.document import Document
from onnxtext.fmt.comments import keep_comments
from onnxtext.fmt.sniff import looks_like_document, starts_like_document
from onnxtext.roundtrip.external import DATA_DIR_KEY

__all__ = ["Options", "format_file", "looks_like_document", "starts_like_document"]

_STAGING_PREFIX = ".onnxtext-fmt-"


@dataclasses.dataclass(frozen=True)
class Options:
    """How tensor payloads are written (``dump``'s options; the defaults are ``dump``'s), and a surgery
    to apply on the way (``fmt --name-nodes``)."""

    tensors: Mode = "auto"
    inline_max: int = Policy.inline_max
    npy_min_bytes: int = Policy.npy_min_bytes
    transform: Transform | None = None


def format_file(path: str | os.PathLike[str], *, write: bool = True, options: Options | None = None) -> bool:
    """Rewrite the document at ``path`` in canonical form; True when it changed (or would, if not ``write``).

    The document and its sidecar folder are replaced only once the new ones are complete.  Raises
    OnnxTextError for a document that does not decode (placed at ``file:line:col``) or a comment
    that cannot be kept (E701).
    """
    source = FsPath(path)
    try:
        fmt = text.format_for(source.name)
    except ValueError as err:
        raise OnnxTextError("E502", str(err), hint="fmt rewrites .yaml, .yml and .json documents").at(
            str(source)
        ) from None
    document = Document.read(source, fmt)
    comments = document.comments  # first: the walk that finds them reads the tree too
    data_dir = _data_dir(document.tree)
    model = document.model_or_raise()  # decoded from that tree
    original = document.text
    del document  # its tree: a big graph's would stay in memory while the canonical text is made
    options = options or Options()
    with tempfile.TemporaryDirectory(dir=source.parent, prefix=_STAGING_PREFIX) as staging:
        staged = FsPath(staging) / source.name
        dump(
            model,
            staged,
            format=fmt,
            tensors=options.tensors,
            inline_max=options.inline_max,
            npy_min_bytes=options.npy_min_bytes,
            transform=options.transform,
        )
        del model  # written: the comments' check below reads a whole text again
        canonical = _with_data_dir(staged.read_text(encoding="utf-8"), data_dir, fmt)
        result = keep_comments(canonical, comments, str(source))
        if result == original:
            return False
        if write:
            staged.write_text(result, encoding="utf-8", newline="")
            _move_into_place(staged, source)
    return True


def _data_dir(tree: Any) -> str | None:
    """The document's ``external_data_dir`` entry, when it has a valid one."""
    data_dir = tree.get(DATA_DIR_KEY) if isinstance(tree, dict) else None
    return data_dir if isinstance(data_dir, str) else None


def _with_data_dir(canonical: str, data_dir: str | None, fmt: text.Format) -> str:
    """Re-add the original's ``external_data_dir`` (a model dumped from elsewhere keeps finding its data)."""
    if data_dir is None:
        return canonical
    lines = canonical.split("\n")
    entry = text.emit({DATA_DIR_KEY: data_dir}, fmt).split("\n")
    if fmt == "yaml":  # after "onnxtext: 2"
        lines.insert(1, entry[0])
    else:  # after '{' and '  "onnxtext": 2,'
        lines.insert(2, entry[1] + ",")
    return "\n".join(lines)


def _move_into_place(staged: FsPath, target: FsPath) -> None:
    """Replace ``target`` and its sidecar folder by the staged ones (the document first, as ``dump`` does)."""
    sidecars = target.with_name(target.stem + SIDECAR_SUFFIX)
    check_sidecar_folder(sidecars)  # before anything moves
    os.chmod(staged, target.stat().st_mode & 0o7777)
    os.replace(staged, target)
    replace_sidecar_folder(staged.with_name(staged.stem + SIDECAR_SUFFIX), sidecars)
