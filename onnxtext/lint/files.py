"""What ``onnxtext lint PATH...`` reads: documents, folders of them, and ``.onnx`` files."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.errors import OnnxTextError
from onnxtext.convert.modelfile import read_model
from onnxtext.core.document import Document
from onnxtext.fmt import looks_like_document
from onnxtext.lint.engine import Selection, lint

DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")
_SNIFF = 4096  # a folder's .json/.yaml files are linted only when their start names the format key


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
            is_model = found.suffix == ".onnx"
            is_document = found.suffix.lower() in DOCUMENT_SUFFIXES
            if found.is_file() and (is_model or (is_document and _is_document(found))):
                yield found


def _is_document(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return looks_like_document(handle.read(_SNIFF))
    except OSError:
        return False


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
