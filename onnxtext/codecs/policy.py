"""Where each tensor payload goes: inline numbers, Base64, or a ``.npy`` sidecar.

Decided here, in one place; the encoders only ask :meth:`Policy.form_for`.
"""

from __future__ import annotations

import dataclasses
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
