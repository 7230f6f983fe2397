"""What ``onnxtext lint PATH...`` reads (documents, folders of them, ``.onnx`` files), on every core.

Each file is linted (and fixed, when asked) on its own, so a folder of hundreds of documents and models
is spread over worker processes, as ruff spreads files over threads (Python threads would share one
interpreter lock); the results come back in the order of the files, whatever order they finish in.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import difflib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.errors import OnnxTextError
from onnxtext.convert.modelfile import read_model
from onnxtext.core.document import Document
from onnxtext.fmt import starts_like_document
from onnxtext.lint.engine import Selection, lint, rules
from onnxtext.lint.fixing import fix_document
from onnxtext.roundtrip.save import atomic_file

FixMode = Literal["none", "apply", "diff"]


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


@dataclasses.dataclass(frozen=True)
class Checked:
    """One file's outcome: its diagnostics (after fixing, when it was fixed; each carrying its fix),
    how many of each code the fixes repaired, and the unified diff of the fixes (``diff`` mode)."""

    path: Path
    diagnostics: list[Diagnostic]
    fixed: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    diff: str = ""


def check_file(
    path: Path, selection: Selection | None = None, fix: FixMode = "none", unsafe: bool = False
) -> Checked:
    """Lint one document or ``.onnx`` model (an unreadable file is one diagnostic); with ``fix``, apply
    its fixes (``apply``: the file is rewritten when they change it) or show them (``diff``)."""
    try:
        if path.suffix == ".onnx":
            return _check_model(path, selection, fix)
        document = Document.read(path)
    except OnnxTextError as err:
        return Checked(path, [err.diagnostic if err.file else err.diagnostic.at(str(path))])
    except ValueError as err:  # a suffix that names no format
        message = f"{err}; lint reads .yaml, .yml, .json and .onnx files"
        return Checked(
            path, [Diagnostic("E502", message, "error", hint="pass a document or a model").at(str(path))]
        )
    if fix == "none":
        return Checked(path, lint(document, selection, fixes=True))
    result = fix_document(document, selection, unsafe)
    if result.text == document.text:
        return Checked(path, result.remaining)
    if fix == "diff":
        lines = difflib.unified_diff(
            document.text.splitlines(keepends=True),
            result.text.splitlines(keepends=True),
            str(path),
            str(path),
        )
        return Checked(path, result.remaining, result.fixed, "".join(lines))
    try:
        _write(path, result.text)
    except OSError as err:
        problem = Diagnostic("E502", f"cannot write {path}: {err.strerror or err}", "error").at(str(path))
        return Checked(path, [problem, *lint(document, selection, fixes=True)])
    return Checked(path, result.remaining, result.fixed)


def lint_file(path: Path, selection: Selection | None = None) -> list[Diagnostic]:
    """The diagnostics of one document or ``.onnx`` model (what ``onnxtext lint FILE`` reports)."""
    return check_file(path, selection).diagnostics


def _check_model(path: Path, selection: Selection | None, fix: FixMode) -> Checked:
    found = lint(Document.of_model(read_model(path), str(path)), selection)
    fixers = {code for code, entry in rules().items() if entry.fix is not None}
    if fix != "none" and any(d.code in fixers for d in found):
        name = path.with_suffix(".yaml").name
        found.append(
            Diagnostic(
                "L102",
                "a .onnx file cannot be fixed in place: fixes are edits of a document's text",
                "info",
                hint=f"onnxtext dump {path.name} -o {name}; onnxtext lint --fix {name}; "
                f"onnxtext build {name} -o {path.name} --force",
            ).at(str(path))
        )
    return Checked(path, found)


def _write(path: Path, text: str) -> None:
    """Replace the document with its fixed text, atomically, keeping its mode and its line breaks
    (the text was read with universal newlines)."""
    mode = path.stat().st_mode & 0o7777
    newline = b"\r\n" if b"\r\n" in path.read_bytes() else b"\n"
    with atomic_file(path) as out:
        out.write(text.encode("utf-8").replace(b"\n", newline))
    os.chmod(path, mode)


def check_files(
    paths: list[Path],
    selection: Selection | None = None,
    fix: FixMode = "none",
    unsafe: bool = False,
    workers: int | None = None,
) -> list[Checked]:
    """:func:`check_file` of each of ``paths``, in their order, on ``workers`` processes (default: one
    per core, never more than files; one means here, in this process)."""
    count = min(workers or os.cpu_count() or 1, len(paths) - 1)
    if count <= 1:
        return [check_file(path, selection, fix, unsafe) for path in paths]
    # the first file here: the workers start with what it loaded and cached (the rules, onnx's schemas)
    first = check_file(paths[0], selection, fix, unsafe)
    with concurrent.futures.ProcessPoolExecutor(count) as pool:
        jobs = [pool.submit(check_file, path, selection, fix, unsafe) for path in paths[1:]]
        return [first, *(job.result() for job in jobs)]
