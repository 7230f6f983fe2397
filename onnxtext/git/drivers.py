"""git, for ``.onnx`` files: diffs as document text, and three-way merges of that text.

``onnxtext git-setup`` registers two drivers for ``*.onnx`` (``.gitattributes`` says which files,
git's config says which commands):

- a *textconv* diff driver: ``git diff``, ``git log -p`` and ``git show`` compare the documents of the
  two models, with big tensors summarised on one line each (``dump --tensors digest``: dtype, shape,
  sha256 prefix, min/max/mean), so a changed attribute is one changed line;
- a *merge* driver: the three versions (base, ours, theirs) are dumped to exact documents, merged
  line by line by ``git merge-file`` (where both sides changed one line, element by element:
  :func:`merge_trees`), and the result is built back (and checked by onnx.checker) into ours.  On a
  real conflict ours stays untouched, the document with conflict markers is written beside the
  model (``model.conflict.yaml``) and the merge fails with E702 naming each conflicting element by
  its document path.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import tempfile
from pathlib import Path as FsPath
from typing import Any

import onnx

from onnxtext import text
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path, format_path, value_at
from onnxtext.convert.dump import dumps
from onnxtext.convert.modelfile import check_model, read_model, save_model
from onnxtext.core.document import Document

DRIVER = "onnxtext"
ATTRIBUTES_LINE = f"*.onnx diff={DRIVER} merge={DRIVER}"
CONFIG: dict[str, str] = {
    f"diff.{DRIVER}.textconv": "onnxtext git-textconv",
    f"merge.{DRIVER}.name": "onnxtext: three-way merge of ONNX models as documents",
    f"merge.{DRIVER}.driver": "onnxtext git-merge %O %A %B %P",
}
CONFLICT_SUFFIX = ".conflict.yaml"
_MARKERS = ("<<<<<<< ", "=======", ">>>>>>> ")


# --------------------------------------------------------------------------------------------- set-up


def setup(*, global_: bool = False, cwd: FsPath | None = None) -> list[str]:
    """Register the drivers: in the repository around ``cwd`` (its ``.gitattributes`` and ``.git/config``)
    or, with ``global_``, in the user's git config and attributes file.  Returns what was done, for people.
    """
    scope = ["--global"] if global_ else ["--local"]
    attributes = _global_attributes_file(cwd) if global_ else _toplevel(cwd) / ".gitattributes"
    for key, value in CONFIG.items():
        _git(["config", *scope, key, value], cwd)
    done = [f"git config {scope[0]} {key} {value!r}" for key, value in CONFIG.items()]
    if _add_line(attributes, ATTRIBUTES_LINE):
        done.append(f"added '{ATTRIBUTES_LINE}' to {attributes}")
    else:
        done.append(f"{attributes} already has '{ATTRIBUTES_LINE}'")
    return done


def _toplevel(cwd: FsPath | None) -> FsPath:
    return FsPath(_git(["rev-parse", "--show-toplevel"], cwd).strip())


def _global_attributes_file(cwd: FsPath | None) -> FsPath:
    """The file git reads global attributes from: ``core.attributesFile``, else the XDG default."""
    configured = subprocess.run(
        ["git", "config", "--global", "--path", "core.attributesFile"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if configured:
        return FsPath(configured).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return FsPath(base) / "git" / "attributes"


def _add_line(path: FsPath, line: str) -> bool:
    """Append ``line`` to a text file unless it has it already; False when it had."""
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if line in existing.splitlines():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    separator = "" if not existing or existing.endswith("\n") else "\n"
    with open(path, "a", encoding="utf-8") as out:
        out.write(f"{separator}{line}\n")
    return True


def _git(args: list[str], cwd: FsPath | None) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise OnnxTextError("E502", "git is not installed (or not on PATH)", hint="install git") from None
    if done.returncode:
        message = done.stderr.strip() or f"git {' '.join(args)} failed"
        raise OnnxTextError("E502", message, hint="run it inside a git repository, or pass --global")
    return done.stdout


# ------------------------------------------------------------------------------------------- textconv


def textconv(model_path: str | os.PathLike[str]) -> str:
    """What ``git diff`` shows for a model: its document with big tensors digested.

    A file that is not a model is shown as one comment line with its size and sha256, so that a diff
    over history never stops on it.
    """
    try:
        return dumps(read_model(model_path), "yaml", tensors="digest")
    except OnnxTextError as err:
        data = FsPath(model_path).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        return f"# onnxtext: {err.code} not an ONNX model ({len(data)} bytes, sha256 {digest})\n"


# ---------------------------------------------------------------------------------------------- merge


@dataclasses.dataclass(frozen=True)
class Conflict:
    """One conflicting hunk: the line of its ``<<<<<<<`` in the conflict document, and the element's path."""

    line: int
    path: Path | None


