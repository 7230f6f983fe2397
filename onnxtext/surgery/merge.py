"""``merge``: combine two models into one (``onnxtext merge``), over ``onnx.compose.merge_models``.

B is fed by A where ``connect`` says so (an output of A to an input of B); inputs that both models
declare under the same name (and the same type) become one shared input; everything else stays an
input or output of the result, so the merged model gives both models' outputs.  Prefixes keep names
apart (``onnx.compose`` refuses overlapping names); a shared input keeps its own name.

What ``onnx.compose`` leaves to the caller, done here: it refuses models of different IR versions or
opsets (the lower default-domain opset is converted up with :func:`~onnxtext.surgery.opset.convert`,
the IR version raised to the higher one); it lists a domain both import twice in ``opset_import``
(kept once here); and it has no notion of shared inputs (each shared input is
declared an extra output of A connected to B's input of that name, so compose rewires B to read it).
"""

from __future__ import annotations

from collections.abc import Sequence

import onnx
import onnx.compose

from onnxtext.base.errors import OnnxTextError
from onnxtext.surgery.opset import convert, default_opset
from onnxtext.surgery.rename import rename_with


def merge(
    a: onnx.ModelProto,
    b: onnx.ModelProto,
    *,
    connect: Sequence[tuple[str, str]] = (),
    prefix_a: str = "",
    prefix_b: str = "",
) -> onnx.ModelProto:
    """One model computing ``a`` and ``b``; E601 for an unknown name in ``connect``, E604 when it cannot."""
    _check_connections(a, b, connect)
    a, b = _reconciled(a, b)
    fed = {into for _, into in connect}
    a_inputs = {v.name: v for v in a.graph.input}
    shared = [v for v in b.graph.input if v.name in a_inputs and v.name not in fed]
    for info in shared:
        if info.type != a_inputs[info.name].type:
            raise OnnxTextError(
                "E604",
                f"input {info.name!r} is in both models with different types",
                hint="rename one of them (onnxtext rename --scope inputs) or connect it with --connect",
            )
    a.graph.output.extend(a_inputs[v.name] for v in shared if v.name not in {o.name for o in a.graph.output})
    io_map = [*connect, *((v.name, v.name) for v in shared)]
    try:
        merged = onnx.compose.merge_models(
            a, b, io_map=io_map, prefix1=prefix_a or None, prefix2=prefix_b or None
        )
    except (ValueError, onnx.checker.ValidationError) as err:
        first = str(err).strip().splitlines()[0]
        raise OnnxTextError(
            "E604", f"onnx.compose: {first}", hint="pass --prefix-a/--prefix-b to keep the names apart"
        ) from None
    _dedupe_opsets(merged)
    if prefix_a and shared:
        back = {prefix_a + v.name: v.name for v in shared}
        merged, _ = rename_with(merged, lambda name: back.get(name, name))
    return merged


def _check_connections(a: onnx.ModelProto, b: onnx.ModelProto, connect: Sequence[tuple[str, str]]) -> None:
    outs, ins = [o.name for o in a.graph.output], [i.name for i in b.graph.input]
    for out, into in connect:
        for name, names, role in ((out, outs, "an output of A"), (into, ins, "an input of B")):
            if name not in names:
                raise OnnxTextError(
                    "E601", f"{name!r} is not {role}", hint=f"{role[3:]}s are: {', '.join(names) or '(none)'}"
                )


def _reconciled(a: onnx.ModelProto, b: onnx.ModelProto) -> tuple[onnx.ModelProto, onnx.ModelProto]:
    """Copies of ``a`` and ``b`` with one IR version and the same version of every shared opset."""
    va, vb = default_opset(a), default_opset(b)
    if va is not None and vb is not None and va != vb:
        a, b = (convert(a, vb), b) if va < vb else (a, convert(b, va))
    else:
        a, b = _copy(a), _copy(b)
    versions = {o.domain: o.version for o in a.opset_import}
    for o in b.opset_import:
        if versions.get(o.domain, o.version) != o.version:
            raise OnnxTextError(
                "E604",
                f"the models import different versions of domain {o.domain!r}: "
                f"{versions[o.domain]} and {o.version}",
                hint="only the default domain can be converted; align the custom domains first",
            )
    a.ir_version = b.ir_version = max(a.ir_version, b.ir_version)
    return a, b


def _dedupe_opsets(model: onnx.ModelProto) -> None:
    """compose lists both models' opset imports, so a shared domain appears twice: keep it once."""
    seen: dict[str, onnx.OperatorSetIdProto] = {}
    for entry in model.opset_import:
        seen.setdefault(entry.domain, entry)
    if len(seen) != len(model.opset_import):
        kept = list(seen.values())
        del model.opset_import[:]
        model.opset_import.extend(kept)


def _copy(model: onnx.ModelProto) -> onnx.ModelProto:
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    return copy
