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


def _replace(tree: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = tree
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return tree


@pytest.mark.parametrize("model_path", MODELS, ids=lambda p: p.name)
def test_random_edits_never_crash(model_path) -> None:
    model = onnx.load(str(model_path))
    tree = text.parse(onnxtext.dumps(model, "json", tensors="inline", inline_max=64), "json")
    slots = _slots(tree)
    rng = random.Random(model_path.name)
    for _ in range(300):
        edited = copy.deepcopy(tree)
        try:
            for _ in range(rng.randint(1, 3)):
                edited = _replace(edited, rng.choice(slots), copy.deepcopy(rng.choice(HOSTILE)))
        except (KeyError, IndexError, TypeError):  # an earlier edit removed the path a later one aimed at
            continue
        try:
            decode_model(edited)
        except OnnxTextError as err:
            assert err.code[0] == "E" and err.message