def merge(base: FsPath, ours: FsPath, theirs: FsPath, name: str) -> None:
    """git's merge driver: merge ``theirs`` into ``ours`` (both changed since ``base``) in place.

    ``name`` is the file's path in the work tree (git's ``%P``).  Raises E702 on a conflict (ours
    untouched, the document with conflict markers written beside ``name``) and E401 when the merged
    model fails onnx.checker (the merged document written there too).
    """
    documents = [dumps(_read_version(p), "yaml") for p in (ours, base, theirs)]
    merged, conflicts = _merge_text(*documents, name)
    beside = FsPath(name).with_name(FsPath(name).stem + CONFLICT_SUFFIX)
    if conflicts:  # lines both sides changed may still hold changes to different elements
        resolved = merge_trees(*(text.parse(d, "yaml") for d in documents))
        if resolved is not _CONFLICT:
            merged, conflicts = text.emit(resolved, "yaml"), []
    if conflicts:
        _write(beside, merged)
        raise _conflict_error(name, beside, merged, conflicts)
    document = Document(merged, "yaml", str(beside), FsPath.cwd())
    try:
        with document.errors_placed():
            model = document.model_or_raise()
            check_model(model)
    except OnnxTextError as placed:  # each side is fine, the two together are not
        _write(beside, merged)
        raise dataclasses.replace(
            placed,
            message=f"{name}: the merged model is not valid: {placed.message}",
            hint=f"fix {beside}, then: onnxtext build {beside} -o {name} --force && git add {name}",
        ) from None
    save_model(model, ours, force=True)


def merge_trees(ours: Any, base: Any, theirs: Any) -> Any:
    """The three-way merge of document trees, element by element; ``_CONFLICT`` where one is needed.

    ``git merge-file`` works on lines, and a node's attributes share one line: two branches that
    change different attributes of one node conflict there.  Here they merge: a mapping merges key
    by key, a list of unchanged length item by item; an element changed on one side takes that side,
    changed alike on both takes either, changed differently on both is a conflict.
    """
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    if isinstance(ours, dict) and isinstance(base, dict) and isinstance(theirs, dict):
        merged: dict[str, Any] = {}
        for key in [*ours, *(k for k in theirs if k not in ours)]:
            value = merge_trees(ours.get(key, _ABSENT), base.get(key, _ABSENT), theirs.get(key, _ABSENT))
            if value is _CONFLICT:
                return _CONFLICT
            if value is not _ABSENT:
                merged[key] = value
        return merged
    if isinstance(ours, list) and isinstance(base, list) and isinstance(theirs, list):
        if not len(ours) == len(base) == len(theirs):  # insertions and deletions: git's line merge
            return _CONFLICT
        items = [merge_trees(*trio) for trio in zip(ours, base, theirs, strict=True)]
        return _CONFLICT if any(item is _CONFLICT for item in items) else items
    return _CONFLICT


def _read_version(path: FsPath) -> onnx.ModelProto:
    """A version git hands over; an empty file (no common ancestor) is an empty model."""
    return read_model(path) if path.stat().st_size else onnx.ModelProto()


