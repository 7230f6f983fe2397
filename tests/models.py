"""The real models of the test corpus: the ONNX conformance cases, the .onnx files shipped in the onnx
wheel, the silero-vad package's models, the bundled samples, and skl2onnx exports made here."""

from __future__ import annotations

import functools
import importlib.util
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest

ONNX_DATA = Path(onnx.__file__).parent / "backend" / "test" / "data"
SHIPPED_DIRS = ("light", "simple", "pytorch-converted", "pytorch-operator")
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@functools.cache
def conformance_cases() -> list[Any]:
    """The ONNX conformance cases (``onnx.backend.test.case.node``'s TestCase), collected once per
    process: the collection builds 1,884 models and takes seconds.  The models are shared: copy one
    before changing it."""
    from onnx.backend.test.case.node import collect_testcases

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return collect_testcases(None)


def shipped_models() -> list[Path]:
    """The .onnx files shipped inside the onnx wheel's backend test data."""
    return sorted(p for d in SHIPPED_DIRS for p in (ONNX_DATA / d).rglob("*.onnx"))


def silero_models() -> list[Path]:
    """The .onnx files inside the silero-vad package (installed with --no-deps; its import needs torch)."""
    spec = importlib.util.find_spec("silero_vad")
    if spec is None or not spec.submodule_search_locations:
        if os.environ.get("CI"):
            raise RuntimeError("CI must have silero-vad: pip install --no-deps silero-vad==6.2.3")
        return []
    return sorted(Path(next(iter(spec.submodule_search_locations))).glob("data/*.onnx"))


def sample_models() -> list[Path]:
    """The models bundled in samples/ (squeezenet, silero_vad, ppocr_cls)."""
    return sorted(SAMPLES.glob("*.onnx"))


SKLEARN_EXPORTS = ("pipeline", "forest", "svm", "boosting", "neighbours", "mlp", "bins", "tfidf", "strings")


@functools.cache
def sklearn_exports() -> dict[str, bytes]:
    """Models fitted by scikit-learn on its toy data sets and exported by skl2onnx, by name: between
    them the ai.onnx.ml operators (scalers, linear, tree-ensemble and SVM models, imputer, one-hot,
    ZipMap's sequence of maps), a Scan with a body graph, string tensors and com.microsoft's Tokenizer.
    """
    pytest.importorskip("skl2onnx")
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import StringTensorType
    from sklearn.datasets import load_diabetes, load_wine
    from sklearn.decomposition import PCA
    from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import KBinsDiscretizer, Normalizer, OneHotEncoder, StandardScaler
    from sklearn.svm import SVC

    x, y = load_wine(return_X_y=True)
    wine = (x.astype(np.float32), y)
    x, y = load_diabetes(return_X_y=True)
    diabetes = (x.astype(np.float32), y)
    words = np.array(["the cat sat", "a dog ran", "the dog sat on the cat", "cats and dogs"])
    labels = np.array([0, 1, 1, 0])
    texts = {"initial_types": [("text", StringTensorType([None]))]}
    columns = {"initial_types": [("text", StringTensorType([None, 1]))]}
    # name -> (estimator, training data, how to_onnx learns the inputs: by default from the data)
    fitted: dict[str, tuple[Any, tuple[np.ndarray, np.ndarray], dict[str, Any]]] = {
        "pipeline": (make_pipeline(StandardScaler(), PCA(4), LogisticRegression(max_iter=1000)), wine, {}),
        "forest": (RandomForestClassifier(n_estimators=4, max_depth=4, random_state=0), wine, {}),
        "svm": (make_pipeline(Normalizer(), SVC(probability=True, random_state=0)), wine, {}),
        "boosting": (GradientBoostingRegressor(n_estimators=5, max_depth=3, random_state=0), diabetes, {}),
        "neighbours": (KNeighborsClassifier(3), wine, {}),
        "mlp": (MLPClassifier((8,), max_iter=50, random_state=0), wine, {}),
        "bins": (
            make_pipeline(SimpleImputer(), KBinsDiscretizer(3, encode="onehot-dense"), Ridge()),
            diabetes,
            {},
        ),
        "tfidf": (
            make_pipeline(TfidfVectorizer(), LogisticRegression()),
            (words, labels),
            {**texts, "options": {LogisticRegression: {"zipmap": False}}},
        ),
        "strings": (
            make_pipeline(OneHotEncoder(handle_unknown="ignore"), LogisticRegression()),
            (words.reshape(-1, 1), labels),
            columns,
        ),
    }
    models = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence on toy data
        for name, (estimator, (data, target), inputs) in fitted.items():
            estimator.fit(data, target)
            models[name] = to_onnx(estimator, None if inputs else data[:1], **inputs)
    assert tuple(models) == SKLEARN_EXPORTS
    return {name: model.SerializeToString() for name, model in models.items()}
