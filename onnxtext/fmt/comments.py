"""Keeping a person's comments in the canonical text, each with the element it annotates.

The comments come from the text layer (:func:`onnxtext.text.parse_commented`), each with the path of
the element it is about.  In the canonical text a comment goes before (or at the end of) the line
where that element starts.  When the element has no place of its own there (it was written in a
longer form than ``dump`` writes, e.g. a type as a mapping), the comment is refused with E701 at its
line rather than moved or dropped.
"""

from __future__ import annotations

from collections import defaultdict

from onnxtext import text
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path, format_path
from onnxtext.text.comments import Comment


def keep_comments(canonical: str, comments: list[Comment], filename: str) -> str:
    """``canonical`` (a YAML text as the emitter writes it) with each of ``comments`` placed with the
    element it annotates.

    Raises E701 (naming the comment's line in ``filename``) when the element has no line of its own
    in ``canonical``, or when the result would not read back as ``canonical`` plus the comments.
    """
    if not comments:
        return canonical
    placed = text.locate(canonical, "yaml")
    lines = canonical.split("\n")  # the emitter writes "\n" only; the last item is "" (final newline)
    before: dict[int, list[str]] = defaultdict(list)
    after: dict[int, list[str]] = defaultdict(list)
    tail: list[str] = []
    for comment in comments:
        if comment.annotates is None:
            tail.append(comment.text)
            continue
        target = _canonical_path(comment.annotates, placed)
        if target is None:
            why = (
                f"it annotates {format_path(comment.annotates)}, "
                "which the canonical form writes inside a shorter form"
            )
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
    del placed  # every element's start: not needed by the check, which reads the whole result again
    _check_kept(result, canonical, comments, filename)
    return result


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
    try:
        found = text.scan_comments(result)
    except OnnxTextError:  # a comment placed where YAML reads it otherwise: none counts as kept
        found = []
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
