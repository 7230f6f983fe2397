"""Canonical form for edited documents: exactly what ``dump`` writes for the model a document describes.

After hand edits, a document may be laid out in any way YAML or JSON allows; :func:`format_file`
rewrites it as ``onnxtext dump`` would write the model it decodes to (so ``fmt`` after an edit and
``dump`` of the rebuilt model agree byte for byte), converting an older format version on the way.
Tensor payloads go where ``dump``'s policy puts them; ``.npy`` sidecars are rewritten with the
document, so they stay valid.

The one thing a model does not hold is a YAML comment.  Each comment a person wrote is kept with the
element it annotates, found by document path: a comment on its own line belongs to the element that
starts on the next line holding one, a comment at the end of a line to the first element starting on
that line.  In the canonical text it goes before (or at the end of) the line where that element
starts.  When the element has no place of its own in the canonical text (it was written in a longer
form than ``dump`` writes, e.g. a type as a mapping), ``fmt`` refuses with E701 naming the comment's
line rather than move or drop it.
"""

from __future__ import annotations

import bisect
import dataclasses
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path as FsPath

from _ruamel_yaml import CParser
from ruamel.yaml.events import ScalarEvent, StreamEndEvent

from onnxtext import text
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path, format_path
from onnxtext.codecs.policy import Mode, Policy
from onnxtext.convert.dump import SIDECAR_SUFFIX, dump
from onnxtext.convert.modelfile import Transform
from onnxtext.core.document import Document, read_text
from onnxtext.roundtrip.external import DATA_DIR_KEY
from onnxtext.roundtrip.layout import FORMAT_KEY

_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what libyaml counts as a new line
_STAGING_PREFIX = ".onnxtext-fmt-"
_HEAD_CHARS = 1 << 16
_FORMAT_LINE = re.compile(rf'(?m)^(?:{FORMAT_KEY}:|\ufeff?\s*\{{\s*"{FORMAT_KEY}"\s*:)')


@dataclasses.dataclass(frozen=True)
class Comment:
    """A YAML comment: 1-based ``line`` and ``col`` (of its ``#``), its text, whether it owns its line."""

    line: int
    col: int
    text: str
    own_line: bool


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
    original = read_text(source)
    model = Document.read(source, fmt).model_or_raise()
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
        canonical = _keep_data_dir(staged.read_text(encoding="utf-8"), original, fmt)
        result = keep_comments(original, canonical, str(source)) if fmt == "yaml" else canonical
        if result == original:
            return False
        if write:
            staged.write_text(result, encoding="utf-8", newline="")
            _move_into_place(staged, source)
    return True


