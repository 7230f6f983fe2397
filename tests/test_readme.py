"""The README's format reference is true: its example document decodes and validates against the schema,
and every type string it names parses and comes back written the same way."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from onnxtext import text
from onnxtext.roundtrip.decode import decode_model
from onnxtext.roundtrip.types import format_type, parse_type
from onnxtext.schema import validate

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
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


def test_the_python_api_snippet_runs_as_written(tmp_path: Path) -> None:
    """Run from a folder holding the samples, as a reader in the project folder would."""
    section = README[README.index("## Python API\n") :]
    snippet = re.search(r"```python\n(.*?)```", section, re.S)
    assert snippet is not None
    (tmp_path / "samples").mkdir()
    shutil.copy(ROOT / "samples" / "squeezenet.onnx", tmp_path / "samples")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        [sys.executable, "-c", snippet.group(1)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "0 warnings\n"  # squeezenet is clean under the default rules
    assert (tmp_path / "api-tour.onnx").read_bytes() == (ROOT / "samples" / "squeezenet.onnx").read_bytes()
