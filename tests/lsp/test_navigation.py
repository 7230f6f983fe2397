"""Hover, definition, references and rename over the protocol, on a model with non-ASCII names (a
line holding a character outside the BMP, so UTF-16 columns differ from code points) and an If whose
branches read a value of the main graph."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from lsprotocol import types
from onnx import TensorProto, helper
from pytest_lsp import LanguageClient

from tests.lsp.editor import Editor, dumped

pytestmark = pytest.mark.asyncio(loop_scope="module")

X, A = "entrée_😀", "activé_π"


def _model() -> onnx.ModelProto:
    def branch(op: str, out: str) -> onnx.GraphProto:
        node = helper.make_node(op, [A], [out], name=f"{out}_node")
        return helper.make_graph(
            [node], out, [], [helper.make_tensor_value_info(out, TensorProto.FLOAT, None)]
        )

    nodes = [
        helper.make_node("Relu", [X], [A], name="relu"),
        helper.make_node("Cast", [A], ["casted"], name="cast", to=TensorProto.FLOAT16),
        helper.make_node("Add", [X, A], ["somme"], name="add"),
        helper.make_node(
            "If",
            ["cond"],
            ["chosen"],
            name="choose",
            then_branch=branch("Identity", "then_out"),
            else_branch=branch("Neg", "else_out"),
        ),
    ]
    inputs = [
        helper.make_tensor_value_info(X, TensorProto.FLOAT, ["N", 4]),
        helper.make_tensor_value_info("cond", TensorProto.BOOL, []),
    ]
    outputs = [
        helper.make_tensor_value_info("casted", TensorProto.FLOAT16, ["N", 4]),
        helper.make_tensor_value_info("somme", TensorProto.FLOAT, ["N", 4]),
        helper.make_tensor_value_info("chosen", TensorProto.FLOAT, ["N", 4]),
    ]
    graph = helper.make_graph(nodes, "main", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(model, full_check=True)
    return model


@pytest.fixture(scope="module", params=["yaml", "json"])
def document(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dumped(_model(), tmp_path_factory.mktemp("nav"), f"model.{request.param}")


async def _open(client: LanguageClient, path: Path) -> Editor:
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    assert list(await editor.open()) == []
    return editor


def _quoted(editor: Editor, name: str) -> str:
    return f'"{name}"' if editor.language == "json" else name


async def test_hover_value_op_and_dtype(client: LanguageClient, document: Path) -> None:
    editor = await _open(client, document)
    await editor.settled()
    # the second input of Add, after a non-BMP character on the same line
    add_use = editor.position(f"{_quoted(editor, X)}, {_quoted(editor, A)}", offset=0)
    add_use.character += len(f"{_quoted(editor, X)}, ".encode("utf-16-le")) // 2 + 2
    found = await client.text_document_hover_async(types.HoverParams(editor.ident(), add_use))
    assert found is not None
    text = found.contents.value
    assert text.startswith(f"value **{A}**: `float32[N,4]` (inferred)")
    assert "produced by node 'relu' (`Relu`), line" in text
    assert "read by 4:" in text
    for reader in (
        "'cast' (`Cast`)",
        "'add' (`Add`)",
        "'then_out_node' (`Identity`)",
        "'else_out_node' (`Neg`)",
    ):
        assert reader in text
    assert editor.covered(found.range) == _quoted(editor, A)

    op = await client.text_document_hover_async(types.HoverParams(editor.ident(), editor.position("Relu")))
    assert op is not None
    assert op.contents.value.startswith("**Relu** (ai.onnx, version 14; the model imports opset 17)")
    assert "**Inputs**\n- `X`: T" in op.contents.value

    cast = await client.text_document_hover_async(
        types.HoverParams(editor.ident(), editor.position(_quoted(editor, "float16") + "}"))
    )
    assert cast is not None
    assert "element type **float16** (TensorProto data type 10)" in cast.contents.value
    editor.close()


async def test_definition_and_references_across_subgraphs(client: LanguageClient, document: Path) -> None:
    editor = await _open(client, document)
    use_in_branch = editor.position(_quoted(editor, A), nth=3)  # Neg in else_branch
    where = await client.text_document_definition_async(types.DefinitionParams(editor.ident(), use_in_branch))
    assert where is not None and where.uri == editor.uri
    assert where.range.start == editor.position(_quoted(editor, A), nth=0, offset=0)  # Relu's output
    assert editor.covered(where.range) == _quoted(editor, A)

    refs = await client.text_document_references_async(
        types.ReferenceParams(
            context=types.ReferenceContext(True), text_document=editor.ident(), position=use_in_branch
        )
    )
    assert [r.range.start for r in refs] == [
        editor.position(_quoted(editor, A), nth=k, offset=0) for k in range(5)
    ]
    assert {editor.covered(r.range) for r in refs} == {_quoted(editor, A)}
    uses = await client.text_document_references_async(
        types.ReferenceParams(
            context=types.ReferenceContext(False), text_document=editor.ident(), position=use_in_branch
        )
    )
    assert len(uses) == 4
    # a graph input: its uses are the two nodes that read it (the Add on a line with a surrogate pair)
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            context=types.ReferenceContext(True),
            text_document=editor.ident(),
            position=editor.position(_quoted(editor, X)),
        )
    )
    assert [r.range.start for r in refs] == [
        editor.position(_quoted(editor, X), nth=k, offset=0) for k in range(3)
    ]  # the graph input's name, then the Relu's and the Add's inputs
    assert [editor.covered(r.range) for r in refs] == [_quoted(editor, X)] * 3
    editor.close()


async def test_rename_everywhere_and_refuse_taken_name(client: LanguageClient, document: Path) -> None:
    editor = await _open(client, document)
    at = editor.position(_quoted(editor, A), nth=2)
    prepared = await client.text_document_prepare_rename_async(types.PrepareRenameParams(editor.ident(), at))
    assert isinstance(prepared, types.PrepareRenamePlaceholder) and prepared.placeholder == A
    assert prepared.range.start == editor.position(_quoted(editor, A), nth=2, offset=0)
    assert editor.covered(prepared.range) == _quoted(editor, A)
    nothing = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(editor.ident(), editor.position("Relu"))
    )
    assert nothing is None

    with pytest.raises(Exception, match="'casted' is already the name of a value"):
        await client.text_document_rename_async(types.RenameParams(editor.ident(), at, "casted"))
    with pytest.raises(Exception, match="'else_out' is already the name of a value"):
        await client.text_document_rename_async(types.RenameParams(editor.ident(), at, "else_out"))

    edit = await client.text_document_rename_async(types.RenameParams(editor.ident(), at, "relu: out"))
    assert edit is not None
    edits = edit.changes[editor.uri]
    assert len(edits) == 5
    literal = '"relu: out"' if editor.language == "json" else "'relu: out'"
    assert {e.new_text for e in edits} == {literal}
    after = await editor.apply(edits)
    assert A not in editor.text and editor.text.count(literal) == 5
    assert list(after) == []  # still a valid model: every use followed
    editor.close()


async def test_requests_on_nothing_answer_empty(client: LanguageClient, document: Path) -> None:
    editor = await _open(client, document)
    far = types.Position(10_000, 3)
    assert await client.text_document_hover_async(types.HoverParams(editor.ident(), far)) is None
    assert await client.text_document_definition_async(types.DefinitionParams(editor.ident(), far)) is None
    top = types.Position(0, 0)
    assert await client.text_document_hover_async(types.HoverParams(editor.ident(), top)) is None
    editor.close()


async def test_hover_right_after_an_edit_answers_from_the_new_text(
    client: LanguageClient, document: Path
) -> None:
    """The editor asks before the server has linted the edit: the answer is about the text it sent."""
    editor = await _open(client, document)
    to = f"{_quoted(editor, 'to')}: "
    editor.send(to + _quoted(editor, "float16"), to + "7")
    at = editor.position(to + "7", offset=len(to))
    found = await client.text_document_hover_async(types.HoverParams(editor.ident(), at))
    assert found is not None and "element type **int64** (TensorProto data type 7)" in found.contents.value
    await editor.published()
    relu = next(line for line in editor.text.split("\n") if "Relu" in line)
    editor.send(relu, "\n" + relu)  # a line inserted above the Cast
    at = editor.position(to + "7", offset=len(to))
    found = await client.text_document_hover_async(types.HoverParams(editor.ident(), at))
    assert found is not None and found.contents.value.startswith("attribute **to** of `Cast`")
    assert "element type **int64**" in found.contents.value
    await editor.published()
    editor.close()
