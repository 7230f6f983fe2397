"""``build``'s lint gate: lint's C501 and T30x stand for onnx.checker's full check, which then runs once."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest

from onnxtext.api import build
from onnxtext.base.progress import Silent
from onnxtext.core.document import Document
from onnxtext.lint.gate import LintFailed, decode_linted
from tests.lint.cases import chain_model, dumped


@pytest.fixture
def checker_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every model or path onnx.checker.check_model is called with."""
    calls: list[object] = []
    real = onnx.checker.check_model

    def counting(model: object, *args: object, **kwargs: object) -> None:
        calls.append(model)
        real(model, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(onnx.checker, "check_model", counting)
    return calls


def test_build_runs_the_checker_once(tmp_path: Path, checker_calls: list[object]) -> None:
    (tmp_path / "m.yaml").write_text(dumped(chain_model(), "yaml"))
    build(tmp_path / "m.yaml", tmp_path / "m.onnx")
    assert len(checker_calls) == 1  # lint's C501; api.check_model is not run again
    assert onnx.load(tmp_path / "m.onnx") == chain_model()


def test_a_transform_is_checked_after_lint(tmp_path: Path, checker_calls: list[object]) -> None:
    (tmp_path / "m.yaml").write_text(dumped(chain_model(), "yaml"))
    build(tmp_path / "m.yaml", tmp_path / "m.onnx", prune=True)
    assert len(checker_calls) == 2  # lint's C501, then the surgery's own verification: not the build's too


def test_a_transform_that_does_not_verify_is_checked_by_the_build(
    tmp_path: Path, checker_calls: list[object]
) -> None:
    (tmp_path / "m.yaml").write_text(dumped(chain_model(), "yaml"))
    build(tmp_path / "m.yaml", tmp_path / "m.onnx", infer_shapes=True)
    assert len(checker_calls) == 2  # lint's C501, then the build's check of the model shape inference changed


@pytest.mark.parametrize("ignored", ["C501", "T303", "T3"])
def test_without_the_checker_rules_build_checks_itself(
    tmp_path: Path, checker_calls: list[object], ignored: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[tool.onnxtext.lint]\nignore = ["{ignored}"]\n')
    text = dumped(chain_model(), "yaml")
    gated = decode_linted(Document(text, "yaml", "m.yaml", tmp_path), Silent(), print)
    assert not gated.checked and gated.encoding is None and gated.model == chain_model()
    model = gated.model
    checker_calls.clear()
    (tmp_path / "m.yaml").write_text(text)
    build(tmp_path / "m.yaml", tmp_path / "m.onnx")
    assert checker_calls[-1] == model  # api.check_model's full check, after lint's C501 (when selected)
    assert len(checker_calls) == (1 if ignored == "C501" else 2)


def test_an_element_the_decoder_skipped_stops_build_whatever_the_selection(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.onnxtext.lint]\nignore = ["E2"]\n')
    text = dumped(chain_model(), "yaml").replace("name: n2", "name: 5")
    with pytest.raises(LintFailed) as failed:
        decode_linted(Document(text, "yaml", "m.yaml", tmp_path), Silent(), print)
    assert [d.code for d in failed.value.diagnostics] == ["E202"]


def test_a_noqa_comment_leaves_the_check_to_build(tmp_path: Path, checker_calls: list[object]) -> None:
    text = dumped(chain_model(), "yaml").replace("name: chain", "name: chain  # onnxtext: noqa C501")
    assert not decode_linted(Document(text, "yaml", "m.yaml", tmp_path), Silent(), print).checked
