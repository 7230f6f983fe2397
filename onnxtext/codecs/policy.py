"""Where each tensor payload goes (inline numbers, Base64, or a ``.npy`` sidecar), and which numbers
may be written bare in the document's text format.

Decided here, in one place; the encoders only ask :meth:`Policy.form_for`, :meth:`Policy.bare_floats`
and :attr:`Policy.signed_zeros`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Literal

Mode = Literal["auto", "inline", "base64", "npy", "digest"]
Form = Literal["values", "base64", "npy", "digest"]
MODES: tuple[Mode, ...] = ("auto", "inline", "base64", "npy", "digest")


@dataclasses.dataclass(frozen=True)
class Policy:
    """How to write tensor payloads.

    ``auto`` keeps tensors of at most ``inline_max`` elements as readable numbers (a Reshape's shape,
    a scale, an epsilon), sends payloads of at least ``npy_min_bytes`` bytes to ``.npy`` sidecars
    (when the document has a folder to put them in) and writes the rest as Base64.
    ``inline``, ``base64`` and ``npy`` force one form for every numeric tensor.  Whatever the form
    asked for, a payload that the form cannot hold exactly is written as Base64 (never lossy).
    ``digest`` is the one lossy mode, for reading and diffing only (git's textconv): tensors over
    ``inline_max`` elements become a one-line summary (sha256 prefix, min, max, mean) that cannot
    be built.
    """

    mode: Mode = "auto"
    inline_max: int = 32
    npy_min_bytes: int = 1024
    doubles_only: bool = False
    """The document is JSON, whose readers may hold every number as a double (jq, JavaScript's
    ``JSON.parse``): they print ``1.0`` as ``1`` and ``-0.0`` as ``0`` or ``-0`` (an integer to
    Python), so a bare number says neither whether it is a float nor the sign of a zero.  Then a
    number whose type is read from the number itself (an attribute literal) is written bare only when
    it is not integral (:meth:`bare_floats`), and a payload or float field holding a negative zero is
    written as Base64 (:attr:`signed_zeros`).  YAML keeps both (``1.0`` is a float to every YAML
    reader, ``-0.0`` too), so YAML documents keep the readable forms."""

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"tensor mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.inline_max < 0 or self.npy_min_bytes < 0:
            raise ValueError("inline_max and npy_min_bytes must be >= 0")

    def form_for(self, elements: int, nbytes: int, *, sidecars: bool) -> Form:
        """The preferred form for a payload of ``elements`` values taking ``nbytes`` bytes."""
        if self.mode == "inline":
            return "values"
        if self.mode == "base64":
            return "base64"
        if self.mode == "npy":
            return "npy" if sidecars else "base64"
        if elements <= self.inline_max:
            return "values"
        if self.mode == "digest":
            return "digest"
        if sidecars and nbytes >= self.npy_min_bytes:
            return "npy"
        return "base64"

    def bare_floats(self, values: Sequence[float]) -> bool:
        """Whether a FLOAT or FLOATS attribute's value may be written as bare numbers (``alpha: 0.5``,
        ``scales: [1.0, 2.5]``), which a reader takes for floats because one of them has a dot.

        Not so where the text may lose the dot (``1.0`` -> ``1``, an INT; ``[1.0, 2.0]`` -> INTS) or
        the sign of a zero: such a value says its type (``{type: FLOAT, f: 1.0}``).
        """
        if not self.doubles_only:
            return True
        return not all(v.is_integer() for v in values) and not any(
            v == 0 and math.copysign(1, v) < 0 for v in values
        )

    @property
    def signed_zeros(self) -> bool:
        """Whether a number written bare keeps the sign of a zero (else ``-0.0`` goes to Base64)."""
        return not self.doubles_only
