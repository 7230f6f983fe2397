"""The document schema (``onnxtext schema``, what editors check while a document is typed) as a rule.

S101 is opt-in (``--extend-select S``, or ``extend-select = ["S"]`` under ``[tool.onnxtext.lint]``,
which ``build`` reads too) for two measured reasons:

- it repeats: what the schema can say (unknown keys, wrong kinds of values, bad type strings and
  element type names, unknown ops, unknown, mistyped or missing attributes) the decoder's E2xx/E3xx
  and the O40x rules say at the same element, in more precise words; and
- it costs: ``jsonschema`` walks the whole tree, 0.36 s CPU on a 2,000-node document (plus 0.2 s to
  compile the validator), 7.7 s on 50,000 nodes, where the rest of lint takes 8 s.

Selected, it reports only where no other diagnostic of the run points at the same element, one
inside it or one around it, so nothing is said twice; with ``--select S`` alone it shows exactly
what an editor using the schema underlines.
"""

from __future__ import annotations

from collections.abc import Iterator

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.core.document import Document
from onnxtext.core.index import Index
from onnxtext.lint.registry import rule
from onnxtext.schema import validate  # cheap: the validator is compiled (0.2 s) on the first call


@rule(
    "S101",
    "schema",
    "error",
    "the document breaks its JSON Schema (what an editor underlines)",
    """
The JSON Schema of the document format (`onnxtext schema`) is what VS Code checks while a document
is edited. This rule runs the same schema, so a CI job can check what the editor shows. It is
opt-in (select it with `--extend-select S`): the decoder's E codes and the O rules report the
same problems more precisely, and validating takes about as long as the rest of lint. Where
another diagnostic of the run is on the same element, S101 says nothing.
""",
    default=False,
    defers=True,
)
def schema_findings(document: Document, index: Index) -> Iterator[Diagnostic]:
    if not document.has_text or document.tree is None:
        return  # a .onnx file's tree comes from the encoder: it fits the schema by construction
    for path, message in validate(document.tree):
        hint = "fix it as the message says (an editor using the schema underlines the same place)"
        yield Diagnostic("S101", f"schema: {message}", "error", path, hint)
