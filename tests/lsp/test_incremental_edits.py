"""Ranged changes over the protocol, as an editor sends typing: the server derives each version from
the previous one when it can (:mod:`onnxtext.lsp.incremental`), and its diagnostics must be those of
the same text opened afresh."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.editor import SAMPLES, Editor

pytestmark = pytest.mark.asyncio(loop_scope="module")
_fresh = itertools.count()


def _key(found: types.Diagnostic) -> tuple[object, ...]:
    return (found.range, found.code, found.severity, found.message)


async def _same_as_fresh(client: LanguageClient, editor: Editor, got: object, folder: Path) -> None:
    """The diagnostics ``got`` for the editor's text equal those of a fresh open of that text."""
    path = folder / f"fresh{next(_fresh)}{Path(editor.uri).suffix}"
    path.write_text(editor.text, encoding="utf-8")
    fresh = Editor(client, path, editor.text)
    expected = await fresh.open()
    fresh.close()
    assert [_key(d) for d in got] == [_key(d) for d in expected]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["squeezenet.yaml", "squeezenet.json"])
async def test_typing_gives_what_a_fresh_open_gives(
    client: LanguageClient, tmp_path: Path, name: str
) -> None:
    path = SAMPLES / name
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    await editor.open()
    yaml = name.endswith(".yaml")
    relu = "inputs: [r0]" if yaml else '"inputs": ["r0"]'
    broken = relu.replace("r0", "r0x")
    steps = [
        ("n1", "n1_renamed", 0),  # rename a node
        (relu, broken, 0),  # break a reference: R201
        (broken, relu, 0),  # and mend it
        ("r1", "r1", 1),  # an edit that changes nothing
    ]
    if yaml:
        new_node = "    - op_type: Relu\n      name: extra\n      inputs: [r1]\n      outputs: [r1_extra]\n"
        steps += [
            ("    - op_type: MaxPool\n", new_node + "    - op_type: MaxPool\n", 0),  # type a new node
            (new_node, "", 0),  # delete it again
            ("      name: n2\n", "      name: n2\n\n      # a comment\n", 0),  # insert lines in a node
            ("      outputs: [r2]\n", "", 0),  # delete a line of a node: R202-like findings downstream
            ("      inputs: [r1]\n", "      inputs: [r1, \n", 0),  # text that does not parse
            ("      inputs: [r1, \n", "      inputs: [r1]\n", 0),  # and parses again
        ]
    else:
        steps += [
            ('"name": "n2",', '"name": "n2",\n', 0),  # a line break inside a node
            ('        "name": "n3",\n', "", 0),  # a key deleted
            ('"inputs": ["r1"]', '"inputs": ["r1"', 0),  # text that does not parse
            ('"inputs": ["r1"', '"inputs": ["r1"]', 0),
        ]
    for old, new, nth in steps:
        got = await editor.change(old, new, nth)
        await _same_as_fresh(client, editor, got, tmp_path)
    editor.close()
