"""The public API, shaped like :mod:`json`: ``dumps``/``loads`` for strings, ``dump``/``load`` for files.

This is where the layers meet: text (YAML/JSON) <-> document tree <-> ModelProto, with tensor
payloads read and written by the codecs.  Errors leave here placed at ``file:line:col``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path as FsPath
from typing import Any

import onnx
from google.protobuf.message import DecodeError

from onnxtext import text
from onnxtext.codecs import SidecarReader, SidecarWriter
from onnxtext.codecs.held import HeldPayloads, NotHeld, holding
from onnxtext.codecs.policy import Mode, Policy
from onnxtext.document import read_text
from onnxtext.errors import OnnxTextError
from onnxtext.gcpause import gc_paused
from onnxtext.paths import Path
from onnxtext.progress import Progress, Silent
from onnxtext.roundtrip.decode import decode_model
from onnxtext.roundtrip.encode import encode_model
from onnxtext.roundtrip.external import DATA_DIR_KEY, copy_external_data, external_locations, remove_files
from onnxtext.roundtrip.lean import Payloads, read_lean
from onnxtext.roundtrip.save import (
    Slices,
    atomic_file,
    check_writable,
    current_umask,
    write_atomic,
    write_model,
)
from onnxtext.roundtrip.stream import thin_document, write_document

PathLike = str | os.PathLike[str]
Transform = Callable[[onnx.ModelProto], onnx.ModelProto]
# (text, format, file name, folder, progress) -> (model, external data folder, whether the gate has
# already run what onnx.checker's full check runs); raises OnnxTextError to stop the build.
Gate = Callable[[str, text.Format, str, FsPath, Progress], tuple[onnx.ModelProto, FsPath, bool]]
SIDECAR_SUFFIX = ".tensors"


def dumps(
    model: onnx.ModelProto | bytes,
    format: text.Format = "yaml",
    *,
    tensors: Mode = "auto",
    inline_max: int = Policy.inline_max,
    npy_min_bytes: int = Policy.npy_min_bytes,
) -> str:
    """The document text of ``model``; every payload inline or Base64 (``dumps`` writes no files)."""
    policy = Policy(mode=tensors, inline_max=inline_max, npy_min_bytes=npy_min_bytes)
    with gc_paused():
        return text.emit(encode_model(_as_model(model), policy), format)


def loads(document: str, format: text.Format = "yaml", *, filename: str = "<string>") -> onnx.ModelProto:
    """The ModelProto a document text describes (``npy:`` references are read from the current folder)."""
    model, _ = _Document(document, format, filename, FsPath.cwd()).decode()
    return model


def dump(
    model: onnx.ModelProto | PathLike,
    doc_path: PathLike,
    *,
    format: text.Format | None = None,
    tensors: Mode = "auto",
    inline_max: int = Policy.inline_max,
    npy_min_bytes: int = Policy.npy_min_bytes,
    force: bool = True,
    progress: Progress | None = None,
    transform: Transform | None = None,
) -> None:
    """Write the document of ``model`` (a ModelProto or a ``.onnx`` path) to ``doc_path``.

    ``transform`` (a surgery, see :func:`onnxtext.surgery.pipeline`) changes the model before encoding.

    ``.npy`` sidecars go into ``<stem>.tensors/`` beside the document.  Document and sidecar folder
    are written under temporary names and renamed into place at the end.
    """
    target = FsPath(doc_path)
    fmt = format or text.format_for(target.name)
    check_writable(target, force=force)
    policy = Policy(mode=tensors, inline_max=inline_max, npy_min_bytes=npy_min_bytes)
    progress = progress or Silent()
    from_file = isinstance(model, (str, os.PathLike))
    progress.stage("reading the model")
    left_out: Payloads = {}  # weights the encoder takes from the mapped file (no transform may copy them)
    proto = read_model(model, left_out if transform is None else None) if from_file else model
    if transform is not None:
        proto = transform(proto)
    folder = target.with_name(target.stem + SIDECAR_SUFFIX)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = FsPath(tempfile.mkdtemp(dir=target.parent, prefix=f".{folder.name}."))
    try:
        with gc_paused():
            progress.stage("encoding", len(proto.graph.node) + len(proto.graph.initializer))
            sidecars = SidecarWriter(staging, folder.name, left_out)
            held = HeldPayloads()  # big Base64/number payloads: written from the model, not the tree
            with holding(held):
                tree = encode_model(proto, policy, sidecars, progress)
            sidecars.check_all_taken()
            progress.stage("writing")
            document = text.emit(tree, fmt)
            if from_file and _external_locations(proto, document):
                tree = _with_data_dir(tree, FsPath(model).resolve().parent, target.resolve().parent)
                document = text.emit(tree, fmt)
        with atomic_file(target) as out:  # the sidecars move in once the document is safely written
            write_document(document, held, fmt, out)
            _replace_folder(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load(doc_path: PathLike, *, format: text.Format | None = None, check: bool = False) -> onnx.ModelProto:
    """The ModelProto described by the document at ``doc_path`` (sidecars read beside it).

    ``check`` runs onnx.checker on the model in memory; a model with external data is checked by
    :func:`build`, which can place the data files where the checker looks for them.
    """
    source = FsPath(doc_path)
    document = _Document.read(source, format)
    model, _ = document.decode()
    if check:
        document.check(model)
    return model


def build(
    doc_path: PathLike | None,
    output: PathLike,
    *,
    format: text.Format | None = None,
    check: bool = True,
    force: bool = False,
    stdin_text: str | None = None,
    progress: Progress | None = None,
    transform: Transform | None = None,
    gate: Gate | None = None,
) -> onnx.ModelProto:
    """Build the model of a document into ``output`` (a ``.onnx``), checked unless ``check`` is False.

    Checking runs ``onnx.checker``; with a ``gate`` (``onnxtext build`` passes the linter's,
    :func:`onnxtext.lint.gate.decode_linted`), the gate decodes and judges the document first and
    the checker runs only where the gate did not already run the same checks.

    External data files are copied beside ``output`` when they live elsewhere, then the written
    model is checked by path; nothing stays behind when the check fails.  ``stdin_text`` stands for
    the document when ``doc_path`` is None (its folder is then the current one).  ``transform`` (a
    surgery) changes the decoded model before it is checked and written.

    Returns the decoded model; unchecked and untransformed, it lacks the sidecar payloads of 1 MiB
    and more, which went from their files straight into ``output``.
    """
    target = FsPath(output)
    check_writable(target, force=force)
    progress = progress or Silent()
    steps = _BuildSteps(target, check, force, progress, transform, gate)
    if doc_path is None:
        return steps.run(_Document(stdin_text or "", format or "yaml", "<stdin>", FsPath.cwd()))
    source = FsPath(doc_path)
    fmt = format or text.format_for(source.name)
    # Big payload scalars are decoded from the file as they are needed: into a spool file that the
    # model writer copies from (unless a transform needs the whole model), else into the model.
    with contextlib.ExitStack() as stack:
        if transform is None:  # the spool sits beside the output: that disk takes the weights anyway
            target.parent.mkdir(parents=True, exist_ok=True)
        spool = None if transform else stack.enter_context(tempfile.TemporaryFile(dir=target.parent))
        held = HeldPayloads(spool=spool)
        thinned = thin_document(source, fmt, held)
        if thinned is not None:
            try:
                with holding(held):
                    return steps.run(_Document(thinned, fmt, str(source), source.parent.resolve()), held)
            except (NotHeld, OnnxTextError):
                pass  # built (or refused, at the right line) the ordinary way
    return steps.run(_Document.read(source, format))


@dataclasses.dataclass
class _BuildSteps:
    """What :func:`build` does with a document, once it has chosen how to read it."""

    target: FsPath
    check: bool
    force: bool
    progress: Progress
    transform: Transform | None
    gate: Gate | None

    def run(self, document: _Document, held: HeldPayloads | None = None) -> onnx.ModelProto:
        """Decode, check and write ``document``; NotHeld when ``held`` payloads were not all decoded."""
        target, check, force, progress = self.target, self.check, self.force, self.progress
        transform, gate = self.transform, self.gate
        # Big sidecar payloads stay in their files until the model is written (write_model copies them),
        # unless the model is read whole first (by the lint gate's checks or a transform).
        sidecars = SidecarReader(document.folder, splice=not check and transform is None)
        if check and gate is not None:  # e.g. lint: every error at its line, nothing written
            model, data_dir, checked_by_lint = gate(
                document.text, document.fmt, document.filename, document.folder, progress
            )
        else:
            model, data_dir = document.decode(progress, sidecars)
            checked_by_lint = False
        if held is not None:
            held.check_all_taken()
        if transform is not None:
            with document.placed():
                model = transform(model)
        locations = _external_locations(model, document.text)
        slices = {**sidecars.slices, **(held.slices if held is not None else {})}
        # payloads left in the spool are not in the model: it is checked once written, by path
        if not locations and not (check and held is not None and held.slices):
            if check and not (checked_by_lint and transform is None):  # lint's C501/T30x were these checks
                progress.stage("checking")
                document.check(model)
            progress.stage("writing")
            with document.placed():  # a sidecar changed since decoding is an error at its line
                save_model(model, target, force=True, slices=slices)
            return model
        copied = []
        if locations:
            progress.stage("copying external data")
            copied = copy_external_data(locations, data_dir, target.resolve().parent, force=force)
        try:
            with document.placed(), atomic_file(target) as out:
                progress.stage("writing")
                write_model(model, out, slices)
                out.flush()
                if check:
                    progress.stage("checking")
                    document.check(model, written=out.name)
        except BaseException:
            remove_files(copied)
            raise
        return model


def read_model(path: PathLike, left_out: Payloads | None = None) -> onnx.ModelProto:
    """``onnx.load`` without external data (references are kept as they are), with clear errors.

    Given ``left_out``, the big weights of a ``.onnx`` file stay in the mapped file, not in the model
    (:func:`~onnxtext.roundtrip.lean.read_lean`); ``left_out`` receives them for the sidecar writer.
    """
    try:
        if left_out is None or not os.fspath(path).lower().endswith(".onnx"):
            return onnx.load(os.fspath(path), load_external_data=False)
        model, payloads = read_lean(path)
        left_out.update(payloads)
        return model
    except FileNotFoundError:
        raise OnnxTextError("E502", f"{path}: no such file", hint="check the path").at(
            os.fspath(path)
        ) from None
    except (DecodeError, ValueError, RuntimeError) as err:
        raise OnnxTextError(
            "E503", f"{path} is not an ONNX model ({err})", hint="pass a .onnx file (protobuf ModelProto)"
        ).at(os.fspath(path)) from None


def save_model(
    model: onnx.ModelProto, path: PathLike, *, force: bool = False, slices: Slices | None = None
) -> None:
    """Serialize ``model`` to ``path`` atomically; never replaces a file unless ``force``.

    ``slices``: payloads left in sidecars (:meth:`SidecarReader.defer`), copied in as they are written.
    """
    write_atomic(FsPath(path), lambda out: write_model(model, out, slices), force=force)


def check_model(model: onnx.ModelProto, written: str | None = None) -> None:
    """Run ``onnx.checker`` (full check, with strict shape inference); E401 names the failing node.

    ``written`` is the file ``model`` was saved to: checked by path, external data is found beside it.
    """
    try:
        onnx.checker.check_model(written or model, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as err:
        message = str(err).strip()
        first = message.splitlines()[0] if message else "the model is not valid"
        raise OnnxTextError(
            "E401",
            f"onnx.checker: {first}",
            path=_node_path(model, message),
            hint="fix the model, or build with --no-check to write it anyway",
        ) from None


def _node_path(model: onnx.ModelProto, message: str) -> Path | None:
    """The path of the node an onnx.checker message names, when it names one of the main graph."""
    match = re.search(r"Name: ?(.*?) OpType: ?(\S+)", message) or re.search(r"[Nn]ode \(([^)]*)\)", message)
    if match is None:
        return None
    name = match.group(1)
    for i, node in enumerate(model.graph.node):
        if node.name == name:
            return ("graph", "nodes", i)
    return None


def locate_error(err: OnnxTextError, document: str, fmt: text.Format, filename: str) -> OnnxTextError:
    """Place ``err`` at the ``line:col`` of its path (the nearest enclosing element that exists)."""
    if err.line is not None:
        return err if err.file else err.at(filename, err.line, err.col)
    positions = text.locate(document, fmt)
    path = err.path or ()
    while path and path not in positions:
        path = path[:-1]
    line, col = positions.get(path, (1, 1))
    return err.at(filename, line, col)


@dataclasses.dataclass
class _Document:
    """A document's text and where it came from: decodes and checks with errors placed in the text."""

    text: str
    fmt: text.Format
    filename: str
    folder: FsPath

    @classmethod
    def read(cls, source: FsPath, fmt: text.Format | None) -> _Document:
        return cls(
            read_text(source), fmt or text.format_for(source.name), str(source), source.parent.resolve()
        )

    def decode(
        self, progress: Progress | None = None, sidecars: SidecarReader | None = None
    ) -> tuple[onnx.ModelProto, FsPath]:
        """The model, and the folder its external data lives in (``sidecars`` reads ``npy:`` payloads)."""
        progress = progress or Silent()
        with self.placed(), gc_paused():
            progress.stage("parsing")
            tree = text.parse(self.text, self.fmt)
            data_dir = tree.pop(DATA_DIR_KEY, ".") if isinstance(tree, dict) else "."
            if not isinstance(data_dir, str):
                raise OnnxTextError("E202", f"{DATA_DIR_KEY} must be a folder path", path=(DATA_DIR_KEY,))
            progress.stage("decoding", _item_count(tree))
            sidecars = sidecars or SidecarReader(self.folder)
            return decode_model(tree, sidecars, progress), self.folder / data_dir

    def check(self, model: onnx.ModelProto, written: str | None = None) -> None:
        with self.placed():
            check_model(model, written)

    @contextlib.contextmanager
    def placed(self) -> Iterator[None]:
        try:
            yield
        except OnnxTextError as err:
            raise locate_error(err, self.text, self.fmt, self.filename) from None


