"""Over the whole ONNX conformance corpus: surgeries with nothing to do keep every model's bytes, and
the models that prune or dedupe do change still compute the case's expected outputs."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx.reference import ReferenceEvaluator

from onnxtext.base.errors import OnnxTextError
from onnxtext.surgery.dedupe import dedupe
from onnxtext.surgery.extract import extract
from onnxtext.surgery.names import name_nodes
from onnxtext.surgery.opset import convert, default_opset
from onnxtext.surgery.prune import prune
from onnxtext.surgery.rename import SCOPES, rename
from onnxtext.surgery.shapes import infer_shapes
from onnxtext.surgery.strip import strip_doc
from tests.models import conformance_cases

CASES = conformance_cases()


def _same(a: onnx.ModelProto, b: onnx.ModelProto) -> bool:
    return a.SerializeToString() == b.SerializeToString()


def test_no_op_surgeries_keep_every_conformance_model_byte_identical() -> None:
    failures = []
    for case in CASES:
        model = case.model
        checks = {
            **{f"rename --scope {s}": rename(model, "^no such name$", "x", s)[0] for s in SCOPES},
            "strip_doc": strip_doc(model),
            "opset (same version)": convert(model, default_opset(model) or 1)
            if default_opset(model)
            else model,
        }
        if all(n.name for n in model.graph.node):
            checks["name_nodes (all named)"] = name_nodes(model)
        pruned = prune(model)
        if _same(pruned, model):  # nothing to prune: extracting every output changes nothing either
            checks["prune"] = pruned
            checks["extract (all outputs)"] = extract(model, [o.name for o in model.graph.output])
        failures += [f"{case.name}: {what}" for what, result in checks.items() if not _same(result, model)]
    assert not failures, failures[:20]


def test_prune_dedupe_shapes_and_name_nodes_are_idempotent_on_the_corpus() -> None:
    failures = []
    for case in CASES:
        for what, once in (("prune", prune(case.model)), ("dedupe", dedupe(case.model)[0])):
            again = prune(once) if what == "prune" else dedupe(once)[0]
            if not _same(once, again):
                failures.append(f"{case.name}: {what}")
        try:
            shaped = infer_shapes(case.model)
        except OnnxTextError:
            pass  # one case (an invalid model on purpose) fails strict inference: E605 is the right answer
        else:
            if not _same(shaped, infer_shapes(shaped)):
                failures.append(f"{case.name}: infer_shapes")
        named = name_nodes(case.model)
        if not _same(named, name_nodes(named)) or not all(n.name for n in named.graph.node):
            failures.append(f"{case.name}: name_nodes")
    assert not failures, failures[:20]


CHANGED = [case for case in CASES if case.data_sets and not _same(prune(case.model), case.model)]
SAMPLE = CHANGED[::4]  # the models prune changes (dead nodes of expanded functions, unused inputs)


@pytest.mark.parametrize("case", SAMPLE, ids=[c.name for c in SAMPLE])
def test_pruned_and_deduped_models_compute_the_expected_outputs(case) -> None:
    pruned, _ = dedupe(prune(case.model))
    inputs, outputs = case.data_sets[0]
    given = dict(zip([i.name for i in case.model.graph.input], inputs, strict=False))
    feeds = {i.name: given[i.name] for i in pruned.graph.input}
    try:
        results = ReferenceEvaluator(pruned).run(None, feeds)
    except Exception as err:  # the evaluator lacks a few ops; then the original must fail the same way
        with pytest.raises(type(err)):
            ReferenceEvaluator(case.model).run(None, given)
        pytest.skip(f"onnx.reference cannot run {case.name}")
    for got, want in zip(results, outputs, strict=True):
        np.testing.assert_allclose(
            np.asarray(got, np.float64), np.asarray(want, np.float64), rtol=max(case.rtol, 1e-3), atol=1e-5
        )
