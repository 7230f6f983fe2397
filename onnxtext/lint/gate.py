"""``build`` lints first: errors stop it (every one reported, nothing written), warnings are passed on.

The gate parses and decodes the document once, for lint and for the build: the model it returns is
the one lint judged.  Settings come from ``[tool.onnxtext.lint]`` of the nearest pyproject.toml.
:func:`onnxtext.api.build` hands it to the build steps (:mod:`onnxtext.convert.build` knows no lint).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import onnx

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.progress import Progress
from onnxtext.codecs.held import spooled_payloads
from onnxtext.core.document import Document
from onnxtext.lint.config import load_settings
from onnxtext.lint.engine import Selection, lint, related
from onnxtext.lint.rules.checker import FULL_CHECK, checks_in_memory


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


def decode_linted(
    document: Document, progress: Progress, warn: Callable[[Diagnostic], None]
) -> tuple[onnx.ModelProto, Path, bool]:
    """The model of a document, the folder of its external data, and whether lint has run what
    ``onnx.checker.check_model(full_check=True)`` runs, once lint finds no error.

    That is the case when C501 checked the model in memory and T301-T303 ran strict shape
    inference with type checks, and no ``noqa`` comment can have silenced them: ``build`` then need
    not run the same checks again (on a 50,000-node graph they were a quarter of the build).

    Raises :class:`LintFailed` with every error.  ``warn`` receives every warning, in document
    order, before that: a build that fails still says what else lint found.
    """
    document.decode(progress)
    settings = load_settings(document.folder)
    # Payloads decoded into a spool (onnxtext.codecs.held) are not in the model: onnx.checker and
    # shape inference run on the written file instead (build checks it by path), not here.
    ignore = (*settings.ignore, *FULL_CHECK) if spooled_payloads() else settings.ignore
    selection = Selection(settings.select or ("ALL",), ignore, settings.extend_select)
    found = lint(document, selection)
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
    checked = (
        all(selection.enabled(code) for code in FULL_CHECK)
        and "noqa" not in document.text
        and checks_in_memory(document)
    )
    return model, document.decoded.data_dir, checked
