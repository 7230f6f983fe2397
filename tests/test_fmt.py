"""``onnxtext fmt``: canonical form (what dump writes), comments kept with their elements or refused."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from click.testing import CliRunner
from onnx import TensorProto, helper, numpy_helper

from onnxtext import api, text
from onnxtext.base.errors import OnnxTextError
from onnxtext.cli import main
from onnxtext.fmt import format_file, starts_like_document
from onnxtext.roundtrip.layout import FORMAT_VERSION
from onnxtext.text import comments, json_parse, yaml_parse

SQUEEZENET = Path(__file__).resolve().parent.parent / "samples" / "squeezenet.onnx"
SILERO = SQUEEZENET.with_name("silero_vad.onnx")

# A hand-edited document: block-style attributes, keys out of order, odd spacing, comments everywhere.
EDITED = """\
# a tiny model, edited by hand
onnxtext: 2
ir_version: 8
opset_import:
  '': 17
graph:
  name: g
  inputs:
  - name: x
    type: "float32[N, 4]"     # N is the batch
  outputs:
  - {name: y, type: 'float32[N,4]'}
  nodes:
  # first the activation
  - name: act
    op_type: LeakyRelu
    inputs: [ x ]
    outputs: [h]
    attributes:
      alpha: 0.25            # was 0.1
  - op_type: Neg
    name: neg
    doc_string: 'see #12 (not a comment)'
    inputs: [h]
    outputs: [y]
# the end
"""


def write(tmp_path: Path, name: str, document: str) -> Path:
    path = tmp_path / name
    path.write_text(document, encoding="utf-8")
    return path


def test_fmt_writes_exactly_what_dump_writes_for_the_rebuilt_model(tmp_path: Path) -> None:
    doc = write(tmp_path, "m.yaml", re.sub(r" *#(?! ?12).*", "", EDITED))  # the edits without comments
    assert format_file(doc) is True
    api.build(doc, tmp_path / "m.onnx")
    api.dump(tmp_path / "m.onnx", tmp_path / "dumped.yaml")
    assert doc.read_bytes() == (tmp_path / "dumped.yaml").read_bytes()
    assert format_file(doc) is False  # canonical already


def test_comments_stay_with_their_elements(tmp_path: Path) -> None:
    doc = write(tmp_path, "m.yaml", EDITED)
    model = api.load(doc)
    assert format_file(doc) is True
    result = doc.read_text()
    assert api.load(doc) == model
    lines = result.splitlines()
    assert lines[0] == "# a tiny model, edited by hand" and lines[1] == f"onnxtext: {FORMAT_VERSION}"
    assert lines[-1] == "# the end"
    (typed,) = [line for line in lines if "# N is the batch" in line]
    assert typed.startswith("    - {name: x, type: 'float32[N,4]'}")  # the value info's line
    first = lines.index("    # first the activation")
    assert lines[first + 1] == "    - op_type: LeakyRelu"
    (alpha,) = [line for line in lines if "# was 0.1" in line]
    assert alpha.strip() == "attributes: {alpha: 0.25}  # was 0.1"
    assert "#12" in result and len(text.parse_commented(result, "yaml")[1]) == 5
    assert format_file(doc) is False  # idempotent: the comments found their places


def test_a_comment_without_a_place_is_refused_with_its_line(tmp_path: Path) -> None:
    long_form = EDITED.replace(
        '    type: "float32[N, 4]"     # N is the batch\n',
        "    type:\n      tensor_type:\n        elem_type: float32\n        shape:\n"
        "          dim: [{dim_param: N}, {dim_value: 4}]   # N is the batch\n",
    )
    doc = write(tmp_path, "m.yaml", long_form)
    with pytest.raises(OnnxTextError) as caught:
        format_file(doc)
    err = caught.value
    assert (err.code, err.file, err.line) == ("E701", str(doc), 14)
    assert "N is the batch" in err.message and "graph.inputs[0].type.tensor_type.shape.dim" in err.message
    assert doc.read_text() == long_form  # untouched


# Format 1 wrapped a graph attribute in {type: GRAPH, g: ...}: paths inside gain a "g".
VERSION_1 = """\
onnxtext: 1
ir_version: 8
opset_import: {'': 17}
graph:
  name: g
  inputs:
  - name: c
    type: bool[]
  - name: x
    type: float32[2]
  outputs:
  - name: y
    type: float32[2]
  nodes:
  - op_type: If
    name: if
    inputs: [c]
    outputs: [y]
    attributes:
      then_branch:
        type: GRAPH
        g:
          name: then
          outputs:
          - name: t
            type: float32[2]
          nodes:
          # doubles x
          - op_type: Add
            inputs: [x, x]
            outputs: [t]
      else_branch:
        type: GRAPH
        g:
          name: else
          outputs:
          - name: e
            type: float32[2]
          nodes:
          - op_type: Identity
            inputs: [x]
            outputs: [e]
