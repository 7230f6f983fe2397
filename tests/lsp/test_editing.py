"""Typing a new node with completion, the outline, inlay hints, and a server that survives any text."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from pathlib import Path

import onnx
import pytest
import yaml
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


async def test_op_completion_right_after_op_type(client: LanguageClient) -> None:
    """Nothing typed after ``op_type: `` yet (VS Code asks on the space): ops, not element types."""
    path = SAMPLES / "squeezenet.yaml"
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    await editor.open()
    await editor.replace("  nodes:\n", "  nodes:\n    - op_type: \n")
    ops = await _complete(client, editor, _end_of(editor, "    - op_type: "))
    assert {"Relu", "Conv", "MaxPool"} <= set(ops)
    assert "float32" not in ops
    editor.close()


@pytest.mark.parametrize("layout", ["pyyaml", "json.dump"])
async def test_attribute_completion_on_a_new_line_of_a_block_mapping(
    client: LanguageClient, tmp_path: Path, layout: str
) -> None:
    """Documents written by other tools hold ``attributes`` as a block mapping, one key a line:
    PyYAML (a node's keys sorted, so ``op_type`` comes after ``attributes``) and
    ``json.dump(indent=2)``."""
    tree = json.loads((SAMPLES / "squeezenet.json").read_text(encoding="utf-8"))
    if layout == "pyyaml":
        tree["graph"]["nodes"] = [dict(sorted(node.items())) for node in tree["graph"]["nodes"]]
        path, text = tmp_path / "squeezenet.yaml", yaml.safe_dump(tree, sort_keys=False)
        line, typed = "      kernel_shape:\n      - 3\n", "      "
    else:
        path, text = tmp_path / "squeezenet.json", json.dumps(tree, indent=2)
        line, typed = '          "kernel_shape": [\n            3,\n', '          "'
    path.write_text(text, encoding="utf-8")
    editor = Editor(client, path, text)
    await editor.open()
    at = editor.text.index(line)  # a new line above the Conv's last attribute
    await editor.set_text(editor.text[:at] + typed + "\n" + editor.text[at:])
    position = types.Position(editor.text.count("\n", 0, at), len(typed))
    attributes = await _complete(client, editor, position)
    assert {"dilations", "group", "auto_pad"} <= set(attributes)
    assert not {"kernel_shape", "pads", "strides"} & set(attributes)  # written already, above or below
    editor.close()


async def test_op_completion_json(client: LanguageClient) -> None:
    path = SAMPLES / "squeezenet.json"
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    await editor.open()
    await editor.replace('"op_type": "Softmax"', '"op_type": "Soft')
    ops = await _complete(client, editor, _end_of(editor, '"op_type": "Soft'))
    assert {"Softmax", "Softplus", "Softsign"} <= set(ops)
    editor.close()


def _inside(inner: types.Range, outer: types.Range) -> bool:
    start, end = (inner.start.line, inner.start.character), (inner.end.line, inner.end.character)
    return (outer.start.line, outer.start.character) <= start and end <= (outer.end.line, outer.end.character)


def _check_nesting(symbols: Sequence[types.DocumentSymbol]) -> None:
    """Each symbol's range holds its children, and no two siblings claim the same text."""
    for before, after in itertools.pairwise(symbols):
        assert (before.range.end.line, before.range.end.character) <= (
            after.range.start.line,
            after.range.start.character,
        ), (before.name, after.name)
    for symbol in symbols:
        assert _inside(symbol.selection_range, symbol.range), symbol.name
        assert all(_inside(child.range, symbol.range) for child in symbol.children or []), symbol.name
        _check_nesting(symbol.children or [])


def _innermost(symbols: Sequence[types.DocumentSymbol], at: types.Position) -> list[str]:
    """The breadcrumbs an editor shows at ``at``: the names of the symbols holding it, outermost first."""
    for symbol in symbols:
        if _inside(types.Range(at, at), symbol.range):
            return [symbol.name, *_innermost(symbol.children or [], at)]
    return []


async def test_outline_lists_nodes_in_order_and_nests_exactly(client: LanguageClient) -> None:
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
    _check_nesting(symbols)
    labels = [n.name or f"{n.op_type} #{i}" for i, n in enumerate(model.graph.node)]
    listed = [leaf for s in nodes.children for leaf in (s.children or [s])]
    assert [s.name for s in listed] == labels
    runs = [(op, len(list(run))) for op, run in itertools.groupby(n.op_type for n in model.graph.node)]
    assert [(s.name, len(s.children)) if s.children else (s.detail, 1) for s in nodes.children] == runs
    assert any(count > 1 for _, count in runs) and any(count == 1 for _, count in runs)
    # the breadcrumbs at each node's first line (found in the text) end with that very node
    lines = [i for i, line in enumerate(editor.text.split("\n")) if line.startswith("    - op_type: ")]
    assert len(lines) == len(labels)
    for line, label in zip(lines, labels, strict=True):
        assert _innermost(symbols, types.Position(line, 8))[-1] == label
    conv = next(s for s in listed if s.detail == "Conv")
    assert conv.name == "n0" and editor.covered(conv.selection_range) == "n0"
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
    assert [(n.name, n.detail) for n in function.children[2].children] == [
        ("Mul #0", "Mul"),
        ("Add #1", "Add"),
    ]
    # saving lints again (sidecars or settings may have changed on disk)
    waiting = editor.published_again()
    client.text_document_did_save(types.DidSaveTextDocumentParams(editor.ident()))
    assert [d.code for d in await waiting] == [d.code for d in first]
    editor.close()
