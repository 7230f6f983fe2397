"""Diagnostics over the protocol: what `onnxtext lint` says, at the same places, as the text is edited."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from onnxtext.core.document import Document
from onnxtext.lint.engine import Selection
from onnxtext.lint.files import lint_file
from onnxtext.lint.fixing import fix_document
from tests.lsp.editor import SAMPLES, Editor
from tests.textsearch import key_position, node_items

pytestmark = pytest.mark.asyncio(loop_scope="module")
OPT_IN = ("N104", "O408")  # the samples are clean under the default rules; these find something in each


def opted_in(folder: Path, name: str) -> Path:
    """A sample (with its sidecars) in ``folder``, whose pyproject.toml selects the opt-in rules."""
    (folder / "pyproject.toml").write_text(f"[tool.onnxtext.lint]\nextend-select = {list(OPT_IN)}\n")
    sidecars = SAMPLES / (name.rsplit(".", 1)[0] + ".tensors")
    if sidecars.is_dir():
        shutil.copytree(sidecars, folder / sidecars.name)
    return Path(shutil.copy(SAMPLES / name, folder))


@pytest.mark.parametrize("name", ["squeezenet.yaml", "squeezenet.json", "silero_vad.yaml"])
async def test_open_publishes_what_lint_reports(client: LanguageClient, name: str, tmp_path: Path) -> None:
    path = opted_in(tmp_path, name)
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    published = await editor.open()
    expected = lint_file(path, Selection(extend_select=OPT_IN))
    assert len(published) == len(expected) > 0
    for got, want in zip(published, expected, strict=True):
        assert got.code == want.code
        assert got.source == "onnxtext"
        assert got.message == (f"{want.message}\nhint: {want.hint}" if want.hint else want.message)
        severity = {"error": 1, "warning": 2, "info": 3}[want.severity]
        assert got.severity == severity
    # where, found in the text: O408 at the ir_version key, N104 at each node item without a name key
    assert {d.code for d in published} <= set(OPT_IN)
    ir_version = key_position(editor.text, "ir_version")
    assert [_start(d) for d in published if d.code == "O408"] in ([], [ir_version])
    unnamed = [(line, col) for line, col, keys in node_items(editor.text) if "name" not in keys]
    assert sorted(_start(d) for d in published if d.code == "N104") == unnamed
    editor.close()


def _start(found: types.Diagnostic) -> tuple[int, int]:
    """Where a diagnostic starts, counted from 1 (the text is ASCII: UTF-16 columns are characters)."""
    return found.range.start.line + 1, found.range.start.character + 1


@pytest.mark.parametrize("name", ["squeezenet.yaml", "squeezenet.json"])
async def test_broken_reference_then_quick_fix(client: LanguageClient, name: str) -> None:
    path = SAMPLES / name
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    before = await editor.open()
    assert not any(d.code == "R201" for d in before)
    # a typo in the Conv's first input, as a person makes it
    quote = '"' if name.endswith(".json") else ""
    after = await editor.replace(f"[{quote}data_0{quote}, ", f"[{quote}data_O{quote}, ")
    dangling = [d for d in after if d.code == "R201"]
    assert len(dangling) == 1
    found = dangling[0]
    assert found.severity == types.DiagnosticSeverity.Error
    assert found.message.startswith("input 'data_O' of node 'n0' is produced by no node")
    assert "hint: did you mean 'data_0' (produced by input, line" in found.message
    assert editor.covered(found.range) == f"{quote}data_O{quote}"
    assert found.range.start == editor.position("data_O", offset=-len(quote))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(editor.ident(), found.range, types.CodeActionContext([found]))
    )
    assert [a.title for a in actions] == ["Change to 'data_0'"]
    fixed = await editor.apply(actions[0].edit.changes[editor.uri])
    assert f"[{quote}data_0{quote}, " in editor.text
    assert [d.code for d in fixed] == [d.code for d in before]
    editor.close()


async def test_syntax_error_shown_and_navigation_kept(client: LanguageClient) -> None:
    path = SAMPLES / "squeezenet.yaml"
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    await editor.open()
    broken = await editor.replace("graph:\n", "graph: [\n")
    assert [d.code for d in broken] == ["E101"]
    assert broken[0].severity == types.DiagnosticSeverity.Error
    # the last good index still answers: F12 on the Conv's first input goes to the graph input
    where = await client.text_document_definition_async(
        types.DefinitionParams(editor.ident(), editor.position("[data_0,", offset=2))
    )
    assert where is not None and editor.covered(where.range) == "data_0"
    assert where.range.start.line == editor.position("{name: data_0,").line
    repaired = await editor.replace("graph: [\n", "graph:\n")
    assert "E101" not in [d.code for d in repaired]
    editor.close()


async def test_quick_fixes_for_unnamed_node_and_missing_domain(
    client: LanguageClient, tmp_path: Path
) -> None:
    path = opted_in(tmp_path, "squeezenet.yaml")
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    published = await editor.open()
    unnamed = next(d for d in published if d.code == "N104")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(editor.ident(), unnamed.range, types.CodeActionContext([unnamed]))
    )
    assert [a.title for a in actions] == ["Name the node 'ConstantOfShape_0'"]
    after = await editor.apply(actions[0].edit.changes[editor.uri])
    assert "      name: ConstantOfShape_0\n" in editor.text
    assert len([d for d in after if d.code == "N104"]) == len([d for d in published if d.code == "N104"]) - 1
    # a node of a domain the model does not import
    after = await editor.replace("op_type: Dropout", "op_type: Dropout\n      domain: ai.onnx.ml")
    missing = next(d for d in after if d.code == "O407")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(editor.ident(), missing.range, types.CodeActionContext([missing]))
    )
    assert len(actions) == 1 and actions[0].title.startswith("Import domain 'ai.onnx.ml' (opset ")
    after = await editor.apply(actions[0].edit.changes[editor.uri])
    assert editor.text.startswith("onnxtext: 2\nir_version: 3\nopset_import: {'': 9, ai.onnx.ml: ")
    assert "O407" not in [d.code for d in after]
    editor.close()


async def _fix(client: LanguageClient, editor: Editor, found: types.Diagnostic) -> list[types.CodeAction]:
    return await client.text_document_code_action_async(
        types.CodeActionParams(editor.ident(), found.range, types.CodeActionContext([found]))
    )


@pytest.mark.parametrize("name", ["squeezenet.yaml", "squeezenet.json"])
async def test_misspelt_op_and_attribute_fixed(client: LanguageClient, name: str) -> None:
    path = SAMPLES / name
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    before = await editor.open()
    quote = '"' if name.endswith(".json") else ""
    await editor.replace(f"{quote}kernel_shape{quote}: [3, 3]}}", f"{quote}kernel_shap{quote}: [3, 3]}}")
    after = await editor.replace(
        f"{quote}op_type{quote}: {quote}Relu{quote}", f"{quote}op_type{quote}: {quote}Rellu{quote}"
    )
    attribute = next(d for d in after if d.code == "O403")
    assert (
        attribute.message
        == "Conv (opset 9) has no attribute 'kernel_shap'\nhint: did you mean 'kernel_shape'?"
    )
    assert editor.covered(attribute.range) == f"{quote}kernel_shap{quote}: [3, 3]"
    op = next(d for d in after if d.code == "O401")
    assert op.message.startswith("op 'Rellu' does not exist in domain '' (ai.onnx)")
    fixes = [await _fix(client, editor, d) for d in (attribute, op)]
    assert [[a.title for a in f] for f in fixes] == [["Change to 'kernel_shape'"], ["Change to 'Relu'"]]
    await editor.apply(fixes[0][0].edit.changes[editor.uri])
    repaired = await editor.apply(fixes[1][0].edit.changes[editor.uri])
    assert editor.text == path.read_text(encoding="utf-8")
    assert [d.code for d in repaired] == [d.code for d in before]
    editor.close()


async def test_output_renamed_by_hand(client: LanguageClient) -> None:
    path = SAMPLES / "squeezenet.yaml"
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    await editor.open()
    after = await editor.replace("outputs: [r0]", "outputs: [conv1_out]")  # the producer, not its reader
    dangling = [d for d in after if d.code == "R201"]
    assert [editor.covered(d.range) for d in dangling] == ["r0"]
    assert "hint: did you mean" in dangling[0].message
    dead = [d for d in after if d.code == "R206"]
    assert len(dead) == 1 and dead[0].message.startswith("no output of node 'n0' is used\nhint: ")
    editor.close()


async def test_quick_fixes_are_the_fixes_lint_applies(client: LanguageClient) -> None:
    """A rule whose hint offers nothing to apply has its quick fix too: the registry's, the very edit
    `onnxtext lint --fix` makes (an unused initializer deleted, the nodes sorted)."""
    path = SAMPLES / "squeezenet.yaml"
    original = path.read_text(encoding="utf-8")
    assert original.endswith("outputs: [softmaxout_1]\n")  # the nodes come last
    editor = Editor(client, path, original)
    await editor.open()
    unused = "  initializers:\n    - {name: unused, type: 'float32[1]', values: [0.0]}\n"
    after = await editor.replace("  initializers:\n", unused)
    actions = await _fix(client, editor, next(d for d in after if d.code == "R205"))
    assert [a.title for a in actions] == ["Remove the unused initializer"]
    expected = fix_document(Document(editor.text, "yaml", str(path), SAMPLES)).text
    fixed = await editor.apply(actions[0].edit.changes[editor.uri])
    assert editor.text == expected == original and list(fixed) == []
    # the first Conv moved below the last node: the quick fix sorts the graph back
    start = original.index("    - op_type: Conv\n      name: n0\n")
    block = original[start : original.index("    - op_type: Relu\n      name: n1\n")]
    moved = await editor.set_text(original.replace(block, "") + block)
    actions = await _fix(client, editor, next(d for d in moved if d.code == "R204"))
    assert [a.title for a in actions] == ["Sort the nodes in topological order"]
    assert list(await editor.apply(actions[0].edit.changes[editor.uri])) == [] and editor.text == original
    editor.close()