def _merge_text(ours: str, base: str, theirs: str, name: str) -> tuple[str, list[int]]:
    """``git merge-file`` of three texts: the merged text and the 0-based lines of its conflict markers."""
    with tempfile.TemporaryDirectory(prefix="onnxtext-merge-") as folder:
        paths = []
        for label, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = FsPath(folder) / f"{label}.yaml"
            path.write_text(content, encoding="utf-8")
            paths.append(str(path))
        labels = [f"{name} (ours)", f"{name} (base)", f"{name} (theirs)"]
        done = subprocess.run(
            ["git", "merge-file", "-p", *(x for label in labels for x in ("-L", label)), *paths],
            capture_output=True,
            check=False,
        )
    if done.returncode < 0 or done.returncode > 127:
        raise OnnxTextError("E502", f"git merge-file failed: {done.stderr.decode(errors='replace').strip()}")
    merged = done.stdout.decode("utf-8")
    starts = [i for i, line in enumerate(merged.split("\n")) if line.startswith(_MARKERS[0])]
    return merged, starts


def _conflict_error(name: str, beside: FsPath, merged: str, starts: list[int]) -> OnnxTextError:
    conflicts = _locate_conflicts(merged, starts)
    where = ", ".join(
        f"{format_path(c.path) if c.path is not None else 'the document'} (line {c.line})" for c in conflicts
    )
    count = f"{len(conflicts)} conflicting change{'s' if len(conflicts) != 1 else ''}"
    return OnnxTextError(
        "E702",
        f"{name}: {count} at {where}; {name} is left as it was on this branch",
        hint=f"resolve the conflict markers in {beside}, then: "
        f"onnxtext build {beside} -o {name} --force && git add {name}",
    ).at(str(beside), conflicts[0].line, 1)


def _locate_conflicts(merged: str, starts: list[int]) -> list[Conflict]:
    """Each conflict's element: the outermost one starting on the hunk's first line of our side,
    narrowed down while our and their versions of it differ in exactly one child."""
    ours_text, ours_lines = _one_side(merged, keep="ours")
    theirs_text, _ = _one_side(merged, keep="theirs")
    try:
        positions = text.locate(ours_text, "yaml")
        ours_tree, theirs_tree = text.parse(ours_text, "yaml"), text.parse(theirs_text, "yaml")
    except OnnxTextError:  # a side that is no longer YAML: name the lines only
        return [Conflict(start + 1, None) for start in starts]
    first_on_line: dict[int, Path] = {}
    for path, (line, _) in sorted(positions.items(), key=lambda item: (item[1], len(item[0]))):
        if path:
            first_on_line.setdefault(line, path)
    conflicts = []
    for start, ours_line in zip(starts, ours_lines, strict=True):
        path = first_on_line.get(ours_line + 1)
        if path is not None:
            path = _narrow(path, ours_tree, theirs_tree)
        conflicts.append(Conflict(start + 1, path))
    return conflicts


def _one_side(merged: str, keep: str) -> tuple[str, list[int]]:
    """The merged text with each conflict resolved to one side, and where each hunk starts in it."""
    out: list[str] = []
    hunk_starts: list[int] = []
    side = None
    for line in merged.split("\n"):
        if line.startswith(_MARKERS[0]):
            side = "ours"
            hunk_starts.append(len(out))
        elif side is not None and line == _MARKERS[1]:
            side = "theirs"
        elif side is not None and line.startswith(_MARKERS[2]):
            side = None
        elif side is None or side == keep:
            out.append(line)
    return "\n".join(out), hunk_starts


def _narrow(path: Path, ours: Any, theirs: Any) -> Path:
    """Descend from ``path`` while exactly one entry differs between the two versions."""
    a, b = value_at(ours, path, _ABSENT), value_at(theirs, path, _ABSENT)
    while True:
        if isinstance(a, dict) and isinstance(b, dict):
            differing = [k for k in a.keys() | b.keys() if a.get(k, _ABSENT) != b.get(k, _ABSENT)]
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            differing = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        else:
            return path
        if len(differing) != 1:
            return path
        (key,) = differing
        if isinstance(a, dict) and (key not in a or key not in b):
            return (*path, key)
        path, a, b = (*path, key), a[key], b[key]


_ABSENT = object()
_CONFLICT = object()


def _write(path: FsPath, document: str) -> None:
    """Write a document for people to resolve (it may have conflict markers: no YAML check here)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
