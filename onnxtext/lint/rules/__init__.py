"""The rule families; importing this package registers every rule."""

from onnxtext.lint.rules import (
    checker,
    document,
    imports,
    names,
    opsets,
    references,
    runtime,
    schema,
    tensors,
    types,
)

__all__ = [
    "checker",
    "document",
    "imports",
    "names",
    "opsets",
    "references",
    "runtime",
    "schema",
    "tensors",
    "types",
]
