"""The decoder's messages say what to do: a did-you-mean for a misspelt element type or enum name, and
a sidecar hint that names the key to change (``sha256`` is a key on the tensor's line, not a line)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest

import onnxtext
from onnxtext.base.diagnostics import Diagnostic
from onnxtext.core.document import Document

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def diagnostics(text: str, fmt: str = "yaml", folder: Path = SAMPLES) -> list[Diagnostic]:
    return Document(text, fmt, f"m.{fmt}", folder).decode().diagnostics


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_misspelt_element_type_in_a_type_string_suggests_the_right_one(fmt: str) -> None:
    text = onnxtext.dumps(onnx.load(SAMPLES / "squeezenet.onnx"), fmt)
    broken = text.replace("float32[1,3,224,224]", "flaot32[1,3,224,224]", 1)
    (found,) = diagnostics(broken, fmt)
    assert (found.code, found.line) == ("E204", line_of(broken, "flaot32"))
    assert found.message == "unknown element type 'flaot32'" and found.hint == "did you mean 'float32'?"


def test_a_misspelt_tensor_type_and_elem_type_suggest_the_right_one() -> None:
    text = onnxtext.dumps(onnx.load(SAMPLES / "silero_vad.onnx"), "yaml")
    tensor = "{name: '', type: 'int64[]', storage: int64_data, values: [16000]}"
    assert tensor in text
    broken = text.replace(tensor, tensor.replace("int64[]", "nit64[]"), 1)
    value_info = "{name: input, type: 'float32[?,?]'}"
    assert value_info in text
    broken = broken.replace(value_info, "{name: input, type: {tensor_type: {elem_type: flaot32}}}", 1)
    found = sorted(diagnostics(broken), key=lambda d: d.line or 0)
    assert [(d.code, d.line, d.hint) for d in found] == [
        ("E204", line_of(broken, "flaot32"), "did you mean 'float32'?"),
        ("E204", line_of(broken, "nit64"), "did you mean 'int64'?"),
    ]


def test_a_misspelt_enum_name_suggests_the_right_one() -> None:
    text = onnxtext.dumps(onnx.load(SAMPLES / "squeezenet.onnx"), "yaml")
    assert "{ratio: 0.5}" in text
    broken = text.replace("{ratio: 0.5}", "{ratio: {type: FLAOT, f: 0.5}}", 1)
    (found,) = diagnostics(broken)
    assert (found.code, found.line, found.hint) == ("E204", line_of(broken, "FLAOT"), "did you mean 'FLOAT'?")


def test_a_changed_sidecar_names_the_key_to_change(tmp_path: Path) -> None:
    doc = tmp_path / "s.yaml"
    onnxtext.dump(SAMPLES / "silero_vad.onnx", doc)
    text = doc.read_text()
    reference = text[text.index("npy: ") + 5 :].split(",")[0]
    sidecar = tmp_path / reference
    array = np.load(sidecar)
    array.reshape(-1)[0] += 1
    np.save(sidecar, array)
    (found,) = diagnostics(text, folder=tmp_path)
    assert (found.code, found.line) == ("E304", line_of(text, reference))
    assert "write sha256: " in found.hint and "remove its sha256 key" in found.hint
    assert "line" not in found.hint


def test_sha256_beside_another_payload_names_the_key() -> None:
    text = onnxtext.dumps(onnx.load(SAMPLES / "squeezenet.onnx"), "yaml")
    start = text.index("values: [")
    broken = text[:start] + "sha256: 00, " + text[start:]
    (found,) = diagnostics(broken)
    assert (found.code, found.line) == ("E202", line_of(broken, "sha256: 00"))
    assert found.hint == "remove the sha256 key from the tensor's mapping"
