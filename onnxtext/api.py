"""The public API, shaped like :mod:`json`: ``dumps``/``loads`` for strings, ``dump``/``load`` for files,
and :func:`build`, which does what ``onnxtext build`` does.

This is where the layers meet: text (YAML/JSON) <-> document tree <-> ModelProto, with tensor
payloads read and written by the codecs.  Errors leave here placed at ``file:line:col``.  The steps
of the file commands live in :mod:`onnxtext.convert`; the names here are what callers use.

The facade sits above the features it puts together (the lint gate, the build surgeries) and below
the commands only: ``onnxtext build`` is one call of :func:`build` plus printing.  Nothing in the
package imports it but the commands.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path as FsPath

import onnx

from onnxtext import text
from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.progress import Progress, Silent
from onnxtext.convert.build import Build
from onnxtext.convert.dump import SIDECAR_SUFFIX, dump, dumps
from onnxtext.convert.modelfile import PathLike, Transform, check_model, read_model, save_model
from onnxtext.core.document import Document

__all__ = [
    "SIDECAR_SUFFIX",
    "PathLike",
    "Transform",
    "build",
    "check_model",
    "dump",
    "dumps",
    "load",
    "loads",
    "read_model",
    "save_model",
]


def loads(document: str, format: text.Format = "yaml", *, filename: str = "<string>") -> onnx.ModelProto:
    """The ModelProto a document text describes (``npy:`` references are read from the current folder)."""
    return Document(document, format, filename, FsPath.cwd()).model_or_raise()


def load(doc_path: PathLike, *, format: text.Format | None = None, check: bool = False) -> onnx.ModelProto:
    """The ModelProto described by the document at ``doc_path`` (sidecars read beside it).

    ``check`` runs onnx.checker on the model in memory; a model with external data is checked by
    :func:`build`, which can place the data files where the checker looks for them.
    """
    document = Document.read(FsPath(doc_path), format)
    model = document.model_or_raise()
    if check:
        with document.errors_placed():
            check_model(model)
    return model


def build(
    doc_path: PathLike | None,
    output: PathLike,
    *,
    format: text.Format | None = None,
    check: bool = True,
    force: bool = False,
    stdin_text: str | None = None,
    prune: bool = False,
    dedupe: bool = False,
    opset: int | None = None,
    infer_shapes: bool = False,
    progress: Progress | None = None,
    warn: Callable[[Diagnostic], None] | None = None,
    report: Callable[[str], None] | None = None,
) -> onnx.ModelProto:
    """Build the model of the document at ``doc_path`` into ``output`` (a ``.onnx``), as ``onnxtext build``.

    ``check`` (the default) lints the document first, with the rules that ``[tool.onnxtext.lint]`` of
    the nearest pyproject.toml selects: an error stops the build (:class:`onnxtext.lint.gate.LintFailed`
    lists every one; nothing is written), and each warning goes to ``warn`` (nothing is printed).
    Then ``onnx.checker`` runs where lint did not already run its checks.  ``check=False`` skips both.

    ``prune``, ``dedupe``, ``opset`` and ``infer_shapes`` change the decoded model before it is checked
    and written (``build --prune`` ...); ``report`` receives what they have to say (dedupe's savings).
    ``stdin_text`` stands for the document when ``doc_path`` is None.  An existing ``output`` is
    replaced only with ``force``.  Errors are :class:`~onnxtext.base.errors.OnnxTextError`, placed at
    ``file:line:col``.  Returns the decoded model (see :meth:`onnxtext.convert.build.Build.run`).
    """
    from onnxtext.lint.gate import decode_linted  # a dump does not pay for the linter's imports
    from onnxtext.surgery import pipeline

    transform = pipeline(
        prune=prune, dedupe=dedupe, opset=opset, infer_shapes=infer_shapes, report=report or (lambda _: None)
    )
    steps = Build(
        FsPath(output),
        check,
        force,
        progress or Silent(),
        transform,
        decode_linted,
        warn,
        transform_checks=transform is not None and transform.verifies,
    )
    return steps.run(doc_path, format=format, stdin_text=stdin_text)
