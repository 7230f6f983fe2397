"""``build`` lints first: errors stop it (every one reported, nothing written), warnings are passed on.

The gate parses and decodes the document once, for lint and for the build: the model it returns is
the one lint judged.  Settings come from ``[tool.onnxtext.lint]`` of the nearest pyproject.toml.
:func:`onnxtext.api.build` hands it to the build steps (:mod:`onnxtext.convert.build` knows no lint).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.progress import Progress
from onnxtext.codecs.held import spooled_payloads
from onnxtext.convert.build import Gated
from onnxtext.core.document import Document
from onnxtext.lint.config import load_settings
from onnxtext.lint.engine import Selection, lint, related
from onnxtext.lint.facts import keep_encoding, kept_encoding
from onnxtext.lint.rules.checker import FULL_CHECK, checks_in_memory
from onnxtext.roundtrip.lean import floating


@dataclasses.dataclass
class LintFailed(OnnxTextError):
    """Lint found errors: the first one as the error's own fields, every one in ``diagnostics``."""

    diagnostics: tuple[Diagnostic, ...] = ()

    @classmethod
    def of_all(cls, diagnostics: list[Diagnostic]) -> LintFailed:
        first = OnnxTextError.of(diagnostics[0])
        return cls(
            **{f.name: getattr(first, f.name) for f in dataclasses.fields(OnnxTextError)},
            diagnostics=tuple(diagnostics),
        )

    def report(self) -> str:
        return "\n".join(d.report() for d in self.diagnostics)


def decode_linted(document: Document, progress: Progress, warn: Callable[[Diagnostic], None]) -> Gated:
    """The model of a document, the folder of its external data, and which of the checks that
    ``onnx.checker.check_model(full_check=True)`` runs lint has run, once lint finds no error.

    C501 checks the model in memory (its encoding comes back with it: the build writes those bytes
    rather than serializing the model again) and T301-T303 run strict shape inference with type
    checks; where no ``noqa`` comment can have silenced them, ``build`` need not run them again (on
    a 50,000-node graph they were a quarter of the build; with external data, the written file is
    checked without inferring shapes a second time).

    Raises :class:`LintFailed` with every error.  ``warn`` receives every warning, in document
    order, before that: a build that fails still says what else lint found.
    """
    left_out = document.decode(progress).left_out
    settings = load_settings(document.folder)
    selection = Selection(
        settings.select or ("ALL",), (*settings.ignore, *_unjudged(left_out)), settings.extend_select
    )
    keep_encoding(document)
    try:
        return _judged(document, selection, lint(document, selection), warn)
    finally:
        kept_encoding(document)  # forgotten whatever happened


def _unjudged(left_out: frozenset[int]) -> tuple[str, ...]:
    """The checks of :data:`FULL_CHECK` lint cannot run on a model that lacks payloads (the build
    runs them on the written file, by path).

    Payloads left in their sidecars (``left_out``, their element types) or decoded into a spool
    (:mod:`onnxtext.codecs.held`) are not in the model, so onnx.checker cannot read it in memory.
    Shape inference reads the values of integer tensors only (shape data) and is given none of
    the big floating-point ones anyway (``without_big_weights``): it still runs when only those
    are missing.
    """
    if spooled_payloads():
        return FULL_CHECK
    if any(not floating(data_type) for data_type in left_out):
        return FULL_CHECK
    return FULL_CHECK[:1] if left_out else ()


def _judged(
    document: Document, selection: Selection, found: list[Diagnostic], warn: Callable[[Diagnostic], None]
) -> Gated:
    """What :func:`decode_linted` returns, once lint has ``found`` what it found."""
    errors = [d for d in found if d.severity == "error"]
    # an element the decoder skipped is missing from the model: never built, whatever the selection
    # (said once: not where a selected rule already reports that element)
    reported = {d.path for d in errors if d.path is not None}
    errors += [
        d
        for d in document.decoded.diagnostics
        if d not in errors and not (d.path is not None and related(d.path, reported))
    ]
    for diagnostic in found:
        if diagnostic.severity != "error":
            warn(diagnostic)
    if errors:
        raise LintFailed.of_all(sorted(errors, key=lambda d: d.sort_key))
    model = document.model
    assert model is not None  # a document that decodes to nothing has an error
    inferred = "noqa" not in document.text and all(selection.enabled(code) for code in FULL_CHECK[1:])
    if not (inferred and selection.enabled(FULL_CHECK[0]) and checks_in_memory(document)):
        return Gated(model, document.decoded.data_dir, inferred=inferred)
    return Gated(model, document.decoded.data_dir, True, True, kept_encoding(document))
