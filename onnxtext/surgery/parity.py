"""``compare``: run two models on the same inputs and report how far their outputs are apart.

The safety gate after a surgery (``onnxtext compare``).  Inputs are given (``name -> array``) or made
up: random values that fit each declared input type, a symbolic dimension taking its size from
``dims`` (default 1).  Models run in onnxruntime when it is installed (the ``[run]`` extra), else in
``onnx.reference.ReferenceEvaluator``.  Outputs are matched by name; each gets its max absolute and
relative difference, and an output that only one model has makes them different.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
from collections.abc import Mapping
from pathlib import Path as FsPath
from typing import Any

import numpy as np
import onnx
from onnx import helper

from onnxtext.base.errors import OnnxTextError

Runner = str  # "onnxruntime" or "reference"


@dataclasses.dataclass(frozen=True)
class OutputDiff:
    """One output name: whether each model has it, and the difference where both do."""

    name: str
    in_a: bool
    in_b: bool
    max_abs: float = 0.0
    max_rel: float = 0.0
    shape_a: tuple[int, ...] | None = None
    shape_b: tuple[int, ...] | None = None
    equal: bool = False


@dataclasses.dataclass(frozen=True)
class Comparison:
    runner: Runner
    outputs: list[OutputDiff]

    @property
    def equal(self) -> bool:
        return all(o.equal for o in self.outputs)

    def as_dict(self) -> dict[str, Any]:
        return {
            "runner": self.runner,
            "equal": self.equal,
            "outputs": [dataclasses.asdict(o) for o in self.outputs],
        }

    def render(self) -> str:
        lines = [f"runner: {self.runner}"]
        for o in self.outputs:
            if not (o.in_a and o.in_b):
                lines.append(f"{o.name}: only in {'A' if o.in_a else 'B'}")
            elif o.shape_a != o.shape_b:
                lines.append(f"{o.name}: shapes differ, {list(o.shape_a or ())} vs {list(o.shape_b or ())}")
            else:
                verdict = "equal" if o.equal else "DIFFERENT"
                lines.append(f"{o.name}: {verdict} (max abs {o.max_abs:.3g}, max rel {o.max_rel:.3g})")
        lines.append("equal within tolerance" if self.equal else "models differ")
        return "\n".join(lines) + "\n"


def default_runner() -> Runner:
    return "onnxruntime" if importlib.util.find_spec("onnxruntime") else "reference"


def compare(
    a: onnx.ModelProto,
    b: onnx.ModelProto,
    inputs: Mapping[str, np.ndarray] | None = None,
    *,
    dims: Mapping[str, int] | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    seed: int = 0,
    runner: Runner | None = None,
    folders: tuple[FsPath | None, FsPath | None] = (None, None),
) -> Comparison:
    """Run ``a`` and ``b`` on the same inputs and compare every output by name.

    ``folders`` are where each model's external data lives (its file's folder).
    """
    runner = runner or default_runner()
    feeds = dict(inputs or {})
    rng = np.random.default_rng(seed)
    for model in (a, b):
        for info in model.graph.input:
            if info.name not in feeds and not _has_initializer(model, info.name):
                feeds[info.name] = random_input(info, dims or {}, rng)
    results_a = run(a, feeds, runner, folders[0])
    results_b = run(b, feeds, runner, folders[1])
    names = list(dict.fromkeys([*results_a, *results_b]))
    return Comparison(runner, [_diff(n, results_a.get(n), results_b.get(n), rtol, atol) for n in names])


def _has_initializer(model: onnx.ModelProto, name: str) -> bool:
    return any(t.name == name for t in model.graph.initializer)


def random_input(info: onnx.ValueInfoProto, dims: Mapping[str, int], rng: np.random.Generator) -> np.ndarray:
    """Random values fitting ``info``'s declared tensor type (symbolic dims from ``dims``, else 1)."""
    if info.type.WhichOneof("value") != "tensor_type":
        raise OnnxTextError(
            "E606",
            f"input {info.name!r} is no tensor ({helper.printable_type(info.type)}): cannot make it up",
            hint="pass its value with --inputs DIR (a <name>.npy per input)",
        )
    tensor = info.type.tensor_type
    shape = [_dim_size(d, dims) for d in tensor.shape.dim]
    dtype = helper.tensor_dtype_to_np_dtype(tensor.elem_type)
    if dtype.kind == "f" or dtype.kind == "V":
        return rng.uniform(-1, 1, shape).astype(dtype)
    if dtype.kind in "iu":
        return rng.integers(0, 4, shape).astype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    if dtype.kind == "c":
        return (rng.uniform(-1, 1, shape) + 1j * rng.uniform(-1, 1, shape)).astype(dtype)
    return np.array(["a"] * math.prod(shape), dtype=object).reshape(shape)


