"""The README's format reference is true: its example document decodes and validates against the schema,
and every type string it names parses and comes back written the same way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from onnxtext import text
from onnxtext.roundtrip.decode import decode_model
from onnxtext.roundtrip.types import format_type, parse_type
from onnxtext.schema import validate

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
SECTION = README[
    README.index("## The document\n") : README.index("\n## ", README.index("## The document\n") + 1)
]


def test_the_example_document_decodes_and_validates() -> None:
    example = re.search(r"```yaml\n(onnxtext: 2\n.*?)```", SECTION, re.S)
    assert example is not None
    tree = text.parse(example.group(1).replace("9f2c...", "9f2c" + "0" * 60), "yaml")
    assert validate(tree) == []
    model = decode_model({**tree, "graph": _no_npy(tree)})
    assert [node.op_type for node in model.graph.node] == ["Conv", "Constant", "Cast", "If"]


def _no_npy(tree: dict) -> dict:
    """The graph without the tensor whose sidecar the README only names."""
    graph = dict(tree["graph"])
    graph["initializers"] = [t for t in graph["initializers"] if "npy" not in t]
    return graph


TYPE_STRINGS = sorted(
    set(re.findall(r"`((?:seq|optional|map|sparse)\([^`]*\)|[a-z0-9]+\[[^`\]]*\])`", SECTION))
)


@pytest.mark.parametrize("type_string", TYPE_STRINGS)
def test_every_type_string_it_names_parses_and_reads_back_the_same(type_string: str) -> None:
    assert format_type(parse_type(type_string)) == type_string
