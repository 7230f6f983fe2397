"""Reading YAML text with libyaml: :func:`parse_yaml` builds the tree, :func:`locate_yaml` the positions
(:mod:`.comments` reads the comments in the same walk).

Both walk libyaml's event stream (``_ruamel_yaml.CParser``) with one loop, well ahead of ruamel's
composer and its safe loader (which also resolves by YAML 1.1 rules).  Scalars resolve by the
YAML 1.2 core schema (:mod:`onnxtext.text.scalars`).  Mapping keys are always read as text (``1: x``
has the key ``"1"``).  YAML features we never write and that would surprise a reader of the document
tree are refused: anchors and aliases, merge keys, non-standard tags, several documents.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

from _ruamel_yaml import CParser
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.reader import ReaderError

from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path
from onnxtext.text.scalars import collection_tag_ok, resolve_plain, resolve_tagged
from onnxtext.text.yaml_canonical import NotCanonical, read_canonical

Positions = dict[Path, tuple[int, int]]

_NO_KEY = object()  # the open mapping waits for a key
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what libyaml counts as a new line
_DEFAULT_HINT = "check the indentation and the quoting around this position"
_HINTS = (  # libyaml's problem text -> what to do about it
    ("expected ',' or ']'", "a '[' list is not closed: add the missing ']' (or a ',' between items)"),
    ("expected ',' or '}'", "a '{' mapping is not closed: add the missing '}' (or a ',' between entries)"),
    ("mapping values are not allowed", "quote a value that contains ': ', or fix this line's indentation"),
    ("could not find expected ':'", "a key needs ': ' after it; check this line's indentation"),
    ("did not find expected key", "keys of one mapping must start in the same column"),
    ("expected '-' indicator", "items of one list must start with '- ' in the same column"),
    ("end of stream", "a quoted string is not closed"),
    ("unknown escape", r"in double quotes use YAML escapes (\n \t \\ \" \xXX \uXXXX), or use single quotes"),
    ("found unexpected ':'", "inside [ ] quote an item that contains ':', e.g. 'onnx::Add_17'"),
)


def parse_yaml(text: str, canonical: bool = True) -> Any:
    """The tree of a YAML text; raises OnnxTextError E101 (syntax, refused feature) or E102 (duplicate).

    Text in the emitter's own layout is read without libyaml (:mod:`.yaml_canonical`), the same tree
    sooner; any other text, and every error, goes through libyaml.  ``canonical=False``
    skips that first try, for a caller that knows the text has an error (the language server).
    """
    if not canonical:
        return read_yaml(text)
    try:
        return read_canonical(text.removeprefix("\ufeff"))
    except NotCanonical:
        return read_yaml(text)


def locate_yaml(text: str, ends: Positions | None = None) -> Positions:
    """The (line, col) of every element, 1-based: the key of a mapping entry, the start of an item.

    ``ends``, when given, receives where each element's value ends (the position just after its
    last character; a block collection ends with its last value): editors underline start to end.
    """
    positions: Positions = {(): (1, 1)}
    read_yaml(text, positions, ends)
    return positions


def read_yaml(
    text: str,
    positions: Positions | None = None,
    ends: Positions | None = None,
    watch: Callable[[Callable[[], Any]], Callable[[], Any]] | None = None,
) -> Any:
    """The tree of a YAML text read from libyaml's events (never the canonical shortcut), filling
    ``positions`` and ``ends`` when given; ``watch`` wraps the event source (the comment reader
    looks at the scalars that pass)."""
    text = text.removeprefix("\ufeff")
    wrap = watch or (lambda events: events)
    try:
        return _read_events(wrap(CParser(text).get_event), positions, ends)
    except YAMLError as err:
        if not _yaml12_may_read(err):  # the pure-Python parser would fail too, after ~1 min at 50k nodes
            raise _syntax_error(text, err) from None
        try:  # YAML 1.2 that libyaml (a 1.1 parser) refuses, e.g. [onnx::Add_17] as ruamel writes it
            return _read_events(wrap(_pure_events(text)), positions, ends)
        except (YAMLError, StopIteration):
            raise _syntax_error(text, err) from None
    except UnicodeEncodeError as err:  # a lone surrogate in the str
        line, col = _position(text, err.start)
        message = f"text is not valid Unicode: {err.reason} (U+{ord(text[err.start]):04X})"
        raise OnnxTextError("E101", message, line=line, col=col, hint="remove the character") from None


def _read_events(events: Callable[[], Any], positions: Positions | None, ends: Positions | None) -> Any:
    """The tree of one event stream (libyaml's, or ruamel's pure-Python parser's: the same events)."""
    events()  # StreamStart
    event = events()
    if type(event) is StreamEndEvent:
        return None
    tree = _build(events, positions, ends)
    event = events()
    if type(event) is not StreamEndEvent:
        raise _refused(event, "more than one YAML document", "keep one document: remove the '---' line")
    return tree


def _yaml12_may_read(err: YAMLError) -> bool:
    """Whether YAML 1.2 could accept what libyaml refused: a ':' inside a plain scalar of a flow
    collection (``[onnx::Add_17]``), which 1.1 forbids and 1.2 allows when no space follows it."""
    return isinstance(err, MarkedYAMLError) and err.problem == "found unexpected ':'"


def _pure_events(text: str) -> Callable[[], Any]:
    """ruamel's pure-Python parser: slower, but YAML 1.2 where libyaml is 1.1 (only for text it refuses)."""
    from ruamel.yaml.main import YAML

    return iter(YAML(typ="rt", pure=True).parse(text)).__next__


def _build(events: Any, positions: Positions | None, ends: Positions | None) -> Any:
    """Assemble one document's tree from events, up to its DocumentEnd; iterative, so any depth works.

    ``top`` is the open container, ``prefix`` its path; ``key`` is the pending key of an open mapping.
    With ``ends``, ``last`` is where the latest complete value ended.
    """
    last = (1, 1)
    holder: list[Any] = []
    top: Any = holder
    in_mapping = False
    key: Any = _NO_KEY
    prefix: Path = ()
    stack: list[tuple[Any, bool, Path]] = []
    event = None
    try:
        while True:
            event = events()
            kind = type(event)
            if kind is ScalarEvent:
                if event.anchor is not None:
                    raise _anchor(event)
                if in_mapping and key is _NO_KEY:
                    key = _key(event, top, prefix, positions)
                    continue
                if event.ctag is not None:
                    value = _tagged(event)
                elif event.style:
                    value = event.value
                else:
                    value = resolve_plain(event.value)
                if ends is not None:
                    last = _end(event)
                    ends[(*prefix, key if in_mapping else len(top))] = last
                if in_mapping:
                    top[key] = value
                    key = _NO_KEY
                else:
                    if positions is not None and top is not holder:
                        positions[(*prefix, len(top))] = _mark(event)
                    top.append(value)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                _check_collection(event, kind is MappingStartEvent)
                new: Any = {} if kind is MappingStartEvent else []
                if in_mapping:
                    if key is _NO_KEY:
                        raise _refused(event, "a mapping key must be text, not a list or mapping")
                    top[key] = new
                    slot = key
                else:
                    slot = len(top)
                    if positions is not None and top is not holder:
                        positions[(*prefix, slot)] = _mark(event)
                    top.append(new)
                stack.append((top, in_mapping, prefix))
                prefix = (*prefix, slot) if top is not holder else ()
                top, in_mapping, key = new, kind is MappingStartEvent, _NO_KEY
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                if ends is not None:
                    if event.end_mark.index != event.start_mark.index:  # a flow collection's bracket
                        last = _end(event)
                    ends[prefix] = last
                top, in_mapping, prefix = stack.pop()
                key = _NO_KEY
            elif kind is DocumentEndEvent:
                return holder[0]
            elif kind is AliasEvent:
                raise _anchor(event)
    except ValueError as err:  # an integer of more than 4300 digits
        raise _refused(event, f"cannot read this number: {err}", "quote it if it is text") from None


def _key(event: Any, mapping: dict[str, Any], prefix: Path, positions: Positions | None) -> str:
    """The key a scalar event opens: its text, checked against merge keys, tags and duplicates."""
    key = event.value
    if event.ctag is not None and event.ctag != "tag:yaml.org,2002:str":
        raise _refused(event, f"a mapping key cannot carry the tag {event.ctag}", "remove the tag")
    if key == "<<" and not event.style:
        raise _refused(event, "merge keys (<<) are not supported", "write the entries out, or quote '<<'")
    if key in mapping:
        line, col = _mark(event)
        raise OnnxTextError(
            "E102", f"duplicate key {key!r}", path=(*prefix, key), line=line, col=col,
            hint="a mapping holds each key once: merge the two entries or rename one",
        )  # fmt: skip
    if positions is not None:
        positions[(*prefix, key)] = _mark(event)
    return key


def _tagged(event: Any) -> Any:
    try:
        return resolve_tagged(event.value, event.ctag)
    except ValueError as err:
        raise _refused(event, str(err), "remove the tag; plain YAML values are typed by their form") from None


def _check_collection(event: Any, is_mapping: bool) -> None:
    if event.anchor is not None:
        raise _anchor(event)
    if not collection_tag_ok(event.ctag, "map" if is_mapping else "seq"):
        raise _refused(event, f"the tag {event.ctag} is not supported", "remove the tag")


def _mark(event: Any) -> tuple[int, int]:
    mark = event.start_mark
    return mark.line + 1, mark.column + 1


def _end(event: Any) -> tuple[int, int]:
    mark = event.end_mark
    return mark.line + 1, mark.column + 1


def _anchor(event: Any) -> OnnxTextError:
    return _refused(event, "anchors and aliases (&name, *name) are not supported", "write the value in full")


def _refused(event: Any, message: str, hint: str = _DEFAULT_HINT) -> OnnxTextError:
    line, col = _mark(event)
    return OnnxTextError("E101", message, hint=hint, line=line, col=col)


def _syntax_error(text: str, err: YAMLError) -> OnnxTextError:
    """E101 at libyaml's problem position, with its context (where the construct began) in the message."""
    if isinstance(err, ReaderError):  # a character YAML does not allow; position is a UTF-8 byte offset
        offset = len(text.encode("utf-8")[: err.position].decode("utf-8"))
        line, col = _position(text, offset)
        message = f"character U+{err.character:04X} is not allowed in YAML text ({err.reason})"
        hint = f'write it as an escape inside double quotes: "\\u{err.character:04x}"'
        return OnnxTextError("E101", message, hint=hint, line=line, col=col)
    if not isinstance(err, MarkedYAMLError) or (err.problem_mark or err.context_mark) is None:
        return OnnxTextError("E101", f"YAML syntax error: {err}", hint=_DEFAULT_HINT)
    mark, where = err.problem_mark or err.context_mark, err.context_mark
    problem = err.problem or err.context or "syntax error"
    message = f"YAML syntax error: {problem}"
    if err.context and where is not None and (where.line, where.column) != (mark.line, mark.column):
        message += f" ({err.context} at line {where.line + 1}, column {where.column + 1})"
    hint = next((hint for needle, hint in _HINTS if needle in problem), _DEFAULT_HINT)
    if _char_at(text, mark.line, mark.column) == "\t":
        hint = "indent with spaces: YAML does not allow tabs there"
    return OnnxTextError("E101", message, hint=hint, line=mark.line + 1, col=mark.column + 1)


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, col) of a character offset, counting line breaks as libyaml does."""
    line, line_start = 1, 0
    for match in LINE_BREAK.finditer(text, 0, offset):
        line, line_start = line + 1, match.end()
    return line, offset - line_start + 1


def _char_at(text: str, line: int, column: int) -> str:
    """The character at a 0-based libyaml (line, column), or '' past the end."""
    start = 0
    if line:
        previous = next(itertools.islice(LINE_BREAK.finditer(text), line - 1, None), None)
        if previous is None:
            return ""
        start = previous.end()
    return text[start + column : start + column + 1]
