"""Benchmark inputs: deterministic synthetic ONNX models plus a few real ones.

Every synthetic model is made with ``onnx.helper`` from a fixed seed, so two runs build the same bytes.

* ``weights``      (a) ~256 MB of fp32 in 50 initializers feeding a MatMul/Add/Relu chain.
* ``export``       (a) a real ``torch.onnx.export(dynamo=True)`` of a small language model, ~238 MB in 35
                   initializers (made by ``torch_export.py`` in a child process; needs torch and onnxscript).
* ``graph-{N}k``   (b) N thousand nodes of a transformer-like block with export-style names and
                   small constants (every payload under 1 KiB).
* ``external-2g``  (c) ~2.25 GiB of weights in ONNX external data, written chunk by chunk so the
                   generator itself stays far below 1 GB of RAM.
* ``real/...``     (d) models shipped in the ``onnx`` wheel and in the ``silero-vad`` package.
* ``startup-1mb``  (s) a 1 MB convolution stack: ``onnxtext --version`` and one dump, whole process.
* ``inline-4m``    (i) one 2000 x 2000 fp32 weight: inline mode's time per float.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.external_data_helper import set_external_data

OPSET = 17
IR_VERSION = 8


@dataclasses.dataclass(frozen=True)
class Workload:
    """One benchmark input.

    ``make(work_dir)`` writes the model (if needed) and returns its path; ``make_changed`` (if any)
    writes a second version with one tensor changed, for ``onnxtext diff``.
    """

    name: str
    group: str  # "a" weights, "b" graph, "c" external data, "d" real models
    description: str
    make: Callable[[Path], Path]
    make_changed: Callable[[Path], Path] | None = None
    external: bool = False  # weights live in ONNX external data files
    temporary: bool = False  # delete the input after use (it is huge)
    quick: bool = False  # part of ``--quick``
    nodes: int = 0  # node count, for the scaling check of group "b"
    all_modes: bool = False  # also run the inline and base64 tensor modes
    only_modes: tuple[str, ...] = ()  # when set, onnxtext runs these tensor modes only
    floats: int = 0  # float elements, for the per-float time of inline mode


# --------------------------------------------------------------------------- (a) weights-heavy


def make_weights(path: Path, *, layers: int = 25, dim: int = 1600, changed: bool = False) -> Path:
    """A chain ``x -> (MatMul W_i -> Add b_i -> Relu) * layers`` with ``layers`` [dim, dim] fp32 weights.

    With the defaults: 50 initializers, 25 * 1600 * 1600 * 4 B = 256 MB.  ``changed`` scales
    one weight (layer 7) so that the two versions differ in exactly one tensor.
    """
    rng = np.random.default_rng(20240501)
    nodes, inits = [], []
    x = "input"
    for i in range(layers):
        w_name, b_name = f"model.layers.{i}.fc.weight", f"model.layers.{i}.fc.bias"
        w = rng.standard_normal((dim, dim), dtype=np.float32)
        w *= np.float32(1.0 / np.sqrt(dim))
        if changed and i == 7:
            w *= np.float32(1.5)
        inits.append(numpy_helper.from_array(w, w_name))
        inits.append(numpy_helper.from_array(rng.standard_normal(dim, dtype=np.float32), b_name))
        del w
        prefix = f"/model/layers.{i}/fc"
        mm, add, relu = (f"{prefix}/{op}_output_0" for op in ("MatMul", "Add", "Relu"))
        nodes.append(helper.make_node("MatMul", [x, w_name], [mm], name=f"{prefix}/MatMul"))
        nodes.append(helper.make_node("Add", [mm, b_name], [add], name=f"{prefix}/Add"))
        nodes.append(helper.make_node("Relu", [add], [relu], name=f"{prefix}/Relu"))
        x = relu
    nodes.append(helper.make_node("Identity", [x], ["output"], name="/model/Identity"))
    graph = helper.make_graph(
        nodes,
        "weights_heavy",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch_size", dim])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch_size", dim])],
        initializer=inits,
    )
    _save(_model(graph), path)
    return path


def make_export(path: Path, *, vocab: int = 32000) -> Path:
    """``torch_export.py`` run in a child process (torch stays out of the benchmark's own memory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("torch_export.py")), str(path), str(vocab)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"torch export failed:\n{done.stderr[-2000:]}")
    return path


def export_missing() -> str | None:
    """Why the torch export cannot be made here, or None."""
    missing = [name for name in ("torch", "onnxscript") if importlib.util.find_spec(name) is None]
    return f"{' and '.join(missing)} not installed (pip install -e '.[bench]')" if missing else None


# --------------------------------------------------------------------------- (b) graph-heavy

HIDDEN, HEADS, HEAD_DIM, FFN = 8, 2, 4, 16
NODES_PER_BLOCK = 40


class _GraphBuilder:
    """Collects nodes and initializers, numbering anonymous constants like the PyTorch exporter."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.counter = 100

    def anon(self, op: str) -> str:
        """A PyTorch-style anonymous tensor name, e.g. ``onnx::Reshape_417``."""
        self.counter += 1
        return f"onnx::{op}_{self.counter}"

    def const(self, name: str, array: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(array, name))
        return name

    def weight(self, name: str, *shape: int) -> str:
        return self.const(name, (self.rng.standard_normal(shape) * 0.1).astype(np.float32))

    def node(self, op: str, name: str, inputs: list[str], n_out: int = 1, **attrs: object) -> str:
        outputs = [f"{name}_output_{k}" for k in range(n_out)]
        self.nodes.append(helper.make_node(op, inputs, outputs, name=name, **attrs))
        return outputs[0]


def _block(b: _GraphBuilder, i: int, x: str) -> str:
    """One 40-node pre-norm transformer layer with a depthwise-conv module; returns its output."""
    p, m = f"/model/layers.{i}", f"model.layers.{i}"
    i64 = np.int64
    h = b.node(
        "LayerNormalization",
        f"{p}/input_layernorm/LayerNormalization",
        [x, b.weight(f"{m}.input_layernorm.weight", HIDDEN), b.weight(f"{m}.input_layernorm.bias", HIDDEN)],
        axis=-1,
        epsilon=1e-5,
    )
    heads = []
    for proj, perm in (("q", [0, 2, 1, 3]), ("k", [0, 2, 3, 1]), ("v", [0, 2, 1, 3])):
        q = f"{p}/self_attn/{proj}_proj"
        mm = b.node("MatMul", f"{q}/MatMul", [h, b.weight(b.anon("MatMul"), HIDDEN, HIDDEN)])
        add = b.node("Add", f"{q}/Add", [b.weight(f"{m}.self_attn.{proj}_proj.bias", HIDDEN), mm])
        shape = b.const(b.anon("Reshape"), np.array([0, 0, HEADS, HEAD_DIM], i64))
        r = b.node("Reshape", f"{p}/self_attn/Reshape_{len(heads)}", [add, shape])
        heads.append(b.node("Transpose", f"{p}/self_attn/Transpose_{len(heads)}", [r], perm=perm))
    a = f"{p}/self_attn"
    scores = b.node("MatMul", f"{a}/MatMul", heads[:2])
    scaled = b.node("Div", f"{a}/Div", [scores, b.const(b.anon("Div"), np.array(2.0, np.float32))])
    probs = b.node("Softmax", f"{a}/Softmax", [scaled], axis=-1)
    ctx = b.node("MatMul", f"{a}/MatMul_1", [probs, heads[2]])
    ctx = b.node("Transpose", f"{a}/Transpose_3", [ctx], perm=[0, 2, 1, 3])
    ctx = b.node(
        "Reshape", f"{a}/Reshape_3", [ctx, b.const(b.anon("Reshape"), np.array([0, 0, HIDDEN], i64))]
    )
    o = b.node("MatMul", f"{a}/o_proj/MatMul", [ctx, b.weight(b.anon("MatMul"), HIDDEN, HIDDEN)])
    o = b.node("Add", f"{a}/o_proj/Add", [b.weight(f"{m}.self_attn.o_proj.bias", HIDDEN), o])
    r1 = b.node("Add", f"{p}/Add", [x, o])
    # MLP: flatten to 2-D for Gemm, SiLU, reshape back with a shape computed at run time.
    h2 = b.node(
        "LayerNormalization",
        f"{p}/post_attention_layernorm/LayerNormalization",
        [
            r1,
            b.weight(f"{m}.post_attention_layernorm.weight", HIDDEN),
            b.weight(f"{m}.post_attention_layernorm.bias", HIDDEN),
        ],
        axis=-1,
        epsilon=1e-5,
    )
    f = f"{p}/mlp"
    shape = b.node("Shape", f"{f}/Shape", [h2])
    idx = b.node("Constant", f"{f}/Constant", [], value=numpy_helper.from_array(np.array(1, i64)))
    seq = b.node("Gather", f"{f}/Gather", [shape, idx], axis=0)
    axes = b.node("Constant", f"{f}/Constant_1", [], value=numpy_helper.from_array(np.array([0], i64)))
    seq = b.node("Unsqueeze", f"{f}/Unsqueeze", [seq, axes])
    back = b.node(
        "Concat",
        f"{f}/Concat",
        [
            b.const(b.anon("Concat"), np.array([-1], i64)),
            seq,
            b.const(b.anon("Concat"), np.array([HIDDEN], i64)),
        ],
        axis=0,
    )
    flat = b.node("Reshape", f"{f}/Reshape", [h2, b.const(b.anon("Reshape"), np.array([-1, HIDDEN], i64))])
    gemm = {"alpha": 1.0, "beta": 1.0, "transB": 1}
    up = b.node(
        "Gemm",
        f"{f}/fc1/Gemm",
        [flat, b.weight(f"{m}.mlp.fc1.weight", FFN, HIDDEN), b.weight(f"{m}.mlp.fc1.bias", FFN)],
        **gemm,
    )
    act = b.node("Mul", f"{f}/act/Mul", [up, b.node("Sigmoid", f"{f}/act/Sigmoid", [up])])
    down = b.node(
        "Gemm",
        f"{f}/fc2/Gemm",
        [act, b.weight(f"{m}.mlp.fc2.weight", HIDDEN, FFN), b.weight(f"{m}.mlp.fc2.bias", HIDDEN)],
        **gemm,
    )
    r2 = b.node("Add", f"{p}/Add_1", [r1, b.node("Reshape", f"{f}/Reshape_1", [down, back])])
    # Depthwise conv module over the sequence axis.
    c = f"{p}/conv"
    t = b.node("Transpose", f"{c}/Transpose", [r2], perm=[0, 2, 1])
    conv = b.node(
        "Conv",
        f"{c}/depthwise/Conv",
        [
            t,
            b.weight(f"{m}.conv.depthwise.weight", HIDDEN, 1, 3),
            b.weight(f"{m}.conv.depthwise.bias", HIDDEN),
        ],
        dilations=[1],
        group=HIDDEN,
        kernel_shape=[3],
        pads=[1, 1],
        strides=[1],
    )
    t = b.node("Transpose", f"{c}/Transpose_1", [conv], perm=[0, 2, 1])
    return b.node("Add", f"{p}/Add_2", [r2, t])


def make_graph(path: Path, *, nodes: int) -> Path:
    """A graph of exactly ``nodes`` nodes (a multiple of 40) built from :func:`_block` layers."""
    if nodes % NODES_PER_BLOCK:
        raise ValueError(f"nodes must be a multiple of {NODES_PER_BLOCK}")
    b = _GraphBuilder(seed=nodes)
    x = "hidden_states"
    for i in range(nodes // NODES_PER_BLOCK):
        x = _block(b, i, x)
    # The last block's Add becomes the graph output under its export-style name.
    b.nodes[-1].output[0] = "last_hidden_state"
    dims = ["batch_size", "sequence_length", HIDDEN]
    graph = helper.make_graph(
        b.nodes,
        "main_graph",
        [helper.make_tensor_value_info("hidden_states", TensorProto.FLOAT, dims)],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims)],
        initializer=b.inits,
    )
    model = _model(graph)
    helper.set_model_props(model, {"source": "onnxtext benchmark", "layers": str(nodes // NODES_PER_BLOCK)})
    _save(model, path)
    return path


# --------------------------------------------------------------------------- (c) > 2 GB, external data


def make_external(path: Path, *, layers: int = 9, dim: int = 8192, chunk_rows: int = 512) -> Path:
    """``layers`` [dim, dim] fp32 weights (9 x 256 MiB = 2.25 GiB) plus biases, all in one external file.

    The data file ``<model>.data`` is written chunk by chunk (``chunk_rows`` rows, 16 MiB), and the
    tensors are laid out exactly as ``onnx.save(..., save_as_external_data=True)`` would (initializer
    order, contiguous, no padding), so a load/save round trip reproduces both files.
    """
    location = path.name + ".data"
    nodes, inits = [], []
    offset = 0
    x = "input"
    with open(path.parent / location, "wb") as data:

        def external(name: str, shape: tuple[int, ...], seed: int) -> None:
            nonlocal offset
            rng = np.random.default_rng(seed)
            rows = shape[0] if len(shape) > 1 else 1
            row_shape = shape[1:] if len(shape) > 1 else shape
            start = offset
            for first in range(0, rows, chunk_rows):
                n = min(chunk_rows, rows - first)
                chunk = rng.standard_normal((n, *row_shape), dtype=np.float32)
                chunk *= np.float32(1.0 / np.sqrt(dim))
                chunk.tofile(data)
                offset += chunk.nbytes
            tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=shape)
            tensor.raw_data = b""  # set_external_data insists on a raw_data field ...
            set_external_data(tensor, location, start, offset - start)
            tensor.ClearField("raw_data")  # ... that the external tensor must not keep
            inits.append(tensor)

        for i in range(layers):
            w_name, b_name = f"model.layers.{i}.fc.weight", f"model.layers.{i}.fc.bias"
            external(w_name, (dim, dim), seed=2 * i)
            external(b_name, (dim,), seed=2 * i + 1)
            prefix = f"/model/layers.{i}/fc"
            mm, add = f"{prefix}/MatMul_output_0", f"{prefix}/Add_output_0"
            nodes.append(helper.make_node("MatMul", [x, w_name], [mm], name=f"{prefix}/MatMul"))
            nodes.append(helper.make_node("Add", [mm, b_name], [add], name=f"{prefix}/Add"))
            x = add
    nodes[-1].output[0] = "output"
    graph = helper.make_graph(
        nodes,
        "external_data",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch_size", dim])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch_size", dim])],
        initializer=inits,
    )
    _save(_model(graph), path)
    return path


def external_locations(model: Path) -> list[str]:
    """The external data files a model refers to, relative to the model's folder, in order."""
    proto = onnx.load(str(model), load_external_data=False)
    names: dict[str, None] = {}
    for tensor in _all_tensors(proto.graph):
        if tensor.data_location == TensorProto.EXTERNAL:
            names.update({e.value: None for e in tensor.external_data if e.key == "location"})
    return list(names)


def _all_tensors(graph: onnx.GraphProto) -> list[onnx.TensorProto]:
    tensors = list(graph.initializer)
    for node in graph.node:
        for attr in node.attribute:
            tensors.extend([attr.t] if attr.HasField("t") else attr.tensors)
            for sub in [attr.g] if attr.HasField("g") else attr.graphs:
                tensors.extend(_all_tensors(sub))
    return tensors


# --------------------------------------------------------------------------- (s) start-up


def make_startup(path: Path) -> Path:
    """Seven 64x64x3x3 convolutions: 1 MB of weights, a model an editor or git would dump often."""
    rng = np.random.default_rng(7)
    nodes, inits, x = [], [], "input"
    for i in range(7):
        inits.append(numpy_helper.from_array(rng.standard_normal((64, 64, 3, 3), dtype=np.float32), f"w{i}"))
        conv = helper.make_node("Conv", [x, f"w{i}"], [f"conv{i}"], name=f"/conv{i}", pads=[1, 1, 1, 1])
        nodes.append(conv)
        x = f"conv{i}"
    graph = helper.make_graph(
        nodes,
        "startup",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 64, 32, 32])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, ["N", 64, 32, 32])],
        initializer=inits,
    )
    _save(_model(graph), path)
    return path