"""


def test_a_version_1_document_is_converted_and_keeps_its_comments(tmp_path: Path) -> None:
    doc = write(tmp_path, "old.yaml", VERSION_1)
    model = api.load(doc)
    assert format_file(doc) is True
    result = doc.read_text()
    assert result.startswith(f"onnxtext: {FORMAT_VERSION}\n")
    assert api.load(doc) == model
    assert result == re.sub(
        r"(?m)^( *)- op_type: Add", r"\1# doubles x\n\1- op_type: Add", api.dumps(model, "yaml")
    )
    lines = result.splitlines()
    comment = lines.index(next(line for line in lines if line.strip() == "# doubles x"))
    assert lines[comment + 1].strip() == "- op_type: Add"


def weights_model(name: str = "w") -> onnx.ModelProto:
    w = numpy_helper.from_array(np.arange(512, dtype=np.float32).reshape(128, 4), name)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", name], ["y"], name="mm")],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 128])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        initializer=[w],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_a_renamed_tensor_keeps_its_sidecar(tmp_path: Path) -> None:
    doc = tmp_path / "m.yaml"
    api.dump(weights_model(), doc)
    (sidecar,) = (tmp_path / "m.tensors").iterdir()  # named by its content, not by the tensor
    edited = doc.read_text().replace("[x, w]", "[x, weight]").replace("name: w,", "name: weight,")
    doc.write_text(edited)
    assert format_file(doc) is False  # a rename is already canonical: the path holds no name
    assert [p.name for p in (tmp_path / "m.tensors").iterdir()] == [sidecar.name]
    assert f"npy: m.tensors/{sidecar.name}" in doc.read_text()
    assert api.load(doc) == weights_model("weight")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.tensors", "m.yaml"]  # no staging left


def test_json_documents(tmp_path: Path) -> None:
    doc = tmp_path / "s.json"
    api.dump(SQUEEZENET, doc)
    canonical = doc.read_text()
    doc.write_text(canonical.replace("\n", "\n  ").replace(": ", ":   "))
    assert format_file(doc) is True
    assert doc.read_text() == canonical


def test_a_broken_document_is_reported_at_its_line(tmp_path: Path) -> None:
    doc = write(tmp_path, "bad.yaml", EDITED.replace("op_type: Neg", "op_tpye: Neg"))
    with pytest.raises(OnnxTextError) as caught:
        format_file(doc)
    assert (caught.value.code, caught.value.line) == ("E201", 21)


def test_starts_like_document(tmp_path: Path) -> None:
    assert starts_like_document(write(tmp_path, "a.yaml", EDITED))
    assert starts_like_document(write(tmp_path, "a.json", '{\n  "onnxtext": 2,\n  "graph": {}\n}\n'))
    assert not starts_like_document(write(tmp_path, "ci.yaml", "jobs:\n  test: {runs-on: linux}\n"))
    assert not starts_like_document(write(tmp_path, "package.json", '{"name": "x"}'))


def test_cli_check_names_the_files_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    api.dump(SQUEEZENET, tmp_path / "clean.yaml")
    write(tmp_path, "edited.yaml", EDITED)
    write(tmp_path, "other.yaml", "name: not a model\n")
    runner = CliRunner()
    check = runner.invoke(
        main, ["fmt", "--check", "--only-documents", "clean.yaml", "edited.yaml", "other.yaml"]
    )
    assert (check.exit_code, check.stdout) == (1, "would reformat edited.yaml\n")
    assert (tmp_path / "edited.yaml").read_text() == EDITED
    run = runner.invoke(main, ["fmt", "edited.yaml", "clean.yaml"])
    assert (run.exit_code, run.stdout) == (0, "reformatted edited.yaml\n")
    again = runner.invoke(main, ["fmt", "--check", "edited.yaml", "clean.yaml"])
    assert (again.exit_code, again.stdout) == (0, "")
    write(tmp_path, "notes.txt", "text\n")
    broken = runner.invoke(main, ["fmt", "other.yaml", "notes.txt", "edited.yaml"])
    assert broken.exit_code == 1 and broken.stdout == ""
    first, second = broken.stderr.splitlines()[::2]
    assert first.startswith("other.yaml:1:1: error E201") and second.startswith("notes.txt: error E502")


def test_external_data_folder_is_kept(tmp_path: Path) -> None:
    models, docs = tmp_path / "models", tmp_path / "docs"
    models.mkdir()
    onnx.save(weights_model(), models / "m.onnx", save_as_external_data=True, size_threshold=0)
    for fmt in ("yaml", "json"):
        doc = docs / f"m.{fmt}"
        api.dump(models / "m.onnx", doc)
        canonical = doc.read_text()
        assert "external_data_dir" in canonical
        doc.write_text(re.sub('(ir_version"?:) ', r"\1     ", canonical))
        assert format_file(doc) is True
        assert doc.read_text() == canonical
        api.build(doc, tmp_path / f"out-{fmt}" / "m.onnx")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_fmt_reads_the_file_once_and_each_text_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """silero-vad's dump (sidecars, If bodies), hand-edited: every call of the text layer's readers
    is counted by the text it reads, and every file read by its path."""
    doc = tmp_path / f"vad.{fmt}"
    api.dump(SILERO, doc)
    edited = doc.read_text().replace("\n", "\n# looked at\n", 3) if fmt == "yaml" else doc.read_text()
    doc.write_text(
        edited.replace("ir_version: ", "ir_version:   ").replace('"ir_version": ', '"ir_version":  ')
    )
    original = doc.read_text()
    walks: Counter[str] = Counter()
    for module, name in [
        (yaml_parse, "parse_yaml"),
        (yaml_parse, "locate_yaml"),
        (json_parse, "parse_json"),
        (json_parse, "locate_json"),
        (comments, "parse_commented_yaml"),
        (comments, "scan_yaml_comments"),
    ]:
        real = getattr(module, name)
        monkeypatch.setattr(module, name, functools.partial(_counted, real, walks))
    reads: Counter[str] = Counter()
    real_read = Path.read_text
    monkeypatch.setattr(
        Path, "read_text", lambda self, *a, **k: reads.update([str(self)]) or real_read(self, *a, **k)
    )

    assert format_file(doc) is True
    assert reads[str(doc)] == 1
    assert walks[original] == 1
    assert set(walks.values()) == {1}  # the canonical text, and the result with the comments, once each
    assert len(walks) == (3 if fmt == "yaml" else 1)
    result = real_read(doc)
    assert result.count("# looked at") == (3 if fmt == "yaml" else 0)
    assert api.load(doc) == onnx.load(str(SILERO))


def _counted(real: Callable[..., Any], walks: Counter[str], text: str, *args: Any, **kwargs: Any) -> Any:
    walks[text] += 1
    return real(text, *args, **kwargs)
