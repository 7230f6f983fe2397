"""Typing a new node with completion, the outline, inlay hints, and a server that survives any text."""

from __future__ import annotations

import collections
from pathlib import Path

import onnx
import pytest
from lsprotocol import types
from onnx import helper
from pytest_lsp import LanguageClient

from onnxtext.lint.files import lint_file
from tests.lsp.editor import SAMPLES, Editor, dumped

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _complete(client: LanguageClient, editor: Editor, position: types.Position) -> list[str]:
    found = await client.text_document_completion_async(types.CompletionParams(editor.ident(), position))
    assert isinstance(found, types.CompletionList)
    return [item.label for item in found.items]


def _end_of(editor: Editor, needle: str) -> types.Position:
    return editor.position(needle, offset=len(needle.encode("utf-16-le")) // 2)


async def test_type_a_new_node_yaml(client: LanguageClient) -> None:
    path = SAMPLES / "squeezenet.yaml"
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    await editor.open()
    await editor.replace("  nodes:\n", "  nodes:\n    - op_type: Re\n")
    ops = await _complete(client, editor, _end_of(editor, "op_type: Re"))
    assert {"Relu", "Reshape", "Conv", "MaxPool"} <= set(ops)
    assert "Gelu" not in ops and "Celu" not in ops  # the model imports opset 9: newer ops are not offered

    await editor.replace("    - op_type: Re\n", "    - op_type: Conv\n      inputs: [da\n")
    values = await _complete(client, editor, _end_of(editor, "inputs: [da"))
    assert {"data_0", "conv1_w_0", "r0", "fire2/squeeze1x1_b_0"} <= set(values)

    await editor.replace(
        "      inputs: [da\n", "      inputs: [data_0, conv1_w_0]\n      attributes: {strides: [1, 1], \n"
    )
    attributes = await _complete(client, editor, _end_of(editor, "attributes: {strides: [1, 1], "))
    assert {"kernel_shape", "pads", "group", "dilations", "auto_pad"} <= set(attributes)
    assert "strides" not in attributes  # already written

    await editor.replace("{name: data_0, type: 'float32[1,3,224,224]'}", "{name: data_0, type: 'flo")
    dtypes = await _complete(client, editor, _end_of(editor, "type: 'flo"))
    assert {"float32", "float16", "bfloat16", "int64"} <= set(dtypes)
    editor.close()


async def test_op_completion_json(client: LanguageClient) -> None:
    path = SAMPLES / "squeezenet.json"
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    await editor.open()
    await editor.replace('"op_type": "Softmax"', '"op_type": "Soft')
    ops = await _complete(client, editor, _end_of(editor, '"op_type": "Soft'))
    assert {"Softmax", "Softplus", "Softsign"} <= set(ops)
    editor.close()


async def test_outline_groups_nodes_by_op(client: LanguageClient) -> None:
    path = SAMPLES / "squeezenet.yaml"
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    await editor.open()
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(editor.ident()))
    assert [s.name for s in symbols] == ["inputs", "outputs", "initializers", "nodes"]
    model = onnx.load(SAMPLES / "squeezenet.onnx")
    inputs, outputs, initializers, nodes = symbols
    assert [s.name for s in inputs.children] == [v.name for v in model.graph.input]
    assert [s.name for s in outputs.children] == [v.name for v in model.graph.output]
    assert len(initializers.children) == len(model.graph.initializer)
    counts = collections.Counter(n.op_type for n in model.graph.node)
    assert {s.name: len(s.children) for s in nodes.children} == counts
    conv = next(s for s in nodes.children if s.name == "Conv")
    assert conv.children[0].name == "n0" and editor.covered(conv.children[0].selection_range) == "n0"
    editor.close()


async def test_inlay_hints_show_inferred_output_types(client: LanguageClient) -> None:
    path = SAMPLES / "squeezenet.yaml"
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    await editor.open()
    first_conv = editor.position("outputs: [r0]")
    whole = types.Range(types.Position(first_conv.line - 2, 0), types.Position(first_conv.line + 2, 0))
    await editor.settled()  # types are inferred once the diagnostics are out and the editor is idle
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(editor.ident(), whole))
    assert [(h.position, h.label) for h in hints] == [
        (_end_of(editor, "outputs: [r0"), ": float32[1,64,111,111]")
    ]
    editor.close()


