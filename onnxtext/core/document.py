"""A document and everything known about it, each part computed once, when first asked for.

:class:`Document` is what lint, the language server and the surgery commands share: the text and
where it came from, then lazily the tree, the source map (path -> start and end, see
:mod:`.positions`) and the decoded model.  It is the one reader: every command reads a document
through it, and only it turns a document path into ``file:line:col``.

Decoding comes in two modes.  :meth:`Document.decode` *recovers*: it returns the model it could
build and one diagnostic per element it had to skip (lint, the language server, a checked build).
:meth:`Document.model_or_raise` is *strict*: the first problem is raised, placed (``load``, an
unchecked build, the surgery commands, diff, fmt, the git drivers).  A ``.onnx`` file is a document
too (:meth:`Document.of_model`): it has a tree and a model but no text, so its diagnostics are
placed by path only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

import onnx
from google.protobuf.message import Message

from onnxtext import text as text_layer
from onnxtext.base.collector import gc_paused
from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path
from onnxtext.base.progress import Progress, Silent
from onnxtext.codecs import SidecarReader
from onnxtext.codecs.policy import Policy
from onnxtext.core.derive import Derived, Unreadable, derive
from onnxtext.core.layers import Shifted
from onnxtext.core.positions import (
    Edit,
    Position,
    SourceMap,
    apply_edits,
    code_point_column,
    lines_of,
    utf16_column,
)
from onnxtext.core.sketch import Sketched, SketchedMap, sketch
from onnxtext.roundtrip.decode import decode_model
from onnxtext.roundtrip.encode import encode_model
from onnxtext.roundtrip.external import DATA_DIR_KEY

if TYPE_CHECKING:
    from onnxtext.text.comments import Comment

log = logging.getLogger(__name__)
# versions waiting to be derived (each holding the one before) past which the next is read whole: a
# text edited but never read (some other YAML file open in the editor) must not keep every version
WAITING = 32


def read_text(source: FsPath) -> str:
    """A document's text; E502 when it cannot be read, E101 when it is not UTF-8."""
    try:
        return source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise OnnxTextError("E502", f"{source}: no such file", hint="check the path").at(
            str(source)
        ) from None
    except UnicodeDecodeError as err:
        raise OnnxTextError(
            "E101",
            f"{source} is not UTF-8 text ({err.reason} at byte {err.start})",
            hint="documents are UTF-8 YAML or JSON",
        ).at(str(source)) from None
    except OSError as err:
        raise OnnxTextError("E502", f"cannot read {source}: {err.strerror or err}").at(str(source)) from None


@dataclasses.dataclass(frozen=True)
class Decoded:
    """What decoding gave: the model it could build (None when it could not start) and its problems.

    ``left_out``: the element types (ONNX data types) of the payloads a splicing
    :class:`~onnxtext.codecs.SidecarReader` left in their files: the model lacks their bytes.
    """

    model: onnx.ModelProto | None
    data_dir: FsPath
    diagnostics: list[Diagnostic]
    left_out: frozenset[int] = frozenset()


class DecodeMemo:
    """The message decoded from each list item of a tree, by the item's identity, for the next version.

    A version derived from the previous one shares every list item it did not change (the same dict
    object): decoding copies that item's message from the previous model instead of decoding it again
    (a node, a tensor, a value info), and repeats the problems found in it.  An item with problems
    is reused only at the same path, since they carry that path.
    """

    def __init__(self, previous: DecodeMemo | None = None) -> None:
        # a version that was never decoded passes on what it was given
        self._previous = (previous._items or previous._previous) if previous is not None else {}
        self._items: dict[int, tuple[Any, Path, Message, list[OnnxTextError]]] = {}
        self.problems: list[OnnxTextError] = []

    def item(self, msg: Message, item: Any, path: Path, decode: Callable[[Message, Any, Path], None]) -> None:
        """The decoder's ``reuse`` hook: copy the previous message of ``item``, or decode it and keep it."""
        key = id(item)
        known = self._previous.get(key)
        if known is not None and known[0] is item and (known[1] == path or not known[3]):
            msg.CopyFrom(known[2])
            found = known[3]
            self.problems.extend(found)
        else:
            start = len(self.problems)
            decode(msg, item, path)
            found = self.problems[start:]
        self._items[key] = (item, path, msg, found)

    def release(self) -> None:
        """Forget the previous version's messages (decoding is done)."""
        self._previous = {}