def is_document(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a YAML/JSON file that starts like a document (:func:`looks_like_document`).

    A cheap look at the text (no parsing), for hooks that hand every YAML and JSON file to ``fmt``.
    """
    try:
        text.format_for(os.fspath(path))
        with open(path, encoding="utf-8", errors="replace") as handle:
            return looks_like_document(handle.read(_HEAD_CHARS))
    except (ValueError, OSError):
        return False


def looks_like_document(head: str) -> bool:
    """Whether the start of a text has the format key at the top level: a line ``onnxtext: 2`` (YAML)
    or ``{"onnxtext": 2`` (JSON), as ``dump`` writes them first."""
    return _FORMAT_LINE.search(head) is not None


# ------------------------------------------------------------------------------------------ comments


def find_comments(document: str) -> list[Comment]:
    """The comments of a YAML text, in order; a ``#`` inside a scalar (``'a #b'``) is no comment."""
    document = document.removeprefix("\ufeff")
    lines = _LINE_BREAK.split(document)
    candidates = {i for i, line in enumerate(lines) if "#" in line}
    if not candidates:
        return []
    inside = _scalar_spans(document, candidates)
    comments = []
    for i in sorted(candidates):
        line = lines[i]
        col = _comment_start(line, inside.get(i, ()))
        if col is not None:
            comments.append(Comment(i + 1, col + 1, line[col:].rstrip(), not line[:col].strip()))
    return comments


def _scalar_spans(document: str, lines: set[int]) -> dict[int, list[tuple[int, float]]]:
    """0-based line -> the (start, end) columns that scalars cover on it, for the ``lines`` asked about."""
    spans: dict[int, list[tuple[int, float]]] = defaultdict(list)
    try:
        events = CParser(document).get_event
        while True:
            event = events()
            if type(event) is StreamEndEvent:
                return spans
            if type(event) is not ScalarEvent:
                continue
            start, end = event.start_mark, event.end_mark
            for line in range(start.line, end.line + 1):
                if line in lines:
                    spans[line].append(
                        (start.column if line == start.line else 0, end.column if line == end.line else 1e9)
                    )
    except Exception:  # the document was parsed before: only a libyaml oddity lands here
        raise OnnxTextError("E101", "cannot read the comments of this YAML text") from None


def _comment_start(line: str, inside: Iterable[tuple[int, float]]) -> int | None:
    """The column where a comment starts on ``line``: a ``#`` after a blank (or first) outside scalars."""
    for match in re.finditer("#", line):
        col = match.start()
        if (col == 0 or line[col - 1] in " \t") and not any(s <= col < e for s, e in inside):
            return col
    return None


def keep_comments(original: str, canonical: str, filename: str) -> str:
    """``canonical`` with each comment of ``original`` placed with the element it annotates.

    Raises E701 (naming the comment's line) when the element has no line of its own in
    ``canonical``, or when the result would not read back as ``canonical`` plus the comments.
    """
    comments = find_comments(original)
    if not comments:
        return canonical
    elements = _Elements(text.locate(original, "yaml"))
    placed = text.locate(canonical, "yaml")
    lines = canonical.split("\n")  # the emitter writes "\n" only; the last item is "" (final newline)
    before: dict[int, list[str]] = defaultdict(list)
    after: dict[int, list[str]] = defaultdict(list)
    tail: list[str] = []
    for comment in comments:
        path = elements.annotated(comment)
        if path is None:
            tail.append(comment.text)
            continue
        target = _canonical_path(path, placed)
        if target is None:
            why = f"it annotates {format_path(path)}, which the canonical form writes inside a shorter form"
            raise _lost(comment, filename, why)
        line = placed[target][0] - 1
        (before if comment.own_line else after)[line].append(comment.text)
    out: list[str] = []
    for n, line in enumerate(lines[:-1]):
        indent = line[: len(line) - len(line.lstrip(" "))]
        trailing = after.get(n, [])
        out += [indent + c for c in before.get(n, []) + (trailing if len(trailing) > 1 else [])]
        out.append(f"{line}  {trailing[0]}" if len(trailing) == 1 else line)
    result = "\n".join(out + tail) + "\n"
    _check_kept(result, canonical, comments, filename)
    return result


class _Elements:
    """The elements of a text by where they start, to find the one a comment annotates."""

    def __init__(self, positions: dict[Path, tuple[int, int]]) -> None:
        ordered = sorted(((line, col, len(path), path) for path, (line, col) in positions.items() if path))
        self.starts = [(line, col) for line, col, _, _ in ordered]
        self.paths = [path for _, _, _, path in ordered]

    def annotated(self, comment: Comment) -> Path | None:
        """The element a comment is about (None: a comment after the last element)."""
        if comment.own_line:
            k = bisect.bisect_left(self.starts, (comment.line + 1, 0))
            return self.paths[k] if k < len(self.paths) else None
        first_on_line = bisect.bisect_left(self.starts, (comment.line, 0))
        before_comment = bisect.bisect_left(self.starts, (comment.line, comment.col))
        if first_on_line < before_comment:
            return self.paths[first_on_line]
        return self.paths[before_comment - 1] if before_comment else None


def _canonical_path(path: Path, placed: dict[Path, tuple[int, int]]) -> Path | None:
    """``path`` as the canonical text has it: itself, or without format 1's attribute wrapper ``g``/``t``."""
    if path in placed:
        return path
    for i in range(2, len(path)):
        if path[i] in ("g", "t") and path[i - 2] == "attributes":
            shorter = path[:i] + path[i + 1 :]
            if shorter in placed:
                return shorter
    return None


def _check_kept(result: str, canonical: str, comments: list[Comment], filename: str) -> None:
    """The result must read as the canonical text plus every comment, each still a comment."""
    found = find_comments(result)
    stripped = _without_comments(result, found)
    if stripped == canonical and sorted(c.text for c in found) == sorted(c.text for c in comments):
        return
    kept = {c.text for c in found}
    lost = next((c for c in comments if c.text not in kept), comments[0])
    raise _lost(lost, filename, "it has no place in the canonical text")


def _without_comments(document: str, comments: list[Comment]) -> str:
    lines = document.split("\n")
    for comment in reversed(comments):
        n = comment.line - 1
        if comment.own_line:
            del lines[n]
        else:
            lines[n] = lines[n][: comment.col - 1].rstrip(" ")
    return "\n".join(lines)


def _lost(comment: Comment, filename: str, why: str) -> OnnxTextError:
    return OnnxTextError(
        "E701",
        f"fmt would lose the comment {comment.text!r}: {why}",
        hint="move the comment to the line of the element it is about, or delete it; then run fmt again",
    ).at(filename, comment.line, comment.col)


# ------------------------------------------------------------------------------------- files in place


def _keep_data_dir(canonical: str, original: str, fmt: text.Format) -> str:
    """Re-add the original's ``external_data_dir`` (a model dumped from elsewhere keeps finding its data)."""
    if DATA_DIR_KEY not in original:
        return canonical
    tree = text.parse(original, fmt)
    data_dir = tree.get(DATA_DIR_KEY) if isinstance(tree, dict) else None
    if not isinstance(data_dir, str):
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
    new_folder = staged.with_name(staged.stem + SIDECAR_SUFFIX)
    old_folder = target.with_name(target.stem + SIDECAR_SUFFIX)
    if old_folder.exists() and not all(p.suffix == ".npy" and p.is_file() for p in old_folder.iterdir()):
        raise OnnxTextError(
            "E501",
            f"{old_folder} holds files that are not .npy sidecars",
            hint="move that folder away; onnxtext owns <document>.tensors/",
        )
    os.chmod(staged, target.stat().st_mode & 0o7777)
    os.replace(staged, target)
    if old_folder.exists():
        trash = FsPath(tempfile.mkdtemp(dir=staged.parent, prefix="old."))
        os.replace(old_folder, trash / old_folder.name)
    if new_folder.exists():
        os.replace(new_folder, old_folder)
