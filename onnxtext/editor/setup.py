"""VS Code set-up for a folder of onnxtext documents: schema, associations, tasks and snippets.

:func:`setup` writes into ``DIR/.vscode/``: the schema (``onnxtext.schema.json``), the snippets
(``onnxtext.code-snippets``, see :mod:`onnxtext.editor.vscode`), and merges into ``settings.json`` and
``tasks.json``: only the entries onnxtext owns are added or replaced (a ``yaml.schemas`` key, a
``json.schemas`` item with our ``url``, tasks with our labels); every other setting, task and
comment stays as it was, byte for byte.  Running it again changes nothing but what is stale.

VS Code associates a schema with files by name only (``yaml.schemas`` globs for the Red Hat YAML
extension, ``json.schemas`` ``fileMatch`` for the built-in JSON support); it cannot pick files by
content.  So the association lists the default patterns (``*.onnx.yaml``, ``*.onnx.yml``,
``*.onnx.json``), any patterns the user passes, and every document already in the folder (a
``.yaml``/``.yml``/``.json`` file whose first key is ``onnxtext``).  A broad ``**/*.yaml`` would also
work, but the YAML extension then drops SchemaStore's schemas (GitHub workflows, compose files...)
for the whole folder, since a setting outranks them.

VS Code runs no task on save by itself; the "lint on save" task runs :func:`watch` in the
background (started when the folder opens), which lints the documents each time one is saved.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onnxtext.base.errors import OnnxTextError
from onnxtext.editor import vscode

SCHEMA_FILE = "onnxtext.schema.json"
SNIPPETS_FILE = "onnxtext.code-snippets"
DEFAULT_PATTERNS: tuple[str, ...] = ("**/*.onnx.yaml", "**/*.onnx.yml", "**/*.onnx.json")
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"})
_DOCUMENT_START = re.compile(
    rb'\A(?:\xef\xbb\xbf)?(?:(?:#[^\n]*)?\s*)*(?:---\s*)?(?:onnxtext\s*:|\{\s*"onnxtext"\s*:)'
)


def setup(folder: Path, patterns: Sequence[str] = ()) -> list[Path]:
    """Write the VS Code files into ``folder/.vscode``; returns the files written or changed."""
    from onnxtext.schema import schema_text

    target = folder / ".vscode"
    target.mkdir(parents=True, exist_ok=True)
    schema_path = f"./.vscode/{SCHEMA_FILE}"
    yaml_globs, json_globs = document_patterns(folder, patterns)
    try:
        merged_settings = settings(_read(target / "settings.json"), schema_path, yaml_globs, json_globs)
        merged_tasks = tasks(_read(target / "tasks.json"))
    except JsoncError as err:
        raise OnnxTextError(
            "E502", f"cannot merge into {target}: {err}", hint="fix or move the file, then run again"
        ) from None
    changed = [
        _write(target / SCHEMA_FILE, schema_text()),
        _write(target / SNIPPETS_FILE, vscode.render(vscode.SNIPPETS)),
        _write(target / "settings.json", merged_settings),
        _write(target / "tasks.json", merged_tasks),
    ]
    return [path for path in changed if path is not None]


def document_patterns(folder: Path, extra: Sequence[str]) -> tuple[list[str], list[str]]:
    """(YAML globs, JSON globs): the defaults, the user's, and every document found under ``folder``."""
    yaml_globs = [p for p in (*DEFAULT_PATTERNS, *extra) if not p.endswith(".json")]
    json_globs = [p for p in (*DEFAULT_PATTERNS, *extra) if p.endswith(".json")]
    for path in find_documents(folder):
        relative = path.relative_to(folder).as_posix()
        (json_globs if path.suffix == ".json" else yaml_globs).append(relative)
    return list(dict.fromkeys(yaml_globs)), list(dict.fromkeys(json_globs))


