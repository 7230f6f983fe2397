"""A document and everything known about it, each part computed once, when first asked for.

:class:`Document` is what lint, the language server and the surgery commands share: the text and
where it came from, then lazily the tree, the source map (path -> start and end, see
:mod:`.positions`) and the decoded model.  Decoding *recovers*: it returns the model it could build
and one diagnostic per element it had to skip, where :func:`onnxtext.api.build` stops at the first.
A ``.onnx`` file is a document too (:meth:`Document.of_model`): it has a tree and a model but no
text, so its diagnostics are placed by path only.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path as FsPath
from typing import Any

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
from onnxtext.core.positions import Position, SourceMap
from onnxtext.roundtrip.decode import decode_model
from onnxtext.roundtrip.encode import encode_model
from onnxtext.roundtrip.external import DATA_DIR_KEY


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
    """What decoding gave: the model it could build (None when it could not start) and its problems."""

    model: onnx.ModelProto | None
    data_dir: FsPath
    diagnostics: list[Diagnostic]


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

    ``tree``, ``source_map`` and ``decoded`` are computed on first use and kept.
    """

    text: str
    format: text_layer.Format
    file: str
    folder: FsPath
    model_given: onnx.ModelProto | None = None
    memo: DecodeMemo | None = dataclasses.field(default=None, repr=False)
    canonical: bool = dataclasses.field(default=True, repr=False)  # see text.parse (False: known erroneous)
    _decoded: Decoded | None = dataclasses.field(default=None, init=False, repr=False)

    @classmethod
    def read(cls, source: FsPath, fmt: text_layer.Format | None = None) -> Document:
        """The document in ``source`` (format from its suffix unless given); E101/E502 when unreadable."""
        content = read_text(source)
        return cls(content, fmt or text_layer.format_for(source.name), str(source), source.parent.resolve())

    @classmethod
    def of_model(cls, model: onnx.ModelProto, file: str) -> Document:
        """A binary model as a document: its tree comes from the encoder, its diagnostics have no lines."""
        return cls("", "yaml", file, FsPath(file).parent.resolve(), model_given=model)

    @classmethod
    def derived(
        cls,
        text: str,
        fmt: text_layer.Format,
        file: str,
        folder: FsPath,
        tree: Any,
        source_map: SourceMap,
        memo: DecodeMemo,
    ) -> Document:
        """A document whose tree and source map are already known (the language server derives them
        from the previous version's by re-reading only the edited item), decoded with ``memo``."""
        document = cls(text, fmt, file, folder, memo=memo)
        document.__dict__["_parsed"] = (tree, None)  # what the cached properties would compute
        document.__dict__["source_map"] = source_map
        return document

    @property
    def has_text(self) -> bool:
        return self.model_given is None

    # -- tree -------------------------------------------------------------------------------------

    @functools.cached_property
    def _parsed(self) -> tuple[Any, Diagnostic | None]:
        if self.model_given is not None:
            with gc_paused():
                return encode_model(self.model_given, Policy(mode="base64")), None
        try:
            return text_layer.parse(self.text, self.format, self.canonical), None
        except OnnxTextError as err:  # placed by the parser itself (or at the top of the file)
            return None, err.diagnostic.at(self.file, err.line or 1, err.col or 1)

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
        if not self.has_text or self.tree is None:
            return None
        ends: dict[Path, Position] = {}
        starts = text_layer.locate(self.text, self.format, ends)
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

    def decode(self, progress: Progress | None = None) -> Decoded:
        """The model and the diagnostics of every element decoding had to skip (kept after the first call)."""
        if self._decoded is None:
            self._decoded = self._decode(progress or Silent())
        return self._decoded

    @property
    def decoded(self) -> Decoded:
        return self.decode()

    def _decode(self, progress: Progress) -> Decoded:
        if self.model_given is not None:
            return Decoded(self.model_given, self.folder, [])
        tree = self.tree
        if tree is None:
            return Decoded(None, self.folder, [])
        data_dir: Any = "."
        if isinstance(tree, dict) and DATA_DIR_KEY in tree:
            data_dir = tree[DATA_DIR_KEY]
            tree = {key: value for key, value in tree.items() if key != DATA_DIR_KEY}
        problems: list[OnnxTextError] = []
        if not isinstance(data_dir, str):
            problems.append(OnnxTextError("E202", f"{DATA_DIR_KEY} must be a folder path", (DATA_DIR_KEY,)))
            data_dir = "."
        model: onnx.ModelProto | None = None
        memo = self.memo
        with gc_paused():
            try:
                if memo is None:
                    model = decode_model(tree, SidecarReader(self.folder), progress, problems=problems)
                else:
                    memo.problems = problems
                    model = decode_model(
                        tree, SidecarReader(self.folder), progress, problems=problems, reuse=memo.item
                    )
            except OnnxTextError as err:  # the document as a whole cannot be read (not a mapping, version)
                problems.append(err)
            finally:
                if memo is not None:
                    memo.release()
        return Decoded(model, self.folder / data_dir, [self.place(p.diagnostic) for p in problems])

    @property
    def model(self) -> onnx.ModelProto | None:
        return self.decoded.model
