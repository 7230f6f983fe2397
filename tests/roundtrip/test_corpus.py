"""Every real model of the suite goes the way a user takes it and comes back byte-identical.

``onnxtext dump`` writes the model to a document with the default settings (big tensors go to .npy
sidecars beside it), then the default ``onnxtext build`` (:func:`onnxtext.api.build`: the lint gate
over the recovering decoder, then onnx.checker) writes the model again, in YAML and in JSON.  The
models: every ONNX conformance case, every .onnx file of the onnx wheel's backend test data, the
silero-vad package's models, the samples and skl2onnx exports made here.

A model the default build rightly refuses is listed in :data:`REFUSED` with the reason: the build
must stop with a diagnostic placed at the element the reason is about, write nothing, and then build
byte-identical with ``--no-check``.  A sample of the conformance models also runs after a round trip
and computes the case's expected outputs.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx.reference import ReferenceEvaluator

import onnxtext
from onnxtext import api
from onnxtext.base.errors import OnnxTextError
from tests.models import (
    ONNX_DATA,
    SKLEARN_EXPORTS,
    conformance_cases,
    sample_models,
    shipped_models,
    silero_models,
    sklearn_exports,
)
from tests.textsearch import key_position

FORMATS = ("yaml", "json")
CASES = conformance_cases()

# model -> (code, the top-level key its diagnostic is placed at, why the default build refuses it)
REFUSED = {
    "test_mvn": (
        "T303",
        "graph",
        "onnx's own function body for MeanVarianceNormalization holds a Constant without a value: shape "
        "inference fails on it (onnx.checker.check_model(full_check=True) rejects the model too)",
    ),
}

# The .onnx files a user would dump from where they are, by source
FILES = {
    **{f"onnx-data/{p.relative_to(ONNX_DATA).with_suffix('')}": p for p in shipped_models()},
    **{f"silero-vad/{p.stem}": p for p in silero_models()},
    **{f"samples/{p.stem}": p for p in sample_models()},
}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the module's round trips: a folder per test would cost more than the test."""
    return tmp_path_factory.mktemp("corpus")


@pytest.fixture
def folder(scratch: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A fresh folder for one model, removed afterwards (the corpus is big once dumped)."""
    path = scratch / re.sub(r"\W", "_", request.node.name)
    path.mkdir()
    yield path
    shutil.rmtree(path)


def assert_builds_back(model_file: Path, expected: bytes, name: str, folder: Path) -> None:
    """Dump ``model_file`` into ``folder`` in each format, build each document by default, and compare
    the written bytes with ``expected`` (a model in :data:`REFUSED` must be refused, then build with
    ``check=False``)."""
    for fmt in FORMATS:
        document = folder / fmt / f"model.{fmt}"
        api.dump(model_file, document)
        built = folder / f"built-{fmt}.onnx"
        if name in REFUSED:
            _assert_refused(document, built, *REFUSED[name][:2])
            api.build(document, built, check=False)
        else:
            api.build(document, built)
        assert built.read_bytes() == expected, f"{name} ({fmt}): the rebuilt bytes differ"


def _assert_refused(document: Path, built: Path, code: str, key: str) -> None:
    with pytest.raises(OnnxTextError) as refused:
        api.build(document, built)
    found = refused.value
    assert (found.code, found.file) == (code, str(document)), str(found)
    assert (found.line, found.col) == key_position(document.read_text(), key), str(found)
    assert not built.exists()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_conformance_case_builds_back_by_default(case, folder: Path) -> None:
    expected = case.model.SerializeToString()
    model_file = folder / "model.onnx"
    model_file.write_bytes(expected)
    assert_builds_back(model_file, expected, case.name, folder)


@pytest.mark.parametrize("name", FILES)
def test_model_file_builds_back_by_default(name: str, folder: Path) -> None:
    model_file = FILES[name]
    expected = onnx.load(str(model_file), load_external_data=False).SerializeToString()
    assert_builds_back(model_file, expected, name, folder)
    if name.startswith("silero-vad/"):  # big weights: the documents read them from .npy sidecars
        assert all((folder / fmt / "model.tensors").is_dir() for fmt in FORMATS)


@pytest.mark.parametrize("name", SKLEARN_EXPORTS)
def test_sklearn_export_builds_back_by_default(name: str, folder: Path) -> None:
    expected = sklearn_exports()[name]
    model_file = folder / "model.onnx"
    model_file.write_bytes(expected)
    assert_builds_back(model_file, expected, f"skl2onnx/{name}", folder)


def test_every_source_has_models_and_every_refusal_a_model() -> None:
    assert len(CASES) > 1800 and len(shipped_models()) > 100 and len(sample_models()) == 3
    assert set(REFUSED) <= {case.name for case in CASES} | set(FILES)


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