def find_documents(folder: Path) -> Iterator[Path]:
    """The onnxtext documents under ``folder``: files whose first key is ``onnxtext`` (256 bytes read)."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.endswith(".tensors"))
        for name in sorted(files):
            if name.endswith((".yaml", ".yml", ".json")):
                path = Path(root, name)
                try:
                    with path.open("rb") as file:
                        head = file.read(256)
                except OSError:
                    continue
                if _DOCUMENT_START.match(head):
                    yield path


def settings(text: str | None, schema_path: str, yaml_globs: list[str], json_globs: list[str]) -> str:
    """``settings.json`` with the schema associated to the documents (YAML and JSON), the rest kept."""
    doc = Jsonc(text or "{}\n")
    doc.set(["yaml.schemas", schema_path], yaml_globs)
    doc.upsert_item(["json.schemas"], "url", {"fileMatch": json_globs, "url": schema_path})
    return doc.text


def tasks(text: str | None) -> str:
    """``tasks.json`` with onnxtext's tasks added or refreshed (matched by label), the rest kept."""
    ours = vscode.TASKS
    doc = Jsonc(text or '{\n  "version": "2.0.0",\n  "tasks": []\n}\n')
    if doc.get(["version"]) is None:
        doc.set(["version"], ours["version"])
    for task in ours["tasks"]:
        doc.upsert_item(["tasks"], "label", task)
    return doc.text


def watch(
    folder: Path, interval: float = 1.0, rounds: int | None = None, run: Callable[..., Any] = subprocess.run
) -> None:
    """Lint every document under ``folder`` whenever one of them is saved (``rounds``: stop after so
    many polls, for tests).  Each run is framed by the lines the background problem matcher waits for.
    """
    seen: dict[Path, int] = {}
    while rounds is None or rounds > 0:
        stamps = {path: _mtime(path) for path in find_documents(folder)}
        if stamps != seen:
            seen = stamps
            print("onnxtext: lint started", flush=True)
            if stamps:
                run([sys.executable, "-m", "onnxtext", "lint", *map(str, stamps)], check=False)
            print("onnxtext: lint finished", flush=True)
        rounds = None if rounds is None else rounds - 1
        time.sleep(interval)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _write(path: Path, text: str) -> Path | None:
    if _read(path) == text:
        return None
    path.write_text(text, encoding="utf-8")
    return path


# -- JSON with comments: edits that keep everything they do not touch ----------------------------


class JsoncError(ValueError):
    """A settings or tasks file that is not JSON with comments: it is left alone."""


_TOKEN = re.compile(
    r'(?P<space>\s+)|(?P<comment>//[^\n]*|/\*.*?\*/)|(?P<string>"(?:[^"\\\n]|\\.)*")'
    r"|(?P<punct>[{}\[\]:,])|(?P<literal>[^\s{}\[\]:,\"/]+)",
    re.DOTALL,
)


@dataclass
class _Node:
    start: int
    end: int
    kind: str  # "object", "array" or "scalar"
    members: list[tuple[str, _Node]]  # object: (key, value); array: ("", item)
    value: Any = None


