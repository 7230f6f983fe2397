"""Real models shipped in the onnx wheel, dumped: lint's diagnostics arrive, and F12 on every node input
lands on the definition of that very name (YAML and JSON): the graph input, initializer or node output
that the text itself shows defining it first (found by reading the dump's lines)."""

from __future__ import annotations

import re
from pathlib import Path

import onnx
import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from onnxtext.lint.files import lint_file
from tests.lsp.editor import Editor, dumped
from tests.models import ONNX_DATA
from tests.textsearch import definitions

pytestmark = pytest.mark.asyncio(loop_scope="module")

MODELS = [("light/light_inception_v1.onnx", "yaml"), ("light/light_resnet50.onnx", "json")]
_USES = re.compile(r"""inputs["']?: \[(.*)\]""")


@pytest.mark.parametrize(("model", "fmt"), MODELS)
async def test_every_input_goes_to_its_definition(
    client: LanguageClient, tmp_path: Path, model: str, fmt: str
) -> None:
    path = dumped(onnx.load(ONNX_DATA / model), tmp_path, f"model.{fmt}")
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    published = await editor.open()
    assert [d.code for d in published] == [d.code for d in lint_file(path)]
    initializers = definitions(editor.text, ("initializers",))
    for unused in (d for d in published if d.code == "R205"):  # at the initializer it names
        name = unused.message.split("'")[1]
        assert unused.range.start.line + 1 == initializers[name][0]
    defined = definitions(editor.text)
    lines = editor.text.split("\n")
    checked = 0
    for number, line in enumerate(lines):
        match = _USES.search(line)
        if match is None or "{" in line:
            continue
        start = match.start(1)
        for item in match.group(1).split(", "):
            name = item.strip("'\"")
            at = types.Position(number, len(line[: start + 1].encode("utf-16-le")) // 2)
            start += len(item) + 2
            if not name:
                continue
            where = await client.text_document_definition_async(types.DefinitionParams(editor.ident(), at))
            assert where is not None, (number, name)
            row, col, written = defined[name]
            assert where.range.start == types.Position(row - 1, col - 1), (number, name)
            assert editor.covered(where.range) == written
            checked += 1
    assert checked > 100
    editor.close()
