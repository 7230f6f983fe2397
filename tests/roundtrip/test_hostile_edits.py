"""Whatever a user types into a document, decoding ends in a model or an OnnxTextError, never a crash."""

from __future__ import annotations

import copy
import random
from typing import Any

import onnx
import pytest

import onnxtext
from onnxtext import text
from onnxtext.base.errors import OnnxTextError
from onnxtext.roundtrip import decode_model
from tests.models import shipped_models, silero_models

HOSTILE: list[Any] = [
    None, True, 0, -1, 2**70, -(2**70), 1.5, 1e300, float("nan"), "", "x", "float32[", "seq(", "map(int64)",
    "NaN", [], [None], [1, "a"], [[1]], {}, {"base64": "!!"}, {"type": "NOPE"}, {"base64": 3}, "\x00",
    {"npy": "/etc/passwd", "sha256": "0"}, {"values": [1]}, [1.5, 2**80], "int4[2]", "UNDEFINED",
    "float32[99999999999999999999999]", "map(int64, float32[-99999999999999999999])", "seq(optional(x))",
]  # fmt: skip
MODELS = [*shipped_models()[::9], *silero_models()[:1]]


def _slots(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _slots(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _slots(value, (*path, i))
    return out


def _edit(tree: Any, path: tuple[Any, ...], value: Any, undo: list[tuple[Any, Any, Any]]) -> Any:
    """``tree`` with the element at ``path`` replaced by ``value``, in place (what undoes it is added to
    ``undo``): copying the whole tree for each try cost twenty times the decoding."""
    if not path:
        return value
    parent = tree
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    old = parent.get(key, _ABSENT) if isinstance(parent, dict) else parent[key]
    parent[key] = value
    undo.append((parent, key, old))
    return tree


def _undo(undo: list[tuple[Any, Any, Any]]) -> None:
    for parent, key, old in reversed(undo):
        if old is _ABSENT:
            del parent[key]
        else:
            parent[key] = old
    undo.clear()


_ABSENT = object()


@pytest.mark.parametrize("model_path", MODELS, ids=lambda p: p.name)
def test_random_edits_never_crash(model_path) -> None:
    model = onnx.load(str(model_path))
    tree = text.parse(onnxtext.dumps(model, "json", tensors="inline", inline_max=64), "json")
    before = text.emit(tree, "json")
    slots = _slots(tree)
    rng = random.Random(model_path.name)
    undo: list[tuple[Any, Any, Any]] = []
    for _ in range(300):
        edited = tree
        try:
            for _ in range(rng.randint(1, 3)):
                edited = _edit(edited, rng.choice(slots), copy.deepcopy(rng.choice(HOSTILE)), undo)
        except (KeyError, IndexError, TypeError):  # an earlier edit removed the path a later one aimed at
            _undo(undo)
            continue
        try:
            decode_model(edited)
        except OnnxTextError as err:
            assert err.code[0] == "E" and err.message
        _undo(undo)
    undone = text.emit(tree, "json") == before  # (a bool: pytest would diff two long texts)
    assert undone, "an edit was left in the tree: the tries after it did not start from the dump"
