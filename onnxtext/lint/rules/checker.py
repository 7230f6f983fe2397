"""The last word: ``onnx.checker`` on the decoded model, its message placed at what it names."""

from __future__ import annotations

import re
from collections.abc import Iterator

import onnx

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.paths import Path
from onnxtext.core.document import Document
from onnxtext.core.index import Index
from onnxtext.lint.facts import encoding, has_external_data, node_path
from onnxtext.lint.registry import rule

_NODE = re.compile(r"Name: ?(?P<name>.*?) OpType: ?(?P<op>\S+)")
_QUOTED = re.compile(r"'([^']+)'")
_PROTOBUF_LIMIT = 2**31 - 1


@rule(
    "C501",
    "checker",
    "error",
    "onnx.checker rejects the model",
    """
The final check is onnx.checker itself, on the model as it would be built. It runs once the
other rules find no error (they say the same things more precisely). Its message is kept as is
and placed at the node it names, else at the value it quotes, else at the graph.
""",
    stage="model",
)
def checker(document: Document, index: Index) -> Iterator[Diagnostic]:
    if not checks_in_memory(document):
        return
    try:
        onnx.checker.check_model(encoding(document))
    except onnx.checker.ValidationError as err:
        message = str(err).strip()
        first = message.splitlines()[0] if message else "the model is not valid"
        yield Diagnostic(
            "C501",
            f"onnx.checker: {first}",
            "error",
            _placed(index, message),
            "fix the model, or build with --no-check to write it anyway",
        )


FULL_CHECK = ("C501", "T301", "T302", "T303")  # onnx.checker, then strict shape inference with type checks


def checks_in_memory(document: Document) -> bool:
    """Whether C501 runs onnx.checker on the decoded model itself: it is there, holds no external
    data (in memory, that looks missing) and its encoding stays under protobuf's 2 GB.  Else ``build``
    checks the written file by path, where the data is found."""
    if document.model is None or has_external_data(document):
        return False
    return len(encoding(document)) <= _PROTOBUF_LIMIT


def _placed(index: Index, message: str) -> Path:
    match = _NODE.search(message)
    if match:
        path = node_path(index, match["name"], match["op"])
        if path is not None:
            return path
    for name in _QUOTED.findall(message.splitlines()[0] if message else ""):
        for scope in index.scopes:
            producer = index.resolve(scope, name)
            if producer is not None:
                return producer.path
    return ("graph",)