# --------------------------------------------------------------------------- (d) real models

REAL_ONNX = (  # the largest models shipped in the onnx wheel (real/ only holds download links)
    "light/light_densenet121.onnx",
    "light/light_inception_v2.onnx",
    "light/light_resnet50.onnx",
    "pytorch-converted/test_Conv3d_groups/model.onnx",
)
REAL_SILERO = ("silero_vad.onnx", "silero_vad_half.onnx", "silero_vad_op18_ifless.onnx")


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    return Path(spec.origin).parent if spec and spec.origin else None


def real_models() -> tuple[list[tuple[str, Path]], list[str]]:
    """``(name, path)`` of the real models found, plus notes about the ones that are missing."""
    found, notes = [], []
    onnx_dir = _package_dir("onnx")
    for rel in REAL_ONNX:
        path = onnx_dir / "backend/test/data" / rel if onnx_dir else None
        if path and path.is_file():
            stem = path.parent.name if path.name == "model.onnx" else path.stem
            found.append((f"real/{stem}", path))
        else:
            notes.append(f"onnx test model {rel} not found")
    silero_dir = _package_dir("silero_vad")
    if silero_dir is None:
        notes.append("silero-vad not installed (pip install --no-deps silero-vad==6.2.3): its models skipped")
    else:
        for fname in REAL_SILERO:
            path = silero_dir / "data" / fname
            if path.is_file():
                found.append((f"real/{path.stem}", path))
            else:
                notes.append(f"silero-vad model {fname} not found")
    return found, notes


