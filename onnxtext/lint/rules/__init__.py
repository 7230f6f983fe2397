"""The rule families; importing this package registers every rule."""

from onnxtext.lint.rules import checker, document, names, opsets, references, runtime, schema, tensors, types

__all__ = ["checker", "document", "names", "opsets", "references", "runtime", "schema", "tensors", "types"]
