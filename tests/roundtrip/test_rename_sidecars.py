"""A regex over tensor names never breaks a build: sidecars are named by their content, not their tensor.

Each test dumps a real model (or one with PaddleOCR's names) through the CLI in the default and the
``npy`` mode, renames with ``sed -E`` over the whole text, builds with the default command (lint gate
and onnx.checker on), and compares the result with the original renamed in Python: the same bytes, and
the same outputs in onnxruntime.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from click.testing import CliRunner
from onnx import TensorProto, helper, numpy_helper

from onnxtext.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SED = shutil.which("sed")


def paddle_model() -> onnx.ModelProto:
    """Convs named as PaddleOCR's exports name them (``conv2d_12.w_0``), weights big enough for sidecars."""
    rng = np.random.default_rng(0)
    nodes, inits, x = [], [], "x"
    for i, (cin, cout) in enumerate([(3, 16), (16, 16), (16, 8)]):
        w, b = f"conv2d_{i + 10}.w_0", f"conv2d_{i + 10}.b_0"
        inits.append(numpy_helper.from_array(rng.standard_normal((cout, cin, 3, 3)).astype(np.float32), w))
        inits.append(numpy_helper.from_array(rng.standard_normal(cout).astype(np.float32), b))
        y = f"conv2d_{i + 10}.tmp_0"
        nodes.append(helper.make_node("Conv", [x, w, b], [y], name=f"conv2d_{i + 10}", pads=[1, 1, 1, 1]))
        nodes.append(helper.make_node("Relu", [y], [f"relu_{i}.tmp_0"], name=f"relu_{i}"))
        x = f"relu_{i}.tmp_0"
    # the same weights twice (shared file), and one in a Constant node
    shared = onnx.TensorProto()
    shared.CopyFrom(inits[2])
    shared.name = "conv2d_20.w_0"
    inits.append(shared)
    nodes.append(
        helper.make_node("Conv", [x, "conv2d_20.w_0"], ["conv2d_20.tmp_0"], name="conv2d_20", pads=[1] * 4)
    )
    scale = rng.standard_normal((1, 16, 16, 16)).astype(np.float32)
    constant = numpy_helper.from_array(scale, "conv2d_21.w_0")
    nodes.append(helper.make_node("Constant", [], ["conv2d_21.w_0"], name="const_21", value=constant))
    nodes.append(helper.make_node("Mul", ["conv2d_20.tmp_0", "conv2d_21.w_0"], ["out"], name="mul_21"))
    graph = helper.make_graph(
        nodes,
        "paddle",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 16, 16, 16])],
        initializer=inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def renamed(model: onnx.ModelProto, pattern: str, repl: str) -> onnx.ModelProto:
    """``model`` with every name (values, nodes, tensors, in every graph) passed through ``re.sub``."""
    out = onnx.ModelProto()
    out.CopyFrom(model)

    def sub(name: str) -> str:
        return re.sub(pattern, repl, name)

    def rename(item: onnx.NodeProto | onnx.TensorProto | onnx.ValueInfoProto) -> None:
        if item.HasField("name"):  # an absent name stays absent
            item.name = sub(item.name)

    def tensors(attr: onnx.AttributeProto) -> list[onnx.TensorProto]:
        return ([attr.t] if attr.HasField("t") else []) + list(attr.tensors)

    def graph(g: onnx.GraphProto) -> None:
        for values in (g.input, g.output, g.value_info, g.initializer):
            for item in values:
                rename(item)
        for node in g.node:
            node.input[:] = [sub(n) for n in node.input]
            node.output[:] = [sub(n) for n in node.output]
            rename(node)
            for attr in node.attribute:
                for tensor in tensors(attr):
                    rename(tensor)
                for body in ([attr.g] if attr.HasField("g") else []) + list(attr.graphs):
                    graph(body)

    graph(out.graph)
    return out


