"""What ``onnxtext lint PATH...`` reads: documents, folders of them, and ``.onnx`` files."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.errors import OnnxTextError
from onnxtext.convert.modelfile import read_model
from onnxtext.core.document import Document
from onnxtext.fmt import starts_like_document
from onnxtext.lint.engine import Selection, lint


def expand(paths: Iterable[Path]) -> Iterator[Path]:
    """The files to lint: each file given, and in each folder (recursively) the onnxtext documents
    and ``.onnx`` models, in name order; sidecar folders and hidden folders are skipped."""
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        for found in sorted(path.rglob("*")):
            relative = found.relative_to(path).parts
            if any(part.startswith(".") or part.endswith(".tensors") for part in relative[:-1]):
                continue
            if found.is_file() and (found.suffix == ".onnx" or starts_like_document(found)):
                yield found


def lint_file(path: Path, selection: Selection | None = None) -> list[Diagnostic]:
    """The diagnostics of one document or ``.onnx`` model (an unreadable file is one diagnostic)."""
    try:
        if path.suffix == ".onnx":
            document = Document.of_model(read_model(path), str(path))
        else:
            document = Document.read(path)
    except OnnxTextError as err:
        return [err.diagnostic if err.file else err.diagnostic.at(str(path))]
    except ValueError as err:  # a suffix that names no format
        message = f"{err}; lint reads .yaml, .yml, .json and .onnx files"
        return [Diagnostic("E502", message, "error", hint="pass a document or a model").at(str(path))]
    return lint(document, selection)
