"""The ONNX conformance corpus round-trips byte-identical, and the rebuilt models still compute."""

from __future__ import annotations

import warnings

import numpy as np
import onnx
import pytest
from onnx.backend.test.case.node import collect_testcases
from onnx.reference import ReferenceEvaluator

import onnxtext

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    CASES = collect_testcases(None)
CASE_IDS = [case.name for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_conformance_case_roundtrips(case) -> None:
    expected = case.model.SerializeToString()
    for fmt in ("yaml", "json"):
        rebuilt = onnxtext.loads(onnxtext.dumps(case.model, fmt), fmt)
        assert rebuilt.SerializeToString() == expected, fmt


def _runnable(case) -> bool:
    return bool(case.data_sets) and case.kind == "node"


# Every 25th case that has data: ~70 models of every kind, run after the round trip.
SAMPLE = [case for case in CASES if _runnable(case)][::25]


@pytest.mark.parametrize("case", SAMPLE, ids=[c.name for c in SAMPLE])
def test_rebuilt_model_computes_expected_outputs(case) -> None:
    rebuilt = onnxtext.loads(onnxtext.dumps(case.model, "json", tensors="inline"), "json")
    inputs, outputs = case.data_sets[0]
    try:
        results = _run(rebuilt, inputs)
    except Exception as err:  # the evaluator lacks some ops and types: then the original must fail too
        with pytest.raises(type(err)):
            _run(case.model, inputs)
        pytest.skip(f"onnx.reference cannot run {case.name} (nor the original): {type(err).__name__}")
    for got, want in zip(results, outputs, strict=False):
        _assert_close(got, want, case)


def _run(model: onnx.ModelProto, inputs: list[object]) -> list[object]:
    feeds = dict(zip([i.name for i in model.graph.input], inputs, strict=False))
    return ReferenceEvaluator(model).run(None, feeds)


def _assert_close(got: object, want: object, case) -> None:
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            _assert_close(g, w, case)
        return
    if want is None:
        assert got is None
        return
    want_arr, got_arr = np.asarray(want), np.asarray(got)
    assert got_arr.shape == want_arr.shape
    if want_arr.dtype.kind in "fc" and want_arr.dtype.itemsize >= 2:
        np.testing.assert_allclose(
            got_arr.astype(np.float64),
            want_arr.astype(np.float64),
            rtol=max(case.rtol, 1e-3),
            atol=max(case.atol, 1e-5),
            equal_nan=True,
        )
    elif want_arr.dtype.kind == "O":
        assert got_arr.tolist() == want_arr.tolist()
    else:
        assert got_arr.tobytes() == want_arr.tobytes()


def test_onnx_model_checker_still_accepts_rebuilt_models() -> None:
    checked = 0
    for case in CASES[::40]:
        try:
            onnx.checker.check_model(case.model)
        except onnx.checker.ValidationError:
            continue
        onnx.checker.check_model(onnxtext.loads(onnxtext.dumps(case.model)))
        checked += 1
    assert checked > 10