class Jsonc:
    """A JSONC text (VS Code's settings format: comments, trailing commas) edited in place.

    Only the span of a changed value is rewritten; new members go after the last one, indented
    like their siblings.  The text is re-parsed after each edit (these files are small).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.root = self._parse()

    def get(self, path: list[str]) -> Any:
        node = self._find(path)
        return None if node is None else _plain(node)

    def set(self, path: list[str], value: Any) -> None:
        """Set the member at ``path`` (object keys), creating the objects on the way."""
        node = self.root
        for depth, key in enumerate(path):
            if node.kind != "object":
                raise JsoncError(f"{'.'.join(path[:depth]) or 'the file'} is not an object")
            child = dict(node.members).get(key)
            if child is None:
                rest: Any = value
                for inner in reversed(path[depth + 1 :]):
                    rest = {inner: rest}
                self._insert(node, json.dumps(key) + ": " + self._dump(rest, node))
                return
            node = child
        self._replace(node, self._dump(value, node, inline=True))

    def upsert_item(self, path: list[str], key: str, item: dict[str, Any]) -> None:
        """Replace the item of the array at ``path`` whose ``key`` equals ``item[key]``, or append it."""
        array = self._find(path)
        if array is None:
            self.set(path, [item])
            return
        if array.kind != "array":
            raise JsoncError(f"{'.'.join(path)} is not a list")
        for _, existing in array.members:
            if existing.kind == "object" and _plain(dict(existing.members).get(key)) == item[key]:
                self._replace(existing, self._dump(item, existing, inline=True))
                return
        self._insert(array, self._dump(item, array))

    # -- internals ----------------------------------------------------------------------------

    def _find(self, path: list[str]) -> _Node | None:
        node: _Node | None = self.root
        for key in path:
            if node is None or node.kind != "object":
                return None
            node = dict(node.members).get(key)
        return node

    def _replace(self, node: _Node, text: str) -> None:
        self.text = self.text[: node.start] + text + self.text[node.end :]
        self.root = self._parse()

    def _insert(self, container: _Node, member: str) -> None:
        """Add ``member`` (text) as the last member of an object or array."""
        indent = self._indent_of(container)
        if container.members:
            last = container.members[-1][1]
            after = self._skip_blank(last.end)
            has_comma = self.text.startswith(",", after)
            at = self._end_of_line(after + 1 if has_comma else last.end)  # past a comment on that line
            self.text = self.text[:at] + f"\n{indent}{member}" + self.text[at:]
            if not has_comma:
                self.text = self.text[: last.end] + "," + self.text[last.end :]
        else:
            close = container.end - 1
            outer = self._line_indent(container.start)
            self.text = self.text[: container.start + 1] + f"\n{indent}{member}\n{outer}" + self.text[close:]
        self.root = self._parse()

    def _dump(self, value: Any, near: _Node, inline: bool = False) -> str:
        """``value`` as JSON, indented to sit inside ``near`` (or in its place, when ``inline``)."""
        base = self._line_indent(near.start) if inline else self._indent_of(near)
        step = self._step()
        return json.dumps(value, indent=len(step), ensure_ascii=False).replace("\n", "\n" + base)

    def _indent_of(self, container: _Node) -> str:
        if container.members:
            return self._line_indent(container.members[0][1].start)
        return self._line_indent(container.start) + self._step()

    def _line_indent(self, offset: int) -> str:
        line_start = self.text.rfind("\n", 0, offset) + 1
        return re.match(r"[ \t]*", self.text[line_start:]).group(0)  # type: ignore[union-attr]

    def _step(self) -> str:
        found = re.search(r"\n([ \t]+)\S", self.text)
        return found.group(1) if found else "  "

    def _end_of_line(self, pos: int) -> int:
        """``pos``, or the end of its line when only blanks and comments follow it there."""
        rest = re.match(r"[ \t]*(?://[^\n]*|/\*[^\n]*?\*/[ \t]*)?(?=\n)", self.text[pos:])
        return pos + rest.end() if rest else pos

    def _skip_blank(self, pos: int) -> int:
        while True:
            token = _TOKEN.match(self.text, pos)
            if token is None or token.lastgroup not in ("space", "comment"):
                return pos
            pos = token.end()

    def _parse(self) -> _Node:
        tokens = [(m.lastgroup, m.start(), m.end()) for m in _TOKEN.finditer(self.text)]
        if sum(end - start for _, start, end in tokens) != len(self.text):
            raise JsoncError("not JSON with comments")
        significant = [t for t in tokens if t[0] not in ("space", "comment")]
        node, pos = self._value(significant, 0)
        if pos != len(significant) or node.kind != "object":
            raise JsoncError("expected one object")
        return node

    def _value(self, tokens: list[tuple[str | None, int, int]], i: int) -> tuple[_Node, int]:
        if i >= len(tokens):
            raise JsoncError("unexpected end of file")
        kind, start, end = tokens[i]
        text = self.text[start:end]
        if kind in ("string", "literal"):
            try:
                return _Node(start, end, "scalar", [], json.loads(text)), i + 1
            except json.JSONDecodeError:
                raise JsoncError(f"bad value {text!r}") from None
        if text not in "{[":
            raise JsoncError(f"unexpected {text!r}")
        closing, members = ("}" if text == "{" else "]"), []
        i += 1
        while True:
            if i < len(tokens) and self.text[tokens[i][1] : tokens[i][2]] == closing:
                return _Node(start, tokens[i][2], "object" if text == "{" else "array", members), i + 1
            key = ""
            if text == "{":
                if tokens[i][0] != "string" or self.text[tokens[i + 1][1] : tokens[i + 1][2]] != ":":
                    raise JsoncError("expected a key")
                key = json.loads(self.text[tokens[i][1] : tokens[i][2]])
                i += 2
            value, i = self._value(tokens, i)
            members.append((key, value))
            if i < len(tokens) and self.text[tokens[i][1] : tokens[i][2]] == ",":
                i += 1
            elif i >= len(tokens) or self.text[tokens[i][1] : tokens[i][2]] != closing:
                raise JsoncError(f"expected ',' or {closing!r}")


def _plain(node: _Node | None) -> Any:
    if node is None:
        return None
    if node.kind == "scalar":
        return node.value
    if node.kind == "array":
        return [_plain(item) for _, item in node.members]
    return {key: _plain(value) for key, value in node.members}
