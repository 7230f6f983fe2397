"""The one error type of onnxtext: a message with a rule code, a fix hint and a place.

Lower layers know only the document *path* of the problem; the layer that read the file
adds ``file``, ``line`` and ``col`` (see :meth:`OnnxTextError.at`).  An error is an error-severity
:class:`~onnxtext.base.diagnostics.Diagnostic` (:attr:`OnnxTextError.diagnostic`), printed
``file:line:col: error CODE message``.  Codes:

- ``E1xx`` text: ``E101`` syntax error, ``E102`` duplicate key.
- ``E2xx`` document structure: ``E201`` unknown key, ``E202`` wrong kind of value, ``E203`` bad type
  string, ``E204`` unknown enum or dtype name, ``E205`` bad attribute, ``E206`` missing key,
  ``E207`` unsupported format version.
- ``E3xx`` tensor payloads: ``E301`` values do not fit the type, ``E302`` bad Base64, ``E303`` sidecar
  missing or unreadable, ``E304`` sidecar digest mismatch, ``E305`` unsafe sidecar path,
  ``E306`` sidecar dtype/shape mismatch, ``E307`` a digest (``dump --tensors digest``) cannot be built.
- ``E4xx`` model validity: ``E401`` onnx.checker failed.
- ``E5xx`` files: ``E501`` output exists, ``E502`` cannot read or write a file, ``E503`` not an ONNX model.
- ``E7xx`` rewriting documents: ``E701`` ``fmt`` cannot keep a comment with its element, ``E702`` the git
  merge driver found a conflict (the conflicting document is written beside the model).
- ``E999`` an internal error (a bug): reported in one line like the rest.
"""

from __future__ import annotations

import dataclasses

from onnxtext.base.diagnostics import Diagnostic, Placeable
from onnxtext.base.paths import Path


@dataclasses.dataclass
class OnnxTextError(Placeable, Exception):
    """A user-facing failure: an error-severity :class:`Diagnostic` that can be raised.

    ``str(err)`` is the one-line report ``file:line:col: error CODE message``; :attr:`diagnostic`
    is the same problem as the shared type that lint, the reporters and the editor use.
    """

    code: str
    message: str
    path: Path | None = None
    hint: str | None = None
    file: str | None = None
    line: int | None = None
    col: int | None = None
    end_line: int | None = None
    end_col: int | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @classmethod
    def of(cls, diagnostic: Diagnostic) -> OnnxTextError:
        """The error that raises ``diagnostic`` (its severity is dropped: an error is an error)."""
        fields = dataclasses.asdict(diagnostic)
        del fields["severity"], fields["fix"]
        return cls(**fields)

    @property
    def diagnostic(self) -> Diagnostic:
        """This error as the shared Diagnostic (severity ``error``)."""
        return Diagnostic(
            self.code, self.message, "error", self.path, self.hint,
            self.file, self.line, self.col, self.end_line, self.end_col,
        )  # fmt: skip

    def within(self, prefix: Path) -> OnnxTextError:
        """Return a copy whose path is prefixed (errors raised deep inside a sub-tree)."""
        return dataclasses.replace(self, path=prefix + (self.path or ()))

    @property
    def location(self) -> str:
        return self.diagnostic.location

    def __str__(self) -> str:
        return str(self.diagnostic)

    def report(self) -> str:
        """The full report: the one-line message, then the fix hint on its own line."""
        return self.diagnostic.report()