def _external_locations(model: onnx.ModelProto, document: str) -> list[str]:
    """:func:`external_locations`, skipping the walk over the model when the document proves there are none.

    Every external tensor's ``data_location`` is written ``EXTERNAL`` (YAML and JSON alike); without
    that word in the text there is nothing to find, and big graphs are spared a 0.15 s walk.
    """
    return external_locations(model) if "EXTERNAL" in document else []


def _item_count(tree: Any) -> int:
    """Nodes and initializers of the main graph: what decoding advances over (0 when unsure)."""
    graph = tree.get("graph") if isinstance(tree, dict) else None
    if not isinstance(graph, dict):
        return 0
    return sum(len(graph.get(key) or ()) for key in ("nodes", "initializers"))


def _with_data_dir(tree: dict[str, Any], data_dir: FsPath, doc_dir: FsPath) -> dict[str, Any]:
    """Record (after the format key) where the model's external data lives, relative to the document."""
    relative = os.path.relpath(data_dir, doc_dir).replace(os.sep, "/")
    if relative == ".":
        return tree
    first, *rest = tree.items()
    return dict([first, (DATA_DIR_KEY, relative), *rest])


def _as_model(model: onnx.ModelProto | bytes) -> onnx.ModelProto:
    if isinstance(model, onnx.ModelProto):
        return model
    proto = onnx.ModelProto()
    proto.ParseFromString(model)
    return proto


def _replace_folder(staging: FsPath, folder: FsPath) -> None:
    """Put the freshly written sidecars in place; drop a stale folder from an earlier dump."""
    fresh = any(staging.iterdir())
    if folder.exists():
        if not _only_sidecars(folder):
            raise OnnxTextError(
                "E501",
                f"{folder} exists and holds files that are not .npy sidecars",
                hint="move that folder away; onnxtext owns <document>.tensors/",
            )
        trash = folder.with_name(folder.name + ".old")
        os.replace(folder, trash)
        shutil.rmtree(trash, ignore_errors=True)
    if fresh:
        os.chmod(staging, 0o777 & ~current_umask())
        os.replace(staging, folder)


def _only_sidecars(folder: FsPath) -> bool:
    return folder.is_dir() and all(p.suffix == ".npy" and p.is_file() for p in folder.iterdir())