@dataclasses.dataclass(eq=False)
class Document:
    """A document's text, format, file name and folder (sidecars and external data are found from it).

    ``tree``, ``source_map`` and ``decoded`` are computed on first use and kept; :meth:`with_edit`
    makes the next version of a text being edited.
    """

    text: str
    format: text_layer.Format
    file: str
    folder: FsPath
    model_given: onnx.ModelProto | None = None
    memo: DecodeMemo | None = dataclasses.field(default=None, repr=False)
    canonical: bool = dataclasses.field(default=True, repr=False)  # see text.parse (False: known erroneous)
    _decoded: Decoded | None = dataclasses.field(default=None, init=False, repr=False)
    # a version made by with_edit: the version before and the edit until derived, then what it gave
    _origin: tuple[Document, Edit] | None = dataclasses.field(default=None, init=False, repr=False)
    _derivation: Derived | None = dataclasses.field(default=None, init=False, repr=False)
    # a parsed version's positions from a sketch until computed (False: not the emitter's layout)
    _sketched: SketchedMap | bool | None = dataclasses.field(default=None, init=False, repr=False)
    _lines: list[str] | None = dataclasses.field(default=None, init=False, repr=False)
    _lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def read(cls, source: FsPath, fmt: text_layer.Format | None = None) -> Document:
        """The document in ``source`` (format from its suffix unless given); E101/E502 when unreadable."""
        content = read_text(source)
        return cls(content, fmt or text_layer.format_for(source.name), str(source), source.parent.resolve())

    @classmethod
    def of_model(cls, model: onnx.ModelProto, file: str) -> Document:
        """A binary model as a document: its tree comes from the encoder, its diagnostics have no lines."""
        return cls("", "yaml", file, FsPath(file).parent.resolve(), model_given=model)

    # -- versions ---------------------------------------------------------------------------------

    def with_edit(self, edit: Edit) -> Document:
        """This document after ``edit``: the next version of a text being edited (an editor's change).

        When the edit stays inside one list item and this version's tree and positions are known, the
        new version's are derived from them (:mod:`.derive`: the item's lines are read again, the rest
        is shared) at once if that is cheap, else when first asked for; decoding it then copies the
        messages of every item it shares (:class:`DecodeMemo`).  Otherwise its text is read whole.
        """
        text = apply_edits(self.text, [edit], self.lines)
        following = Document(text, self.format, self.file, self.folder, memo=DecodeMemo(self.memo))
        if self._waiting() < WAITING:
            following._origin = self, edit
            following._derive(cheap=True)  # and the versions before it that still wait, if they can now
        return following

    def _waiting(self) -> int:
        """How many versions up to this one wait to be derived (at most :data:`WAITING`)."""
        count, document = 0, self
        while document._origin is not None and count < WAITING:
            count, document = count + 1, document._origin[0]
        return count

    def ready_for_edits(self) -> None:
        """Make ready what the next version is derived from, at a fraction of the cost of every position:
        when they are not known, where the block entries start (:func:`.sketch.sketch`)."""
        # the tree first: a version waiting to be derived is, and then has its positions
        if self._sketched is None and self.tree is not None and self._positions() is None:
            outline = sketch(self.format, self.lines)
            sketched = Sketched(self.format, self.lines, outline) if outline is not None else None
            self._sketched = SketchedMap(sketched, self._located) if sketched is not None else False

    def ready_source_map(self) -> SourceMap | None:
        """The source map as far as it is at hand without reading the text again: known (computed or
        derived), else answering from the sketch :meth:`ready_for_edits` made (the spans the full one
        gives); None when neither is there yet."""
        if "source_map" in self.__dict__ or self._derivation is not None:
            return self.source_map
        found = self._sketched
        return found if isinstance(found, SketchedMap) else None

    @property
    def edited_item(self) -> Path | None:
        """The list item a derived version read again (still one item); None for a text read whole."""
        found = self._derivation
        return found.item if found is not None and found.count == 1 else None

    def _derive(self, cheap: bool) -> None:
        """Derive this version from the one before, and first the versions before it that wait for
        theirs (oldest first).  ``cheap``: only as far as that needs no parse and no positions
        computed, and no waiting for another thread (on the language server's event loop)."""
        waiting: list[Document] = []
        document: Document | None = self
        while document is not None and document._origin is not None:
            waiting.append(document)
            document = document._origin[0]
        for document in reversed(waiting):
            if not document._derive_one(cheap):
                return

    def _derive_one(self, cheap: bool) -> bool:
        if not self._lock.acquire(blocking=not cheap):
            return False
        try:
            if self._origin is None:  # done already (derived, or to be read whole)
                return True
            before, edit = self._origin
            if cheap and not before._derivable():
                return False
            try:
                found = before._next(edit)
            except Unreadable:  # a syntax error: libyaml reports it, sooner without the fast reader's try
                found, self.canonical = None, False
            except Exception as error:  # a bug in deriving must not cost a version: read the text whole
                log.error("deriving a version of %s failed: %r", self.file, error, exc_info=error)
                found = None
            self._origin, self._derivation = None, found
            if found is not None:
                self._lines = found.lines
            return True
        finally:
            self._lock.release()

    def _derivable(self) -> bool:
        """Whether the next version can be derived from this one without a parse or positions computed."""
        parsed = self._derivation is not None or "_parsed" in self.__dict__
        return parsed and (self._positions() is not None or bool(self._sketched))

    def _positions(self) -> tuple[Mapping[Path, Position], Mapping[Path, Position]] | None:
        """Starts and ends when known (derived, or computed), without computing them."""
        source_map = self.__dict__.get("source_map")
        if source_map is not None:
            return source_map.starts, source_map.ends
        found = self._derivation
        return (found.starts, found.ends) if found is not None else None

    def _next(self, edit: Edit) -> Derived | None:
        """The next version's tree and positions after ``edit`` (None when only a full read can tell).

        From this version's positions, else from a sketch of them (the positions outside the
        edited item then come from this version's, computed only when first asked for).
        """
        tree = self.tree
        if tree is None:
            return None
        known = self._positions()
        if known is not None:
            return derive(self.format, tree, self.lines, *known, edit)
        self.ready_for_edits()
        found = self._sketched
        if not isinstance(found, SketchedMap):
            return None
        return derive(self.format, tree, self.lines, found.starts, found.ends, edit, found.sketched.outline)

    def compact_positions(self) -> None:
        """Once many edits are layered over an older version's positions (each lookup walks every
        layer), read this version's positions again: one pass of the reader costs less than walking
        every layer for every element."""
        source_map = self.source_map
        if source_map is not None and isinstance(source_map.starts, Shifted) and source_map.starts.deep:
            ends: dict[Path, Position] = {}
            source_map.relocated(text_layer.locate(self.text, self.format, ends), ends)

    def _located(self) -> SourceMap:
        source_map = self.source_map
        assert source_map is not None  # asked only of a text that parsed
        return source_map

    @property
    def lines(self) -> list[str]:
        """The text's lines as the language server protocol counts them (:func:`.positions.lines_of`)."""
        if self._lines is None:
            self._lines = lines_of(self.text)
        return self._lines

    def to_utf16(self, line: int, col: int) -> tuple[int, int]:
        """1-based line and code-point column -> LSP's 0-based line and UTF-16 column."""
        return line - 1, utf16_column(self.line_text(line), col)

    def from_utf16(self, line: int, units: int) -> tuple[int, int]:
        """LSP's 0-based line and UTF-16 column -> 1-based line and code-point column."""
        return line + 1, code_point_column(self.line_text(line + 1), units)

    def line_text(self, line: int) -> str:
        """The text of 1-based ``line`` ('' past the end)."""
        lines = self.lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    @property
    def has_text(self) -> bool:
        return self.model_given is None

    def with_edits(self, edits: Iterable[Edit]) -> Document:
        """This document with ``edits`` (positions in this text, none overlapping) made to its text:
        a new version, read afresh (``lint --fix`` applies a round of fixes this way)."""
        return Document(apply_edits(self.text, edits, self.lines), self.format, self.file, self.folder)

    # -- tree -------------------------------------------------------------------------------------

    @functools.cached_property
    def _parsed(self) -> tuple[Any, Diagnostic | None]:
        if self._origin is not None:
            self._derive(cheap=False)
        if self._derivation is not None:
            return self._derivation.tree, None
        if self.model_given is not None:
            with gc_paused():
                return encode_model(self.model_given, Policy(mode="base64")), None
        try:
            return text_layer.parse(self.text, self.format, self.canonical), None
        except OnnxTextError as err:
            return None, self._placed_syntax_error(err)

    def _placed_syntax_error(self, err: OnnxTextError) -> Diagnostic:
        """A parser's error placed in this file (the parser knows its line, else the top of the file)."""
        return err.diagnostic.at(self.file, err.line or 1, err.col or 1)

    @functools.cached_property
    def comments(self) -> list[Comment]:
        """The comments of the text in order, each with the element it annotates (only YAML has any).

        Read in the same walk as the tree when the tree is not known yet (``fmt`` asks for both).
        """
        if not self.has_text or self.format != "yaml" or "#" not in self.text:
            return []
        parsed_before = "_parsed" in self.__dict__
        if parsed_before and self.tree is None:
            return []
        try:
            tree, comments = text_layer.parse_commented(self.text, self.format)
        except OnnxTextError as err:
            self.__dict__["_parsed"] = (None, self._placed_syntax_error(err))
            return []
        if not parsed_before:
            self.__dict__["_parsed"] = (tree, None)  # what the cached property would compute
        return comments

    @property
    def tree(self) -> Any:
        """The document tree; None when the text does not parse (see :attr:`syntax_error`)."""
        return self._parsed[0]

    @property
    def syntax_error(self) -> Diagnostic | None:
        """The E101/E102 diagnostic that stopped parsing, placed; None when the text parsed."""
        return self._parsed[1]

    # -- positions --------------------------------------------------------------------------------

    @functools.cached_property
    def source_map(self) -> SourceMap | None:
        """Start and end of every element (None for a binary model or a text that does not parse)."""
        if not self.has_text or self.syntax_error is not None:
            return None
        if self._derivation is not None:
            return SourceMap(self._derivation.starts, self._derivation.ends)
        ends: dict[Path, Position] = {}
        starts = text_layer.locate(self.text, self.format, ends)
        self._sketched = None  # the positions are known: no sketch needed
        return SourceMap(starts, ends)

    def place(self, diagnostic: Diagnostic) -> Diagnostic:
        """``diagnostic`` placed in this document: at its element's span (or the nearest enclosing one)."""
        if diagnostic.line is not None:
            return diagnostic if diagnostic.file else dataclasses.replace(diagnostic, file=self.file)
        source_map = self.source_map
        if source_map is None or diagnostic.path is None:
            return diagnostic.at(self.file)
        span = source_map.span(diagnostic.path)
        return diagnostic.at(self.file, span.line, span.col, span.end_line, span.end_col)

    # -- model ------------------------------------------------------------------------------------

    def decode(self, progress: Progress | None = None, sidecars: SidecarReader | None = None) -> Decoded:
        """The model and the diagnostics of every element decoding had to skip (kept after the first call).

        ``sidecars`` reads the ``npy:`` payloads (a build passes one that leaves big payloads in their
        files: the model then lacks them, :attr:`Decoded.left_out`).
        """
        if self._decoded is None:
            self._decoded = self._decode(progress or Silent(), sidecars or SidecarReader(self.folder))
        return self._decoded

    @property
    def decoded(self) -> Decoded:
        return self.decode()

    @property
    def model(self) -> onnx.ModelProto | None:
        return self.decoded.model

    @property
    def data_dir(self) -> FsPath:
        """The folder the model's external data files are relative to (``external_data_dir``, else
        the document's folder)."""
        return self.decoded.data_dir

    def model_or_raise(
        self, progress: Progress | None = None, sidecars: SidecarReader | None = None
    ) -> onnx.ModelProto:
        """The model, or the first problem of the document raised as an OnnxTextError placed here.

        Strict, where :meth:`decode` recovers: decoding stops at the first problem, and the tree is
        not kept unless it was known before (a build holds only the model while it writes it).
        The result is kept as :attr:`decoded` (without diagnostics); a document already decoded
        raises its first diagnostic.  ``sidecars`` reads the ``npy:`` payloads (a build passes one
        that leaves big payloads in their files: the model then lacks them).
        """
        if self._decoded is None:
            self._decoded = self._decode_strict(progress or Silent(), sidecars or SidecarReader(self.folder))
        elif self._decoded.model is None or self._decoded.diagnostics:  # a syntax error, or decoding's
            raise OnnxTextError.of(self.syntax_error or self._decoded.diagnostics[0])
        assert self._decoded.model is not None
        return self._decoded.model

    @contextlib.contextmanager
    def errors_placed(self) -> Iterator[None]:
        """Re-raise an OnnxTextError from inside the block placed in this document (:meth:`place_error`)."""
        try:
            yield
        except OnnxTextError as err:
            raise self.place_error(err) from None

    def place_error(self, err: OnnxTextError) -> OnnxTextError:
        """``err`` placed as :meth:`place` places a diagnostic; one without a path at the document's top."""
        if err.line is not None and err.file:
            return err
        placed = self.place(dataclasses.replace(err.diagnostic, path=err.path or ()))
        return err.at(placed.file, placed.line, placed.col, placed.end_line, placed.end_col)

    def _decode_strict(self, progress: Progress, sidecars: SidecarReader) -> Decoded:
        if self.model_given is not None:
            return Decoded(self.model_given, self.folder, [])
        with self.errors_placed(), gc_paused():
            progress.stage("parsing")
            tree, data_dir, problem = _without_data_dir(self._tree_once())
            if problem is not None:
                raise problem
            progress.stage("decoding", _item_count(tree))
            model = decode_model(tree, sidecars, progress)
            return Decoded(model, self.folder / data_dir, [], _left_out(sidecars))

    def _tree_once(self) -> Any:
        """The tree for one use: the known one, else parsed and not kept (a big graph's tree would
        otherwise stay in memory while the build writes the model)."""
        if "_parsed" not in self.__dict__:
            return text_layer.parse(self.text, self.format)
        if self.syntax_error is not None:
            raise OnnxTextError.of(self.syntax_error)
        return self.tree

    def _decode(self, progress: Progress, sidecars: SidecarReader) -> Decoded:
        if self.model_given is not None:
            return Decoded(self.model_given, self.folder, [])
        tree = self.tree
        if self.syntax_error is not None:  # a text that parses to null is decoded (and refused) below
            return Decoded(None, self.folder, [])
        tree, data_dir, problem = _without_data_dir(tree)
        problems = [problem] if problem is not None else []
        model: onnx.ModelProto | None = None
        memo = self.memo
        progress.stage("decoding", _item_count(tree))
        with gc_paused():
            try:
                if memo is None:
                    model = decode_model(tree, sidecars, progress, problems=problems)
                else:
                    memo.problems = problems
                    model = decode_model(tree, sidecars, progress, problems=problems, reuse=memo.item)
            except OnnxTextError as err:  # the document as a whole cannot be read (not a mapping, version)
                problems.append(err)
            finally:
                if memo is not None:
                    memo.release()
        diagnostics = [self.place(p.diagnostic) for p in problems]
        return Decoded(model, self.folder / data_dir, diagnostics, _left_out(sidecars))


