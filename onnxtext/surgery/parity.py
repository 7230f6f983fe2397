"""``compare``: run two models on the same inputs and report how far their outputs are apart.

The safety gate after a surgery (``onnxtext compare``).  Inputs are given (``name -> array``) or made
up: random values that fit each declared input type, a symbolic dimension taking its size from
``dims`` or, when not given, the first sizes the first model runs with (all 1 first; a conv net
whose branches meet again at a Concat needs its spatial sizes to survive every stride), said in the
report.  Models run in onnxruntime when it is installed (the ``[run]`` extra), else in
``onnx.reference.ReferenceEvaluator``.  Outputs are matched by name; each gets its max absolute and
relative difference, and an output that only one model has makes them different.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
from collections.abc import Iterator, Mapping
from pathlib import Path as FsPath
from typing import Any

import numpy as np
import onnx
from onnx import helper

from onnxtext.base.errors import OnnxTextError
from onnxtext.roundtrip.lean import without_big_weights

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
    """What ran (``runner``), at which sizes of the symbolic dimensions (``dims``), and each output."""

    runner: Runner
    outputs: list[OutputDiff]
    dims: dict[str, int] = dataclasses.field(default_factory=dict)

    @property
    def equal(self) -> bool:
        return all(o.equal for o in self.outputs)

    def as_dict(self) -> dict[str, Any]:
        return {
            "runner": self.runner,
            "dims": self.dims,
            "equal": self.equal,
            "outputs": [dataclasses.asdict(o) for o in self.outputs],
        }

    def render(self) -> str:
        lines = [f"runner: {self.runner}"]
        if self.dims:
            lines.append("dims: " + ", ".join(f"{name}={size}" for name, size in self.dims.items()))
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


# Sizes tried for a symbolic dimension nobody gave, smallest first: a conv net needs its spatial
# sizes to survive every stride (and its branches to meet again at a Concat); 224 is ImageNet's.
_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 224, 256, 512)


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

    Inputs not given are made up: random values of their declared types.  A symbolic dimension
    (``batch``, ``height``, or one without a name) takes its size from ``dims``, else the first
    sizes that ``a`` runs with are used: all 1, then 2, 4, ... 512 for every dimension but the
    leading ones (a batch stays 1).  ``folders`` are where each model's external data lives.
    """
    runner = runner or default_runner()
    given = dict(inputs or {})
    made: dict[str, onnx.ValueInfoProto] = {}
    for model in (a, b):
        for info in model.graph.input:
            if info.name not in given and not _has_initializer(model, info.name):
                made[info.name] = _fixed_by(made[info.name], info) if info.name in made else info
    first, second = _Loaded(a, runner, folders[0]), _Loaded(b, runner, folders[1])
    infos = list(made.values())
    failures: list[OnnxTextError] = []
    candidates = list(_sizes_to_try(infos, dict(dims or {})))
    for sizes in candidates:
        if len(candidates) > 1 and not (_fits(a, made, sizes) and _fits(b, made, sizes)):
            continue
        rng = np.random.default_rng(seed)
        feeds = {**given, **{name: random_input(info, sizes, rng) for name, info in made.items()}}
        try:
            results_a = first.run(feeds)
        except OnnxTextError as err:
            failures.append(err)
            continue
        results_b = second.run(feeds)
        names = list(dict.fromkeys([*results_a, *results_b]))
        diffs = [_diff(n, results_a.get(n), results_b.get(n), rtol, atol) for n in names]
        return Comparison(runner, diffs, {name: sizes[name] for name in _symbolic(infos)})
    if len(candidates) == 1:
        raise failures[0]
    tried = f"sizes 1 to {_SIZES[-1]} were tried for its symbolic dimensions"
    raise (
        dataclasses.replace(failures[0], hint=f"{tried}: give them with --dim NAME=SIZE, or --inputs DIR")
        if failures
        else OnnxTextError(
            "E606",
            f"no sizes of model A's symbolic dimensions fit its shapes ({tried})",
            hint="give them with --dim NAME=SIZE, or pass inputs with --inputs DIR",
        )
    )


def _fits(
    model: onnx.ModelProto, inputs: Mapping[str, onnx.ValueInfoProto], sizes: Mapping[str, int]
) -> bool:
    """Whether shape inference accepts ``model`` with its inputs of these sizes and finds no empty
    dimension: a size that does not survive the strides is refused here, before onnxruntime runs
    it (its pooling kernels divide by the empty size and end the process)."""
    fixed = onnx.ModelProto()
    fixed.CopyFrom(without_big_weights(model))
    for info in fixed.graph.input:
        if info.name in inputs:
            for axis, dim in enumerate(info.type.tensor_type.shape.dim):
                if not dim.HasField("dim_value"):
                    dim.dim_value = sizes.get(_dim_name(inputs[info.name], axis, dim), 1)
    try:
        inferred = onnx.shape_inference.infer_shapes(fixed, strict_mode=True, data_prop=True).graph
    except (onnx.shape_inference.InferenceError, onnx.checker.ValidationError, RuntimeError):
        return False
    return not any(
        dim.HasField("dim_value") and dim.dim_value <= 0
        for info in (*inferred.value_info, *inferred.output)
        for dim in info.type.tensor_type.shape.dim
    )