# --------------------------------------------------------------------------- registry


def all_workloads() -> tuple[list[Workload], list[str]]:
    """Every workload, in run order, plus notes about skipped ones."""
    notes: list[str] = []
    out = [
        Workload(
            "startup-1mb",
            "s",
            "7 x [64,64,3,3] fp32 convolutions, 1 MB: --version and one dump",
            lambda d: _cached(d / "startup-1mb.onnx", make_startup),
            quick=True,
        ),
        Workload(
            "weights",
            "a",
            "25 x [1600,1600] fp32 + biases: 50 initializers, 256 MB, 76 nodes",
            lambda d: _cached(d / "weights.onnx", make_weights),
            make_changed=lambda d: _cached(d / "weights-changed.onnx", make_weights, changed=True),
            quick=True,
        ),
    ]
    reason = export_missing()
    if reason:
        notes.append(f"export workload skipped: {reason}")
    else:
        out.append(
            Workload(
                "export",
                "a",
                "torch.onnx.export (dynamo) of a 2-layer language model: 35 initializers, 238 MB",
                lambda d: _cached(d / "export.onnx", make_export),
                all_modes=True,
            )
        )
        out.append(
            Workload(
                "export-half",
                "a",
                "the same export with a 12000-token vocabulary: 115 MB (inline/base64 time vs size)",
                lambda d: _cached(d / "export-half.onnx", make_export, vocab=12000),
                all_modes=True,
                only_modes=("inline", "base64"),
            )
        )
    out.append(
        Workload(
            "inline-4m",
            "i",
            "one [2000, 2000] fp32 weight (4M floats, 16 MB): inline mode's shortest decimals per float",
            lambda d: _cached(d / "inline-4m.onnx", make_weights, layers=1, dim=2000),
            all_modes=True,
            only_modes=("inline",),
            floats=2000 * 2000 + 2000,
        )
    )
    for k in (10, 30, 50):
        out.append(
            Workload(
                f"graph-{k}k",
                "b",
                f"{k * 1000} nodes ({k * 25} layers of 40), {k * 650} small initializers",
                lambda d, n=k * 1000: _cached(d / f"graph-{n // 1000}k.onnx", make_graph, nodes=n),
                quick=k == 10,
                nodes=k * 1000,
            )
        )
    out.append(
        Workload(
            "external-2g",
            "c",
            "9 x [8192,8192] fp32 + biases in one external data file: 2.25 GiB",
            lambda d: make_external(d / "external-2g.onnx"),
            external=True,
            temporary=True,
        )
    )
    found, real_notes = real_models()
    notes += real_notes
    for name, path in found:
        out.append(
            Workload(
                name,
                "d",
                f"{path.stat().st_size / 1e3:.0f} kB, shipped model",
                lambda _d, p=path: p,
                quick=True,
            )
        )
    return out, notes


def _cached(path: Path, make: Callable[..., Path], **kwargs: object) -> Path:
    """Build ``path`` unless a previous run already did (the generators are deterministic)."""
    if not path.is_file():
        tmp = path.with_suffix(".tmp.onnx")
        make(tmp, **kwargs)
        tmp.replace(path)
    return path


def _model(graph: onnx.GraphProto) -> onnx.ModelProto:
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="pytorch",
        producer_version="2.5.1",
    )
    model.ir_version = IR_VERSION
    return model


def _save(model: onnx.ModelProto, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model.SerializeToString())
