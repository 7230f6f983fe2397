"""Index.similar's fast close-match search returns exactly what difflib.get_close_matches does."""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from onnxtext.core.index import close_matches

_EXPORT_NAMES = [
    f"/model/layers.{i}/{part}_output_0" for i in range(60) for part in ("Add", "MatMul", "Mul_1")
]


@given(
    st.lists(st.text("ab_/.0123", max_size=12), max_size=40),
    st.text("ab_/.0123", max_size=12),
    st.integers(1, 4),
)
@settings(max_examples=300, deadline=None)
def test_same_as_difflib(names: list[str], word: str, n: int) -> None:
    assert close_matches(word, names, n) == difflib.get_close_matches(word, names, n)


def test_same_as_difflib_on_export_names() -> None:
    for word in ("/model/layers.7/Add_output_0_x", "/model/layers.70/MatMul_output", "Mul_1", ""):
        assert close_matches(word, _EXPORT_NAMES, 3) == difflib.get_close_matches(word, _EXPORT_NAMES, 3)