def _fixed_by(info: onnx.ValueInfoProto, other: onnx.ValueInfoProto) -> onnx.ValueInfoProto:
    """``info`` (model A's declaration of an input) with the sizes ``other`` (model B's) fixes where
    ``info``'s dimensions are symbolic: both models read the one tensor made up for it."""
    dims, fixed = info.type.tensor_type.shape.dim, other.type.tensor_type.shape.dim
    if len(dims) != len(fixed) or not any(
        d.HasField("dim_value") < f.HasField("dim_value") for d, f in zip(dims, fixed, strict=True)
    ):
        return info
    merged = onnx.ValueInfoProto()
    merged.CopyFrom(info)
    for dim, given in zip(merged.type.tensor_type.shape.dim, fixed, strict=True):
        if given.HasField("dim_value") and not dim.HasField("dim_value"):
            dim.dim_value = given.dim_value
    return merged


def _symbolic(infos: list[onnx.ValueInfoProto]) -> dict[str, bool]:
    """Every symbolic dimension of ``infos`` (by name; an unnamed one as ``input[axis]``), and
    whether it is only ever a leading dimension (a batch)."""
    found: dict[str, bool] = {}
    for info in infos:
        for axis, dim in enumerate(info.type.tensor_type.shape.dim):
            if not dim.HasField("dim_value"):
                name = _dim_name(info, axis, dim)
                found[name] = found.get(name, True) and axis == 0
    return found


def _dim_name(info: onnx.ValueInfoProto, axis: int, dim: onnx.TensorShapeProto.Dimension) -> str:
    return dim.dim_param or f"{info.name}[{axis}]"


def _sizes_to_try(infos: list[onnx.ValueInfoProto], dims: dict[str, int]) -> Iterator[dict[str, int]]:
    symbolic = _symbolic(infos)
    free = [name for name in symbolic if name not in dims]
    yield {**{name: 1 for name in free}, **dims}
    if any(not symbolic[name] for name in free):
        for size in _SIZES[1:]:
            yield {**{name: 1 if symbolic[name] else size for name in free}, **dims}


def _has_initializer(model: onnx.ModelProto, name: str) -> bool:
    return any(t.name == name for t in model.graph.initializer)


def random_input(info: onnx.ValueInfoProto, sizes: Mapping[str, int], rng: np.random.Generator) -> np.ndarray:
    """Random values fitting ``info``'s declared tensor type (symbolic dims sized by ``sizes``, else 1)."""
    if info.type.WhichOneof("value") != "tensor_type":
        raise OnnxTextError(
            "E606",
            f"input {info.name!r} is no tensor ({helper.printable_type(info.type)}): cannot make it up",
            hint="pass its value with --inputs DIR (a <name>.npy per input)",
        )
    tensor = info.type.tensor_type
    shape = [
        dim.dim_value if dim.HasField("dim_value") else sizes.get(_dim_name(info, axis, dim), 1)
        for axis, dim in enumerate(tensor.shape.dim)
    ]
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


class _Loaded:
    """A model ready to run (its session made once, on the first run): output name -> value."""

    def __init__(self, model: onnx.ModelProto, runner: Runner, folder: FsPath | None) -> None:
        if folder is not None and _has_external(model):
            model = _with_external_data(model, folder)
        self.model, self.runner = model, runner
        self.session: Any = None

    def run(self, feeds: Mapping[str, np.ndarray]) -> dict[str, Any]:
        """The outputs on ``feeds`` (only the inputs the model declares); E606 if it cannot run."""
        model, runner = self.model, self.runner
        wanted = {v.name for v in model.graph.input}
        mine = {k: v for k, v in feeds.items() if k in wanted}
        names = [o.name for o in model.graph.output]
        try:
            if self.session is None:
                self.session = _session(model, runner)
            values = self.session.run(names, mine)
        except Exception as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise OnnxTextError(
                "E606",
                f"{runner} cannot run the model ({model.graph.name}): {first}",
                hint="check the inputs (--inputs DIR, --dim NAME=SIZE) or try the other runner",
            ) from None
        return dict(zip(names, values, strict=True))


def _session(model: onnx.ModelProto, runner: Runner) -> Any:
    if runner == "onnxruntime":
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 4  # failures are reported once, as E606
        return onnxruntime.InferenceSession(
            model.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )
    from onnx.reference import ReferenceEvaluator

    return ReferenceEvaluator(model)


def run(
    model: onnx.ModelProto, feeds: Mapping[str, np.ndarray], runner: Runner, folder: FsPath | None = None
) -> dict[str, Any]:
    """Output name -> value of ``model`` on ``feeds`` (only the inputs it declares); E606 if it cannot run."""
    return _Loaded(model, runner, folder).run(feeds)


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
