"""The surgery commands as a user runs them: .onnx and documents in, the right kind out, clean failures."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import onnx
import pytest

import onnxtext
from tests.models import ONNX_DATA
from tests.surgery.helpers import chain_model, cli, names_of, run

SQUEEZENET = ONNX_DATA / "light" / "light_squeezenet.onnx"
X = np.array([[1.0, -2.0, 3.0]], np.float32)


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    path = tmp_path / "chain.onnx"
    onnx.save(chain_model(), path)
    return path


@pytest.fixture
def chain_doc(tmp_path: Path) -> Path:
    path = tmp_path / "chain.yaml"
    onnxtext.dump(chain_model(), path)
    return path


def test_extract_onnx_to_onnx(chain: Path, tmp_path: Path) -> None:
    code, out = cli("extract", str(chain), "--outputs", "a", "-o", str(tmp_path / "cut.onnx"))
    assert code == 0, out
    cut = onnx.load(tmp_path / "cut.onnx")
    np.testing.assert_array_equal(run(cut, {"x": X})["a"], np.maximum(X, 0))


def test_a_document_in_gives_a_canonical_document_out(chain_doc: Path, tmp_path: Path) -> None:
    target = tmp_path / "cut.yaml"
    code, out = cli("extract", str(chain_doc), "--inputs", "a", "--outputs", "b", "-o", str(target))
    assert code == 0, out
    model = onnxtext.load(target)
    assert names_of(model.graph.input) == ["a"]
    assert target.read_text() == onnxtext.dumps(model)


@pytest.mark.parametrize(
    ("args", "code", "expect"),
    [
        (["extract", "{m}", "--outputs", "nope", "-o", "{out}"], 1, "E601"),
        (["extract", "{m}", "--outputs", "y", "-o", "{m}"], 2, "overwrite the input"),
        (["extract", "{m}", "--outputs", "y", "-o", "{dir}/x.txt"], 2, "cannot tell"),
        (["rename", "^a$", "b", "{m}", "-o", "{out}"], 1, "E602"),
        (["rename", "^a$", "c", "{m}"], 2, "-o OUTPUT or --in-place"),
        (["rename", "(", "c", "{m}", "-o", "{out}"], 1, "bad pattern"),
        (["merge", "{m}", "{m}", "-o", "{out}"], 1, "E604"),
        (["merge", "{m}", "{m}", "-o", "{out}", "--prefix-b", "b/", "--connect", "y"], 2, "OUT_OF_A:IN_OF_B"),
        (["merge", "{m}", "{m}", "-o", "{out}", "--prefix-b", "b/", "--connect", "q:x"], 1, "E601"),
        (["build", "{doc}", "-o", "{out}", "--opset", "999"], 1, "E603"),
        (["compare", "{m}", "{m}", "--dim", "N"], 2, "NAME=SIZE"),
    ],
)
def test_bad_arguments_end_in_one_clear_error_and_no_output(
    args: list[str], code: int, expect: str, chain: Path, chain_doc: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.onnx"
    paths = {"m": str(chain), "doc": str(chain_doc), "out": str(out), "dir": str(tmp_path)}
    got, output = cli(*(a.format(**paths) for a in args))
    assert got == code and expect in output, output
    assert "Traceback" not in output and not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chain.onnx", "chain.yaml"]


def test_rename_dry_run_writes_nothing_and_in_place_rewrites_the_document(chain_doc: Path) -> None:
    before = chain_doc.read_text()
    code, out = cli("rename", "^x$", "pixels", str(chain_doc), "--scope", "inputs", "--dry-run")
    assert code == 0 and "x -> pixels  (3 places)" in out
    assert chain_doc.read_text() == before
    code, out = cli("rename", "^x$", "pixels", str(chain_doc), "--scope", "inputs", "--in-place")
    assert code == 0, out
    assert run(onnxtext.load(chain_doc), {"pixels": X})["y"].shape == (1, 3)


def test_rename_matching_nothing_keeps_the_bytes(tmp_path: Path) -> None:
    code, out = cli("rename", "^zzz$", "q", str(SQUEEZENET), "-o", str(tmp_path / "same.onnx"))
    assert code == 0 and "nothing matches" in out
    assert (tmp_path / "same.onnx").read_bytes() == onnx.load(SQUEEZENET).SerializeToString()


def test_merge_and_summary_json(chain: Path, tmp_path: Path) -> None:
    target = tmp_path / "both.onnx"
    code, out = cli(
        "merge", str(chain), str(chain), "-o", str(target), "--prefix-b", "b/", "--connect", "y:x"
    )
    assert code == 0, out
    code, out = cli("summary", str(target), "--format", "json")
    facts = json.loads(out)
    assert facts["inputs"] == {"x": "float32[N,3]"} and facts["outputs"] == {"b/y": "float32[N,3]"}
    assert facts["ops"]["ai.onnx"]["Relu"] == 2


def test_compare_exit_codes_dims_and_inputs(chain: Path, tmp_path: Path) -> None:
    assert cli("compare", str(chain), str(chain), "--dim", "N=4")[0] == 0
    other = chain_model()
    other.graph.node[2].op_type = "Relu"
    onnx.save(other, tmp_path / "other.onnx")
    np.save(tmp_path / "x.npy", X)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    np.save(inputs / "x.npy", X)
    code, out = cli("compare", str(chain), str(tmp_path / "other.onnx"), "--inputs", str(inputs))
    assert code == 1 and "y: DIFFERENT (max abs 3" in out
    code, out = cli(
        "compare", str(chain), str(tmp_path / "other.onnx"), "--format", "json", "--runner", "reference"
    )
    assert json.loads(out)["runner"] == "reference"


def test_build_options(chain_doc: Path, tmp_path: Path) -> None:
    target = tmp_path / "built.onnx"
    code, out = cli(
        "build", str(chain_doc), "-o", str(target), "--prune", "--dedupe", "--opset", "18", "--infer-shapes"
    )
    assert code == 0, out
    assert "dedupe: 0 duplicate tensors merged" in out
    model = onnx.load(target)
    assert len(model.graph.node) == 3 and model.opset_import[0].version == 18
    assert {"a", "b"} <= set(names_of(model.graph.value_info))


def test_dump_options(tmp_path: Path) -> None:
    model = chain_model()
    model.doc_string = "a long story"
    onnx.save(model, tmp_path / "doc.onnx")
    code, out = cli("dump", str(tmp_path / "doc.onnx"), "--strip-doc", "--infer-shapes")
    assert code == 0 and "a long story" not in out and "name: a" in out
    code, out = cli("dump", str(tmp_path / "doc.onnx"), "-o", str(tmp_path / "doc.yaml"), "--strip-doc")
    assert code == 0 and "a long story" not in (tmp_path / "doc.yaml").read_text()


def test_external_data_follows_the_output_to_another_folder(tmp_path: Path) -> None:
    model = onnx.load(SQUEEZENET)
    onnx.save(model, tmp_path / "ext.onnx", save_as_external_data=True, location="ext.data", size_threshold=0)
    name = next(n.output[0] for n in model.graph.node if n.op_type == "Concat")
    target = tmp_path / "elsewhere" / "cut.onnx"
    code, out = cli("extract", str(tmp_path / "ext.onnx"), "--outputs", name, "-o", str(target))
    assert code == 0, out
    assert (target.parent / "ext.data").exists()
    feeds = {"data_0": np.random.default_rng(0).random((1, 3, 224, 224), np.float32)}
    assert run(onnx.load(target), feeds)[name].shape == (1, 128, 55, 55)
    code, out = cli("summary", str(tmp_path / "ext.onnx"))
    assert code == 0 and "float32: 640 in 13 tensors" in out


def _with_external_weight(folder: Path, value: float, name: str = "m.onnx") -> Path:
    """y = x + w with w (1,024 floats) in the data file ``m.data`` beside the model: two such models
    in two folders name the same data file."""
    w = onnx.numpy_helper.from_array(np.full(1024, value, np.float32), "w")
    graph = onnx.helper.make_graph(
        [onnx.helper.make_node("Add", ["x", "w"], ["y"])],
        "g",
        [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1024])],
        [onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1024])],
        [w],
    )
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 17)])
    folder.mkdir()
    onnx.save(model, folder / name, save_as_external_data=True, location="m.data", size_threshold=0)
    return folder / name


@pytest.mark.parametrize("suffix", [".onnx", ".yaml"])
def test_merge_of_models_with_external_data_of_the_same_name(tmp_path: Path, suffix: str) -> None:
    a = _with_external_weight(tmp_path / "a", 1.0)
    b = _with_external_weight(tmp_path / "b", 2.0)
    target = tmp_path / "out" / f"merged{suffix}"
    code, out = cli("merge", str(a), str(b), "-o", str(target), "--prefix-a", "a_", "--prefix-b", "b_")
    assert code == 0, out
    if suffix == ".onnx":
        data = tmp_path / "out" / "merged.onnx.data"
        assert data.is_file() and data.stat().st_mode & 0o777 == target.stat().st_mode & 0o777 == 0o644
        onnx.checker.check_model(str(target), full_check=True)
        merged = onnx.load(target)
    else:
        merged = onnxtext.load(target)
    x = np.arange(1024, dtype=np.float32)
    outputs = run(merged, {"x": x})  # both read x: one shared input
    np.testing.assert_array_equal(outputs["a_y"], x + 1)
    np.testing.assert_array_equal(outputs["b_y"], x + 2)


def test_merge_says_which_model_lacks_its_data_file(tmp_path: Path) -> None:
    a = _with_external_weight(tmp_path / "a", 1.0)
    (tmp_path / "a" / "m.data").unlink()
    target = tmp_path / "merged.onnx"
    code, out = cli("merge", str(a), str(a), "-o", str(target), "--prefix-a", "a_", "--prefix-b", "b_")
    assert code == 1
    assert f"{a}: error E502 cannot read the external data of {a}" in out
    assert not target.exists() and not (tmp_path / "merged.onnx.data").exists()


def _external_copy(model: Path, folder: Path) -> Path:
    folder.mkdir()
    onnx.save(
        onnx.load(model), folder / "m.onnx", save_as_external_data=True, location="m.data", size_threshold=0
    )
    return folder / "m.onnx"


def _merged_twice(model: Path, tmp_path: Path, umask: int) -> Path:
    a, b = _external_copy(model, tmp_path / "a"), _external_copy(model, tmp_path / "b")
    target = tmp_path / "out" / "both.onnx"
    old = os.umask(umask)
    try:
        code, out = cli("merge", str(a), str(b), "-o", str(target), "--prefix-a", "a_", "--prefix-b", "b_")
    finally:
        os.umask(old)
    assert code == 0, out
    return target


def test_merge_writes_its_data_file_with_the_mode_of_the_model(tmp_path: Path) -> None:
    conv = ONNX_DATA / "pytorch-operator" / "test_operator_conv" / "model.onnx"  # a torch export
    target = _merged_twice(conv, tmp_path, 0o027)
    data = target.with_name("both.onnx.data")
    assert data.stat().st_mode & 0o777 == target.stat().st_mode & 0o777 == 0o640
    x = np.random.default_rng(0).random((20, 16, 50, 40), np.float32)
    want = run(onnx.load(conv), {"0": x})
    got = run(onnx.load(target), {"0": x})
    for name, value in want.items():
        np.testing.assert_array_equal(got[f"a_{name}"], value)
        np.testing.assert_array_equal(got[f"b_{name}"], value)


def test_merge_of_models_whose_external_tensors_are_all_small_writes_no_data_file(tmp_path: Path) -> None:
    target = _merged_twice(SQUEEZENET, tmp_path, 0o022)
    assert sorted(p.name for p in target.parent.iterdir()) == ["both.onnx"]
    image = np.random.default_rng(0).random((1, 3, 224, 224), np.float32)
    got = run(onnx.load(target), {"data_0": image})
    np.testing.assert_array_equal(got["a_softmaxout_1"], got["b_softmaxout_1"])
