"""The steps of a build: document text -> checked ``.onnx``, with nothing left behind on an error.

How the text is read is chosen first: big payload scalars (``base64``/``inline`` of 1 MiB and more)
are left in the mapped file and decoded into a spool the model writer copies from; anything that
path cannot do exactly is built the ordinary way.  Either way the text is a
:class:`~onnxtext.core.document.Document`, which places every error at ``file:line:col``.  Then
:meth:`Build._write` decodes (or lets a gate, such as the linter's, decode and judge), checks and writes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from collections.abc import Callable
from pathlib import Path as FsPath

import onnx

from onnxtext import text
from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.progress import Progress, Silent
from onnxtext.codecs import SidecarReader
from onnxtext.codecs.held import HeldPayloads, NotHeld, holding
from onnxtext.convert.modelfile import PathLike, Transform, check_model, save_model
from onnxtext.core.document import Document
from onnxtext.roundtrip.external import copy_external_data, external_locations, remove_files
from onnxtext.roundtrip.save import atomic_file, check_writable, write_model
from onnxtext.roundtrip.stream import thin_document

Warn = Callable[[Diagnostic], None]


@dataclasses.dataclass(frozen=True)
class Gated:
    """What a gate hands the build: the decoded model and the folder of its external data, and which of
    the checks of onnx.checker's full check it has already run.

    ``checked``: all of them (``onnx.checker`` on the model in memory, then strict shape inference with
    type checks); ``inferred``: the shape inference; ``encoding``: the bytes the checker read, which the
    build writes as they are when nothing changes the model after the gate.
    """

    model: onnx.ModelProto
    data_dir: FsPath
    checked: bool = False
    inferred: bool = False
    encoding: bytes | None = None


# (document, progress, warn) -> Gated; hands what does not stop the build to warn, raises
# OnnxTextError to stop it.
Gate = Callable[[Document, Progress, Warn], Gated]


@dataclasses.dataclass(frozen=True)
class Build:
    """A build into ``target`` (a ``.onnx``): how it checks, whether it may replace ``target``, what
    it reports progress to, the surgery it applies (``transform``) and the ``gate`` it asks first.

    Checking runs ``onnx.checker``; with a ``gate`` (:func:`onnxtext.api.build` passes the linter's,
    :func:`onnxtext.lint.gate.decode_linted`), the gate decodes and judges the document first and
    the checker runs only where the gate did not already run the same checks; ``warn`` receives
    what the gate found that does not stop the build, once per build.  ``transform`` changes the
    decoded model before it is checked and written; ``transform_checks`` says that it holds its result
    to onnx.checker's full check itself (the surgeries of :func:`onnxtext.surgery.pipeline` do), so the
    model in memory is not checked again.
    """

    target: FsPath
    check: bool = True
    force: bool = False
    progress: Progress = dataclasses.field(default_factory=Silent)
    transform: Transform | None = None
    gate: Gate | None = None
    warn: Warn | None = None
    transform_checks: bool = False

    def run(
        self, doc_path: PathLike | None, *, format: text.Format | None = None, stdin_text: str | None = None
    ) -> onnx.ModelProto:
        """Build the model of the document at ``doc_path`` (``stdin_text`` when it is None, read as if in
        the current folder); nothing stays behind when it fails.

        External data files are copied beside ``target`` when they live elsewhere, then the written
        model is checked by path.  Returns the decoded model; unchecked and untransformed, it lacks
        the sidecar payloads of 1 MiB and more, which went from their files straight into ``target``.
        """
        target = self.target
        check_writable(target, force=self.force)
        warn = self.warn or _ignore
        if doc_path is None:
            return self._write(Document(stdin_text or "", format or "yaml", "<stdin>", FsPath.cwd()), warn)
        source = FsPath(doc_path)
        fmt = format or text.format_for(source.name)
        # Big payload scalars are decoded from the file as they are needed: into a spool file that the
        # model writer copies from (unless a transform needs the whole model), else into the model.
        with contextlib.ExitStack() as stack:
            if self.transform is None:  # the spool sits beside the output: that disk takes the weights anyway
                target.parent.mkdir(parents=True, exist_ok=True)
            spool = None if self.transform else stack.enter_context(tempfile.TemporaryFile(dir=target.parent))
            held = HeldPayloads(spool=spool)
            thinned = thin_document(source, fmt, held)
            if thinned is not None:
                found: list[Diagnostic] = []  # handed on once this way is known to be the last
                try:
                    with holding(held):
                        thin = Document(thinned, fmt, str(source), source.parent.resolve())
                        model = self._write(thin, found.append, held)
                except (NotHeld, OnnxTextError):
                    pass  # built (or refused, at the right line) the ordinary way
                else:
                    for diagnostic in found:
                        warn(diagnostic)
                    return model
        return self._write(Document.read(source, format), warn)

    def _write(self, document: Document, warn: Warn, held: HeldPayloads | None = None) -> onnx.ModelProto:
        """Decode, check and write ``document``; NotHeld when ``held`` payloads were not all decoded."""
        target, check, force, progress = self.target, self.check, self.force, self.progress
        transform, gate = self.transform, self.gate
        # Big sidecar payloads stay in their files until the model is written (write_model copies them),
        # unless a transform needs the model whole; the written file is then checked by path.
        sidecars = SidecarReader(document.folder, splice=transform is None)
        if check and gate is not None:  # e.g. lint: every error at its line, nothing written
            document.decode(progress, sidecars)
            gated = gate(document, progress, warn)
        else:
            gated = Gated(document.model_or_raise(progress, sidecars), document.data_dir)
        model, data_dir = gated.model, gated.data_dir
        if held is not None:
            held.check_all_taken()
        if transform is not None:
            with document.errors_placed():
                model = transform(model)
            # the transform ran these checks on its result, or none of them
            gated = Gated(model, data_dir, self.transform_checks, self.transform_checks)
        locations = external_locations(model, document.text)
        slices = {**sidecars.slices, **(held.slices if held is not None else {})}
        # payloads left in their files or the spool are not in the model: it is checked once written, by path
        if not locations and not (check and slices):
            if check and not gated.checked:
                progress.stage("checking")
                with document.errors_placed():
                    check_model(model)
            progress.stage("writing")
            # the bytes the checker read are the model's own encoding
            encoded = gated.encoding if gated.encoding is not None and not slices else model
            with document.errors_placed():  # a sidecar changed since decoding is an error at its line
                save_model(encoded, target, force=True, slices=slices)
            return model
        copied = []
        if locations:
            progress.stage("copying external data")
            copied = copy_external_data(locations, data_dir, target.resolve().parent, force=force)
        try:
            with document.errors_placed(), atomic_file(target) as out:
                progress.stage("writing")
                write_model(model, out, slices)
                out.flush()
                if check:  # the gate's strict shape inference is not run again
                    progress.stage("checking")
                    check_model(model, written=out.name, infer=not gated.inferred)
        except BaseException:
            remove_files(copied)
            raise
        return model


def _ignore(_: Diagnostic) -> None:
    """What a build without a ``warn`` does with a warning."""
