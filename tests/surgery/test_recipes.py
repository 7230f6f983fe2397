"""Every recipe page of samples/recipes/, executed as written, on real models.

A page's ```bash blocks run in order in a scratch folder holding the models the page names; a ```yaml block
whose info string names a file must appear, line for line, in that file at that point of the page.  Then
the edited document lints without any finding the unedited document did not have, and the model the page
built runs in onnxruntime with the change the page promises.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import pytest
from click.testing import CliRunner
from onnx import TensorProto, helper, numpy_helper

from onnxtext.cli import main
from onnxtext.surgery.parity import run as run_with
from tests.models import ONNX_DATA, conformance_cases
from tests.surgery.helpers import names_of, run

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "samples" / "recipes"
FENCE = re.compile(r"^```(\w*)[ \t]*(\S*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
RNG = np.random.default_rng(0)


# ---- the models the pages start from -------------------------------------------------------------------


def squeezenet(folder: Path) -> None:
    shutil.copy(ROOT / "samples" / "squeezenet.onnx", folder / "squeezenet.onnx")


def silero(folder: Path) -> None:
    shutil.copy(ROOT / "samples" / "silero_vad.onnx", folder / "silero_vad.onnx")


def conv(folder: Path) -> None:
    shutil.copy(ONNX_DATA / "pytorch-converted" / "test_Conv2d" / "model.onnx", folder / "conv.onnx")


@functools.cache
def sklearn_models() -> dict[str, bytes]:
    """The iris data set fitted by a scaled logistic regression and a decision tree, exported by skl2onnx."""
    pytest.importorskip("skl2onnx")
    from skl2onnx import to_onnx
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    x, y = load_iris(return_X_y=True)
    x = x.astype(np.float32)
    opsets = {"": 17, "ai.onnx.ml": 3}
    logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(x, y)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(x, y)
    return {
        "iris": to_onnx(logistic, x[:1], target_opset=opsets).SerializeToString(),
        "tree": to_onnx(tree, x[:1], target_opset=opsets).SerializeToString(),
    }


def iris(folder: Path) -> None:
    (folder / "iris.onnx").write_bytes(sklearn_models()["iris"])


def iris_and_tree(folder: Path) -> None:
    iris(folder)
    (folder / "tree.onnx").write_bytes(sklearn_models()["tree"])


def iris_with_notes(folder: Path) -> None:
    """The iris model as some exporters leave it: doc strings on the model and nodes, metadata."""
    model = onnx.load_from_string(sklearn_models()["iris"])
    model.doc_string = "trained on /home/someone/data/iris.csv"
    for node in model.graph.node:
        node.doc_string = f"File 'train.py', line 12, in fit ({node.op_type})"
    helper.set_model_props(model, {"git_commit": "0123abc", "author": "someone"})
    onnx.save(model, folder / "iris.onnx")


def _case_with_constants(name: str, constants: dict[str, np.ndarray]) -> onnx.ModelProto:
    """A conformance case whose named inputs become initializers holding the given values."""
    model = next(case.model for case in conformance_cases() if case.name == name)
    model = onnx.load_from_string(model.SerializeToString())
    kept = [v for v in model.graph.input if v.name not in constants]
    del model.graph.input[:]
    model.graph.input.extend(kept)
    model.graph.initializer.extend(numpy_helper.from_array(value, name) for name, value in constants.items())
    return model


NMS_BOXES = np.array(
    [[[0.0, 0.0, 1.0, 1.0], [0.0, 0.1, 1.0, 1.1], [0.0, -0.1, 1.0, 0.9], [0.0, 10.0, 1.0, 11.0],
      [0.0, 10.1, 1.0, 11.1], [0.0, 100.0, 1.0, 101.0]]], np.float32,
)  # fmt: skip
NMS_SCORES = np.array([[[0.9, 0.75, 0.6, 0.95, 0.5, 0.3]]], np.float32)


def nms_and_reshape(folder: Path) -> None:
    nms = _case_with_constants(
        "test_nonmaxsuppression_suppress_by_IOU_and_scores",
        {
            "max_output_boxes_per_class": np.array([10], np.int64),
            "iou_threshold": np.array([0.5], np.float32),
            "score_threshold": np.array([-np.inf], np.float32),
        },
    )
    onnx.save(nms, folder / "nms.onnx")
    reshape = _case_with_constants("test_reshape_negative_dim", {"shape": np.array([2, -1, 2], np.int64)})
    onnx.save(reshape, folder / "reshape.onnx")


def conv_iris_and_relu(folder: Path) -> None:
    conv(folder)
    iris_and_tree(folder)
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")],
        "relu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4, 5, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4, 5, 4])],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), folder / "relu.onnx")


# ---- what each page promises -----------------------------------------------------------------------------

IMAGE = RNG.random((1, 3, 224, 224), np.float32)
CONV_X = RNG.standard_normal((2, 3, 7, 5)).astype(np.float32)
IRIS_X = RNG.uniform(0, 7, (16, 4)).astype(np.float32)


def load(folder: Path, name: str) -> onnx.ModelProto:
    return onnx.load(folder / name)


def with_output(model: onnx.ModelProto, name: str) -> onnx.ModelProto:
    """``model`` also returning the intermediate value ``name`` (what the original computes there)."""
    copy = onnx.load_from_string(model.SerializeToString())
    copy.graph.output.append(helper.make_empty_tensor_value_info(name))
    copy.graph.output[-1].type.tensor_type.elem_type = TensorProto.FLOAT
    return copy


def check_dynamic_batch(folder: Path) -> None:
    batch = np.repeat(IMAGE, 4, axis=0)
    assert run(load(folder, "squeezenet-dynamic.onnx"), {"data_0": batch})["softmaxout_1"].shape == (
        4,
        1000,
        1,
        1,
    )
    with pytest.raises(Exception, match="data_0"):
        run(load(folder, "squeezenet.onnx"), {"data_0": batch})


def check_extract(folder: Path) -> None:
    original = load(folder, "squeezenet.onnx")
    expected = run(with_output(original, "r30"), {"data_0": IMAGE})["r30"]
    trunk = load(folder, "trunk.onnx")
    assert len(trunk.graph.node) < len(original.graph.node) and names_of(trunk.graph.output) == ["r30"]
    np.testing.assert_array_equal(run(trunk, {"data_0": IMAGE})["r30"], expected)
    middle = load(folder, "middle.onnx")
    onnx.checker.check_model(middle, full_check=True)  # IR 3: its weights stay inputs too
    weights = {t.name for t in middle.graph.initializer}
    assert [name for name in names_of(middle.graph.input) if name not in weights] == ["r16"]
    assert names_of(middle.graph.output) == ["r30"]
    r16 = run(with_output(original, "r16"), {"data_0": IMAGE})["r16"]
    np.testing.assert_array_equal(run(middle, {"r16": r16})["r30"], expected)


def check_outputs(folder: Path) -> None:
    original = load(folder, "squeezenet.onnx")
    got = run(load(folder, "squeezenet-debug.onnx"), {"data_0": IMAGE})
    want = run(with_output(original, "r30"), {"data_0": IMAGE})
    assert list(got) == ["r30", "softmaxout_1"]
    np.testing.assert_array_equal(got["r30"], want["r30"])
    kept = load(folder, "iris-probabilities.onnx")
    assert names_of(kept.graph.output) == ["output_probability"]
    assert "Cast" not in [n.op_type for n in kept.graph.node]
    assert (
        run(kept, {"X": IRIS_X})["output_probability"]
        == run(load(folder, "iris.onnx"), {"X": IRIS_X})["output_probability"]
    )


def check_delete_node(folder: Path) -> None:
    edited = load(folder, "iris-tensor.onnx")
    assert "ZipMap" not in [n.op_type for n in edited.graph.node]
    probabilities = run(edited, {"X": IRIS_X})["probabilities"]
    dicts = run(load(folder, "iris.onnx"), {"X": IRIS_X})["output_probability"]
    np.testing.assert_array_equal(probabilities, [[row[k] for k in sorted(row)] for row in dicts])


def check_add_node(folder: Path) -> None:
    before = run(load(folder, "conv.onnx"), {"0": CONV_X})["3"]
    after = run(load(folder, "conv-relu.onnx"), {"0": CONV_X})["3"]
    assert before.min() < 0
    np.testing.assert_array_equal(after, np.maximum(before, 0))


def check_rewire(folder: Path) -> None:
    edited = load(folder, "squeezenet-nodropout.onnx")
    assert "Dropout" not in [n.op_type for n in edited.graph.node]
    conv10 = next(n for n in edited.graph.node if n.name == "n62")
    assert conv10.input[0] == "r60"
    before = run(load(folder, "squeezenet.onnx"), {"data_0": IMAGE})["softmaxout_1"]
    np.testing.assert_array_equal(run(edited, {"data_0": IMAGE})["softmaxout_1"], before)


def check_attributes(folder: Path) -> None:
    before = run(load(folder, "iris.onnx"), {"X": IRIS_X})["output_probability"]
    after = run(load(folder, "iris-max.onnx"), {"X": IRIS_X})["output_probability"]
    for old, new in zip(before, after, strict=True):
        top = max(old.values())
        assert new == pytest.approx({k: v / top for k, v in old.items()}, rel=1e-5)


def check_constants(folder: Path) -> None:
    feeds = {"boxes": NMS_BOXES, "scores": NMS_SCORES}
    loose = run(load(folder, "nms.onnx"), feeds)["selected_indices"]
    strict = run(load(folder, "nms-strict.onnx"), feeds)["selected_indices"]
    assert len(strict) < len(loose)
    assert set(strict[:, 2]) == {i for i in loose[:, 2] if NMS_SCORES[0, 0, i] > 0.5}
    data = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    explicit = load(folder, "reshape-explicit.onnx")
    assert -1 not in numpy_helper.to_array(explicit.graph.initializer[0])
    np.testing.assert_array_equal(run(explicit, {"data": data})["reshaped"], data.reshape(2, 6, 2))


def check_rename(folder: Path) -> None:
    renamed = load(folder, "iris-renamed.onnx")
    assert names_of(renamed.graph.output) == ["class_id", "output_probability"]
    assert all(n.name.startswith("iris/") for n in renamed.graph.node)
    got = run(renamed, {"X": IRIS_X})["class_id"]
    np.testing.assert_array_equal(got, run(load(folder, "iris.onnx"), {"X": IRIS_X})["output_label"])


def check_rename_dims(folder: Path) -> None:
    text = (folder / "vad.yaml").read_text()
    assert "unk__" not in text and "dyn0" in text
    _same_outputs(load(folder, "silero_vad.onnx"), load(folder, "vad-dims.onnx"), VAD_FEEDS)


VAD_FEEDS = {
    "input": RNG.standard_normal((1, 512)).astype(np.float32),
    "state": np.zeros((2, 1, 128), np.float32),
    "sr": np.array(16000, np.int64),
}


def _same_outputs(a: onnx.ModelProto, b: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> None:
    want, got = run(a, feeds), run(b, feeds)
    assert list(got) == list(want)
    for name in want:
        np.testing.assert_array_equal(got[name], want[name])


def check_opset(folder: Path) -> None:
    converted = load(folder, "conv-13.onnx")
    assert [(o.domain, o.version) for o in converted.opset_import] == [("", 13)]
    assert converted.ir_version == 7  # what opset 13 needs (onnx 1.8); the converter kept 3
    # at IR 7 onnxruntime takes the weights (inputs too) as overridable: another kernel path, last-bit changes
    want = run(load(folder, "conv.onnx"), {"0": CONV_X})["3"]
    np.testing.assert_allclose(run(converted, {"0": CONV_X})["3"], want, rtol=1e-6, atol=1e-6)


def check_nhwc(folder: Path) -> None:
    want = run(load(folder, "conv.onnx"), {"0": CONV_X})["3"]
    got = run(load(folder, "conv-nhwc.onnx"), {"image_nhwc": CONV_X.transpose(0, 2, 3, 1)})["3"]
    np.testing.assert_array_equal(got, want)


def check_bgr_rgb(folder: Path) -> None:
    bgr = CONV_X
    want = run(load(folder, "conv.onnx"), {"0": bgr[:, ::-1].copy()})["3"]
    np.testing.assert_array_equal(run(load(folder, "conv-bgr.onnx"), {"image_bgr": bgr})["3"], want)


def check_infer_shapes(folder: Path) -> None:
    shaped, again = load(folder, "squeezenet-shaped.onnx"), load(folder, "squeezenet-again.onnx")
    assert len(shaped.graph.value_info) > 60
    assert again.SerializeToString() == shaped.SerializeToString()
    _same_outputs(load(folder, "squeezenet.onnx"), shaped, {"data_0": IMAGE})


def check_dedupe(folder: Path) -> None:
    small = load(folder, "vad-small.onnx")
    assert (folder / "vad-small.onnx").stat().st_size < (folder / "silero_vad.onnx").stat().st_size
    onnx.checker.check_model(small, full_check=True)
    _same_outputs(load(folder, "silero_vad.onnx"), small, VAD_FEEDS)


def check_base64(folder: Path) -> None:
    assert "values:" not in (folder / "iris.json").read_text()
    assert (folder / "iris-from-base64.onnx").read_bytes() == (folder / "iris.onnx").read_bytes()


def check_name_nodes(folder: Path) -> None:
    named = load(folder, "squeezenet-named.onnx")
    names = [n.name for n in named.graph.node]
    assert all(names) and len(set(names)) == len(names)
    _same_outputs(load(folder, "squeezenet.onnx"), named, {"data_0": IMAGE})


def check_strip_doc(folder: Path) -> None:
    clean = load(folder, "iris-clean.onnx")
    assert not clean.doc_string and not clean.metadata_props
    assert not any(n.doc_string for n in clean.graph.node)
    assert "someone" not in (folder / "iris.yaml").read_text()
    want = run(load(folder, "iris.onnx"), {"X": IRIS_X})
    assert run(clean, {"X": IRIS_X})["output_probability"] == want["output_probability"]


def check_summary(folder: Path) -> None:
    facts = json.loads((folder / "vad-summary.json").read_text())
    assert facts["nodes"] == 689 and facts["subgraphs"] == 50 and facts["ops"]["ai.onnx"]["If"] == 25
    assert facts["parameters"]["in_constant_nodes"]["tensors"] == facts["ops"]["ai.onnx"]["Constant"] == 341


def check_merge(folder: Path) -> None:
    both = load(folder, "both.onnx")
    assert names_of(both.graph.input) == ["X"]
    got = run(both, {"X": IRIS_X})
    for prefix, name in (("lr/", "iris.onnx"), ("tree/", "tree.onnx")):
        own = run(load(folder, name), {"X": IRIS_X})
        np.testing.assert_array_equal(got[prefix + "output_label"], own["output_label"])
        assert got[prefix + "output_probability"] == own["output_probability"]
    chained = run(load(folder, "conv-relu.onnx"), {"0": CONV_X})["post/y"]
    want = np.maximum(run(load(folder, "conv.onnx"), {"0": CONV_X})["3"], 0)
    np.testing.assert_allclose(chained, want, rtol=1e-5, atol=1e-6)  # conv.onnx was converted up to opset 13


def check_compare(folder: Path) -> None:
    report = json.loads((folder / "report.json").read_text())
    assert report["equal"] and [o["name"] for o in report["outputs"]] == ["3"]
    assert run_with(load(folder, "conv-13.onnx"), {"0": CONV_X}, "reference")["3"].shape == (2, 4, 5, 4)


# page -> (put its models in the folder, check the result); PRUNED pages leave dead nodes for --prune.
PAGES: dict[str, tuple[Callable[[Path], None], Callable[[Path], None]]] = {
    "dynamic-batch": (squeezenet, check_dynamic_batch),
    "extract": (squeezenet, check_extract),
    "outputs": (lambda f: (squeezenet(f), iris(f)), check_outputs),
    "delete-node": (iris, check_delete_node),
    "add-node": (conv, check_add_node),
    "rewire": (squeezenet, check_rewire),
    "attributes": (iris, check_attributes),
    "constants": (nms_and_reshape, check_constants),
    "rename": (iris, check_rename),
    "rename-dims": (silero, check_rename_dims),
    "opset": (conv, check_opset),
    "nhwc": (conv, check_nhwc),
    "bgr-rgb": (conv, check_bgr_rgb),
    "infer-shapes": (squeezenet, check_infer_shapes),
    "dedupe": (silero, check_dedupe),
    "base64": (lambda f: (iris(f), silero(f)), check_base64),
    "name-nodes": (squeezenet, check_name_nodes),
    "strip-doc": (iris_with_notes, check_strip_doc),
    "summary": (silero, check_summary),
    "merge": (conv_iris_and_relu, check_merge),
    "compare": (conv, check_compare),
}
PRUNED = {"extract", "outputs", "rewire"}  # lint rightly reports R206 dead-node until --prune drops it


# ---- running a page ----------------------------------------------------------------------------------------


def test_every_page_has_a_test_and_every_test_a_page() -> None:
    assert sorted(p.stem for p in RECIPES.glob("*.md") if p.stem != "README") == sorted(PAGES)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_recipe(page: str, tmp_path: Path) -> None:
    prepare, check = PAGES[page]
    prepare(tmp_path)
    dumps = execute(RECIPES / f"{page}.md", tmp_path)
    for command, document in dumps:
        assert_lint_adds_nothing(tmp_path, command, document, allowed={"R206"} if page in PRUNED else set())
    check(tmp_path)


DUMP = re.compile(r"^onnxtext dump .* -o (\S+\.(?:yaml|json))\b.*$", re.M)


def execute(page: Path, folder: Path) -> list[tuple[str, str]]:
    """Run the page's bash blocks, check its yaml blocks; return its dump commands and their documents."""
    dumps: list[tuple[str, str]] = []
    for lang, target, body in FENCE.findall(page.read_text()):
        if lang == "bash":
            done = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", body],
                cwd=folder,
                env=_env(),
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, f"{page.name}: {body}\n{done.stdout}\n{done.stderr}"
            dumps += [(m.group(0), m.group(1)) for m in DUMP.finditer(body)]
        elif lang == "yaml" and target:
            assert body in (folder / target).read_text(), f"{page.name}: not in {target}:\n{body}"
    return dumps


def assert_lint_adds_nothing(folder: Path, command: str, document: str, allowed: set[str]) -> None:
    """The edited document has no lint finding (by code, but ``allowed``) that the same dump, unedited,
    did not have.  Runs in this process (CliRunner): a subprocess costs 0.8 s of imports."""
    args = shlex.split(command)[1:]
    args[args.index("-o") + 1] = str(folder / "fresh" / document)
    args[1] = str(folder / args[1])
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    before, after = _lint_codes(folder / "fresh" / document), _lint_codes(folder / document)
    new = {code: n for code, n in (after - before).items() if code not in allowed}
    assert not new, f"{document}: new lint findings {new}"


def _lint_codes(doc: Path) -> Counter[str]:
    done = CliRunner().invoke(main, ["lint", str(doc), "--format", "json", "--exit-zero"])
    assert done.exit_code == 0, done.output
    findings = json.loads(done.stdout or "[]")
    assert not [f for f in findings if f["severity"] == "error"], findings
    return Counter(f["code"] for f in findings)


def _env() -> dict[str, str]:
    """The environment with this interpreter's scripts (onnxtext) first on PATH."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