def outputs(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def dump_rename_build(tmp_path: Path, model: Path, fmt: str, mode: str, sed: str) -> onnx.ModelProto:
    doc = tmp_path / f"doc.{fmt}"
    args = ["dump", str(model), "-o", str(doc)] + (["--tensors", mode] if mode != "auto" else [])
    cli(*args)
    assert list((tmp_path / "doc.tensors").iterdir()), "the model must have sidecars"
    if SED is not None:
        subprocess.run([SED, "-i", "-E", sed, str(doc)], check=True)
    else:  # the same substitution in Python
        pattern, repl = sed.split("/")[1:3]
        doc.write_text(re.sub(pattern, repl.replace("\\1", r"\1"), doc.read_text()))
    cli("build", str(doc), "-o", str(tmp_path / "built.onnx"))
    return onnx.load(tmp_path / "built.onnx")


CASES = [(fmt, mode) for fmt in ("yaml", "json") for mode in ("auto", "npy")]


@pytest.mark.parametrize("fmt, mode", CASES)
def test_a_paddle_rename_builds_the_renamed_model(tmp_path: Path, fmt: str, mode: str) -> None:
    original = paddle_model()
    source = tmp_path / "det.onnx"
    onnx.save(original, source)
    built = dump_rename_build(tmp_path, source, fmt, mode, r"s/conv2d_([0-9]+)\.w_0/conv\1_weight/g")
    expected = renamed(original, r"conv2d_([0-9]+)\.w_0", r"conv\1_weight")
    assert [t.name for t in built.graph.initializer][:2] == ["conv10_weight", "conv2d_10.b_0"]
    assert built.SerializeToString() == expected.SerializeToString()
    feeds = {"x": np.random.default_rng(1).standard_normal((1, 3, 16, 16)).astype(np.float32)}
    for got, want in zip(outputs(built, feeds), outputs(original, feeds), strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("fmt, mode", CASES)
def test_a_silero_rename_builds_the_renamed_model(tmp_path: Path, fmt: str, mode: str) -> None:
    original = onnx.load(SAMPLES / "silero_vad.onnx")
    sed = r"s/\b(encoder|decoder)\.([0-9a-z]+)\./\1_\2_/g"
    built = dump_rename_build(tmp_path, SAMPLES / "silero_vad.onnx", fmt, mode, sed)
    expected = renamed(original, r"\b(encoder|decoder)\.([0-9a-z]+)\.", r"\1_\2_")
    assert expected.SerializeToString() != original.SerializeToString()
    assert built.SerializeToString() == expected.SerializeToString()
    rng = np.random.default_rng(2)
    feeds = {
        "input": rng.standard_normal((1, 512)).astype(np.float32),
        "state": rng.standard_normal((2, 1, 128)).astype(np.float32),
        "sr": np.array(16000, dtype=np.int64),
    }
    for got, want in zip(outputs(built, feeds), outputs(original, feeds), strict=True):
        np.testing.assert_array_equal(got, want)


def test_a_document_with_sidecars_named_after_tensors_survives_a_rename(tmp_path: Path) -> None:
    """Dumps made before sidecars were named by content: a regex rewrites their ``npy:`` paths, and the
    build finds each file by the sha256 the document holds beside the reference."""
    original = paddle_model()
    source = tmp_path / "det.onnx"
    onnx.save(original, source)
    doc = tmp_path / "doc.yaml"
    cli("dump", str(source), "-o", str(doc))
    text = doc.read_text()
    folder = tmp_path / "doc.tensors"
    for name, file in re.findall(r"\{name: ([^,]+), [^}]*npy: doc\.tensors/([0-9a-f]{16}\.npy)", text):
        if (folder / file).exists():
            (folder / file).rename(folder / f"{name}.npy")
        text = text.replace(f"doc.tensors/{file}", f"doc.tensors/{name}.npy", 1)
    shutil.copy(folder / "conv2d_12.w_0.npy", folder / "conv2d_20.w_0.npy")  # the old dumps' copies
    assert "npy: doc.tensors/conv2d_10.w_0.npy" in text
    doc.write_text(re.sub(r"conv2d_([0-9]+)\.w_0", r"conv\1_weight", text))
    cli("build", str(doc), "-o", str(tmp_path / "built.onnx"))
    expected = renamed(original, r"conv2d_([0-9]+)\.w_0", r"conv\1_weight")
    assert (tmp_path / "built.onnx").read_bytes() == expected.SerializeToString()