@pytest.mark.parametrize(
    "text",
    [
        "onnxtext: 2\n",
        "onnxtext: 2\n[1, 2]\n",
        "onnxtext: 2\ngraph: 5\n",
        "onnxtext: 2\ngraph:\n  nodes: [1, {op_type: 3, inputs: 7}, {inputs: [[x]], outputs: {a: 1}}]\n",
        "onnxtext: 2\ngraph:\n  nodes:\n    - op_type: If\n      attributes: {then_branch: {nodes: 1}}\n",
        "onnxtext: 2\n\t- :\n  {[\n",
    ],
)
async def test_any_text_gets_an_answer(
    client: LanguageClient, text: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("odd") / "odd.yaml"
    path.write_text(text, encoding="utf-8")
    editor = Editor(client, path, text)
    published = await editor.open()
    assert [d.code for d in published] == [d.code for d in lint_file(path)]
    for line in range(text.count("\n") + 2):
        for character in (0, 2, 8):
            position = types.Position(line, character)
            await client.text_document_hover_async(types.HoverParams(editor.ident(), position))
            await client.text_document_definition_async(types.DefinitionParams(editor.ident(), position))
            await client.text_document_completion_async(types.CompletionParams(editor.ident(), position))
    await client.text_document_document_symbol_async(types.DocumentSymbolParams(editor.ident()))
    editor.close()
    assert [m.message for m in client.log_messages if m.type == types.MessageType.Error] == []
    # still serving: the clean sample's (empty) diagnostics are published
    path = SAMPLES / "squeezenet.yaml"
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    assert list(await editor.open()) == []
    editor.close()


async def test_other_yaml_files_are_left_alone(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    editor = Editor(client, path, "services:\n  web:\n    image: nginx\n")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(editor.uri, "yaml", 1, editor.text))
    )
    assert (
        await client.text_document_hover_async(types.HoverParams(editor.ident(), types.Position(1, 3)))
        is None
    )
    # typing the format key makes it a document: now it is linted
    published = await editor.set_text("onnxtext: 2\n" + editor.text)
    assert [d.code for d in published] == ["O411", "E201"]  # no ir_version, an unknown key
    editor.close()


async def test_outline_of_functions_and_save(client: LanguageClient, tmp_path: Path) -> None:
    body = [helper.make_node("Mul", ["a", "a"], ["sq"]), helper.make_node("Add", ["sq", "a"], ["y"])]
    square = helper.make_function("local", "SquarePlus", ["a"], ["y"], body, [helper.make_opsetid("", 17)])
    graph = helper.make_graph(
        [helper.make_node("SquarePlus", ["x"], ["out"], domain="local", name="call")],
        "main",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("out", onnx.TensorProto.FLOAT, [2])],
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("local", 1)]
    model = helper.make_model(graph, functions=[square], opset_imports=opsets, ir_version=8)
    path = dumped(model, tmp_path, "function.json")
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    first = await editor.open()
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(editor.ident()))
    assert [s.name for s in symbols] == ["inputs", "outputs", "nodes", "SquarePlus"]
    function = symbols[-1]
    assert function.kind == types.SymbolKind.Module
    assert [(s.name, [c.name for c in s.children]) for s in function.children[:2]] == [
        ("inputs", ["a"]),
        ("outputs", ["y"]),
    ]
    assert [(op.name, [n.name for n in op.children]) for op in function.children[2].children] == [
        ("Add", ["Add #1"]),
        ("Mul", ["Mul #0"]),
    ]
    # saving lints again (sidecars or settings may have changed on disk)
    waiting = editor.published_again()
    client.text_document_did_save(types.DidSaveTextDocumentParams(editor.ident()))
    assert [d.code for d in await waiting] == [d.code for d in first]
    editor.close()