def _left_out(sidecars: SidecarReader) -> frozenset[int]:
    """The element types of the payloads ``sidecars`` left in their files (:attr:`Decoded.left_out`)."""
    return frozenset(tensor.data_type for tensor, _ in sidecars.slices.values())


def _without_data_dir(tree: Any) -> tuple[Any, str, OnnxTextError | None]:
    """The tree without its ``external_data_dir`` entry, that entry (``.`` when absent), and E202 when
    it is no folder path (then ``.``)."""
    if not isinstance(tree, dict) or DATA_DIR_KEY not in tree:
        return tree, ".", None
    data_dir = tree[DATA_DIR_KEY]
    rest = {key: value for key, value in tree.items() if key != DATA_DIR_KEY}
    if not isinstance(data_dir, str):
        return rest, ".", OnnxTextError("E202", f"{DATA_DIR_KEY} must be a folder path", (DATA_DIR_KEY,))
    return rest, data_dir, None


def _item_count(tree: Any) -> int:
    """Nodes and initializers of the main graph: what decoding advances over (0 when unsure)."""
    graph = tree.get("graph") if isinstance(tree, dict) else None
    if not isinstance(graph, dict):
        return 0
    return sum(len(items) for key in ("nodes", "initializers") if isinstance(items := graph.get(key), list))