def _dim_size(dim: onnx.TensorShapeProto.Dimension, dims: Mapping[str, int]) -> int:
    if dim.HasField("dim_value"):
        return dim.dim_value
    return dims.get(dim.dim_param, 1)


def run(
    model: onnx.ModelProto, feeds: Mapping[str, np.ndarray], runner: Runner, folder: FsPath | None = None
) -> dict[str, Any]:
    """Output name -> value of ``model`` on ``feeds`` (only the inputs it declares); E606 if it cannot run."""
    wanted = {v.name for v in model.graph.input}
    mine = {k: v for k, v in feeds.items() if k in wanted}
    names = [o.name for o in model.graph.output]
    if folder is not None and _has_external(model):
        model = _with_external_data(model, folder)
    try:
        if runner == "onnxruntime":
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.log_severity_level = 4  # failures are reported once, as E606
            session = onnxruntime.InferenceSession(model.SerializeToString(), options)
            values = session.run(names, mine)
        else:
            from onnx.reference import ReferenceEvaluator

            values = ReferenceEvaluator(model).run(names, mine)
    except Exception as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise OnnxTextError(
            "E606",
            f"{runner} cannot run the model ({model.graph.name}): {first}",
            hint="check the inputs (--inputs DIR, --dim NAME=SIZE) or try the other runner",
        ) from None
    return dict(zip(names, values, strict=True))


def _has_external(model: onnx.ModelProto) -> bool:
    return any(t.data_location == onnx.TensorProto.EXTERNAL for t in model.graph.initializer)


def _with_external_data(model: onnx.ModelProto, folder: FsPath) -> onnx.ModelProto:
    """A copy whose external tensors are read in from ``folder`` (runners take models as bytes here)."""
    loaded = onnx.ModelProto()
    loaded.CopyFrom(model)
    onnx.external_data_helper.load_external_data_for_model(loaded, str(folder))
    return loaded


def _diff(name: str, got_a: Any, got_b: Any, rtol: float, atol: float) -> OutputDiff:
    if got_a is None or got_b is None:
        return OutputDiff(name, got_a is not None, got_b is not None)
    x, y = np.asarray(got_a), np.asarray(got_b)
    if x.shape != y.shape:
        return OutputDiff(name, True, True, math.inf, math.inf, x.shape, y.shape, False)
    if x.dtype.kind in "OUS" or y.dtype.kind in "OUS":
        same = x.tolist() == y.tolist()
        return OutputDiff(
            name, True, True, 0.0 if same else math.inf, 0.0 if same else math.inf, x.shape, y.shape, same
        )
    xf, yf = x.astype(np.float64), y.astype(np.float64)
    both_nan = np.isnan(xf) & np.isnan(yf)
    same_inf = np.isinf(xf) & (xf == yf)
    gap = np.where(both_nan | same_inf, 0.0, np.abs(xf - yf))
    gap = np.where(np.isnan(gap), np.inf, gap)
    scale = np.abs(yf)
    rel = np.divide(gap, scale, out=np.where(gap > 0, np.inf, 0.0), where=scale > 0)
    max_abs = float(gap.max()) if gap.size else 0.0
    max_rel = float(rel.max()) if rel.size else 0.0
    equal = bool(np.all(gap <= atol + rtol * scale))
    return OutputDiff(name, True, True, max_abs, max_rel, x.shape, y.shape, equal)
