"""The VS Code extension's graph views in code-server (VS Code in the browser), driven as a person does, with
the keyboard and the mouse, in headless Chromium: "onnxtext: Show Graph" draws the document's graph beside it,
a node clicked in the graph puts the cursor on its line, the cursor's node is selected in the graph, an edit
shows up in the graph, and "onnxtext: Show Changes" draws it against git HEAD, where a node of HEAD's version
puts the cursor on its partner's line.

Opt-in (``ONNXTEXT_CODE_SERVER=1``): code-server is installed from npm once into a cache folder, which takes
minutes (tests/code_server.py). After the graph views, a breaking edit: the language server's lint error in
the Problems panel (Ctrl+Shift+M), and Show Changes following the unsaved edit.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import onnx
import pytest

from tests.code_server import CodeServer
from tests.pictures.browser import browser, needs_browser, search_and_select, wait_for
from tests.pictures.edits import SAMPLES
from tests.vscode_extension import NPM, ROOT, npm, npm_ready

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("ONNXTEXT_CODE_SERVER") != "1",
        reason="opt-in: ONNXTEXT_CODE_SERVER=1 (installs code-server from npm once, which takes minutes)",
    ),
    needs_browser,
    pytest.mark.skipif(NPM is None, reason="needs npm (the extension, code-server)"),
    pytest.mark.skipif(
        importlib.util.find_spec("model_explorer") is None,
        reason="needs Model Explorer's web app (pip install --no-deps ai-edge-model-explorer)",
    ),
]
NAME = "squeezenet.onnx.yaml"
ENTER = "\ue007"  # selenium's Keys.ENTER
# the cursor's line, as the status bar shows it ("Ln 557, Col 5")
LINE = "Number((document.getElementById('status.editor.selection')?.innerText.match(/Ln (\\d+)/) || [])[1])"
SETTINGS = {
    "onnxtext.command": [sys.executable, "-m", "onnxtext"],
    "security.workspace.trust.enabled": False,
    "workbench.startupEditor": "none",
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "workbench.tips.enabled": False,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "chat.disableAIFeatures": True,
    "git.openRepositoryInParentFolders": "never",
    # VS Code in a browser saves after a delay by default: the graph must follow edits nobody saved
    "files.autoSave": "off",
    # typing into the editor as written: no brackets closed, no indentation (VS Code's own for YAML is
    # "advanced") or completion added
    "editor.autoClosingBrackets": "never",
    "[yaml]": {"editor.autoIndent": "none"},
    "editor.quickSuggestions": {"other": False, "comments": False, "strings": False},
    "editor.suggestOnTriggerCharacters": False,
    "editor.acceptSuggestionOnEnter": "off",
}


@pytest.fixture(scope="module")
def vsix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The extension packed as `npm run package` packs it (with this onnxtext's schema)."""
    packed = tmp_path_factory.mktemp("vsix") / "onnxtext.vsix"
    with npm_ready():
        npm("run", "package", "--", "--out", str(packed))
    return packed


def _keys(driver: Any, *keys: str, control: bool = False, shift: bool = False) -> None:
    """Keys typed, with Ctrl and Shift held if asked."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    held = [key for key, down in ((Keys.CONTROL, control), (Keys.SHIFT, shift)) if down]
    chain = ActionChains(driver)
    for key in held:
        chain.key_down(key)
    chain.send_keys(*keys)
    for key in held:
        chain.key_up(key)
    chain.perform()


def _command(driver: Any, title: str) -> None:
    """F1, the command's title, Enter (once the palette lists it)."""
    _keys(driver, "\ue031")  # F1
    wait_for(driver, "return document.querySelector('.quick-input-widget input')")
    _keys(driver, title)
    wait_for(
        driver,
        "return [...document.querySelectorAll('.quick-input-list .monaco-list-row')]"
        f".some(row => row.getAttribute('aria-label').startsWith('{title}'))",
    )
    _keys(driver, ENTER)


def _go_to_line(driver: Any, line: int) -> None:
    _keys(driver, "g", control=True)
    wait_for(driver, "return document.querySelector('.quick-input-widget input')")
    _keys(driver, str(line), ENTER)
    wait_for(driver, f"return {LINE} === {line}")


def _in_view(driver: Any, action: Callable[[], Any], pane: int | None = None) -> Any:
    """``action`` in onnxtext's page of the graph view on screen (VS Code's webview frames it in a frame of
    its own), or in Model Explorer's app of its ``pane``."""
    visible = wait_for(  # the last opened, when two are on screen
        driver,
        "return [...document.querySelectorAll('iframe.webview')].filter(f =>"
        " f.getBoundingClientRect().width > 0 && getComputedStyle(f).visibility === 'visible').pop()",
    )
    driver.switch_to.frame(visible)
    try:
        driver.switch_to.frame(wait_for(driver, "return document.getElementById('active-frame')"))
        driver.switch_to.frame(wait_for(driver, "return document.getElementById('page')"))
        if pane is not None:
            wait_for(driver, f"return window.onnxtextView && window.onnxtextView.ready[{pane}]", 60)
            driver.switch_to.frame(driver.find_elements("css selector", "iframe")[pane])
        return action()
    finally:
        driver.switch_to.default_content()


def _view_says(driver: Any, script: str, pane: int | None = None, timeout: float = 30) -> Any:
    """The first truthy value of ``script`` in the graph view (its page, or the app of its ``pane``)."""
    return _in_view(driver, lambda: wait_for(driver, script, timeout), pane)


def _workspace(folder: Path) -> Path:
    """A git repository with SqueezeNet's dump committed (made by ``onnxtext dump``, as a person does)."""
    folder.mkdir()
    dump = ["dump", str(SAMPLES / "squeezenet.onnx"), "-o", str(folder / NAME)]
    subprocess.run([sys.executable, "-m", "onnxtext", *dump], check=True)
    git = shutil.which("git") or "git"
    author = ["-c", "user.name=onnxtext", "-c", "user.email=onnxtext@localhost"]
    for args in (["init", "-q"], ["add", NAME], [*author, "commit", "-qm", "squeezenet"]):
        subprocess.run([git, *args], cwd=folder, check=True)
    return folder


def test_show_graph_and_show_changes_in_code_server(tmp_path: Path, vsix: Path) -> None:
    workspace = _workspace(tmp_path / "workspace")
    text = (workspace / NAME).read_text(encoding="utf-8")
    model = onnx.load(SAMPLES / "squeezenet.onnx")
    nodes = len(model.graph.node) + len(model.graph.input) + len(model.graph.output)  # Model Explorer's count
    starts = [i + 1 for i, line in enumerate(text.splitlines()) if re.match(r"    - op_type: ", line)]
    dropout = next(k for k, n in enumerate(model.graph.node) if n.op_type == "Dropout")
    python_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    server = CodeServer(tmp_path / "code-server", SETTINGS, {**os.environ, "PYTHONPATH": python_path})
    server.install_extension(vsix)
    count = "return document.body.innerText.match(/op node count\\s+(\\d+)/)"

    with server.serving(workspace) as url, browser() as driver:
        try:
            driver.set_window_size(2560, 1440)  # two graphs side by side in half of it
            driver.get(url)
            wait_for(driver, "return document.querySelector('.explorer-folders-view .monaco-list-row')", 90)
            _keys(driver, "p", control=True)  # quick open
            wait_for(driver, "return document.querySelector('.quick-input-widget input')")
            _keys(driver, NAME)
            wait_for(driver, "return document.querySelector('.quick-input-list .monaco-list-row')")
            _keys(driver, ENTER)
            wait_for(driver, f"return {LINE} === 1", 60)
            _command(driver, "onnxtext: Show Graph")

            # the graph, beside the text: Model Explorer counts the model's nodes, inputs and outputs
            assert int(_view_says(driver, count, pane=0, timeout=60)[1]) == nodes
            # a click on a node in the graph (search, then Alt+click it) puts the cursor on its line
            _in_view(driver, lambda: search_and_select(driver, "Dropout"), pane=0)
            wait_for(driver, f"return {LINE} === {starts[dropout]}")
            # the cursor on a line of another node (two lines into the 4th): the graph selects that node
            _go_to_line(driver, starts[3] + 2)
            _view_says(driver, "return window.onnxtextView.selected[0] === 'graph.nodes[3]'")
            _view_says(driver, "return document.body.innerText.includes('graph.nodes[3]')", pane=0)

            # an edit: a Relu after the Dropout, typed as one line; the graph shows it, with its line
            _go_to_line(driver, starts[dropout + 1])
            reads = model.graph.node[dropout].output[0]
            _keys(
                driver, f"    - {{op_type: Relu, name: extra_relu, inputs: [{reads}], outputs: [r_x]}}", ENTER
            )
            _keys(driver, "\ue013")  # back up to it
            _view_says(driver, "return window.onnxtextView.loads[0] >= 2")
            relu = f"graph.nodes[{dropout + 1}]"
            _view_says(driver, f"return window.onnxtextView.selected[0] === '{relu}'")
            shown = _view_says(
                driver, "return document.body.innerText.includes('extra_relu') && document.body.innerText", 0
            )
            assert re.search(rf"id\s+{re.escape(relu)}\s", shown) and re.search(
                rf"line\s+{starts[dropout + 1]}\b", shown
            )
            _keys(driver, "b", control=True)  # the side bar away, for the picture
            time.sleep(1)
            driver.save_screenshot(str(tmp_path / "show-graph.png"))

            # Show Changes: HEAD's version and the document side by side, the Relu added; a click on the
            # Dropout of HEAD's version puts the cursor on its partner's line in the document
            _command(driver, "onnxtext: Show Changes")
            wait_for(driver, "return document.querySelectorAll('iframe.webview').length === 2")
            session = _view_says(driver, "return window.onnxtextView.session", timeout=60)
            assert session["kind"] == "diff" and [c["kind"] for c in session["changes"]] == ["added"]
            _in_view(driver, lambda: search_and_select(driver, "Dropout"), pane=0)
            wait_for(driver, f"return {LINE} === {starts[dropout]}")
            _view_says(driver, f"return window.onnxtextView.selected[1] === 'graph.nodes[{dropout}]'")
            time.sleep(1)
            driver.save_screenshot(str(tmp_path / "show-changes.png"))

            # a breaking edit, the Dropout reading a value nobody makes: the language server's lint puts it
            # in the Problems panel (Ctrl+Shift+M) at the Dropout's inputs
            lines = text.splitlines()
            inputs = starts[dropout] + next(
                k for k, line in enumerate(lines[starts[dropout] - 1 :]) if line.strip().startswith("inputs:")
            )
            read = model.graph.node[dropout].input[0]
            assert lines[inputs - 1].endswith(f"[{read}]")
            _go_to_line(driver, inputs)
            _keys(driver, "\ue010", "\ue012", "x")  # End, Left: inside the brackets
            _keys(driver, "m", control=True, shift=True)
            problem = wait_for(
                driver,
                "const p = document.querySelector('.markers-panel'); return p && p.innerText.includes('R201')"
                " && p.innerText",
                60,
            )
            name = model.graph.node[dropout].name
            assert f"input '{read}x' of node '{name}' is produced by no node" in problem
            assert f"[Ln {inputs}, Col" in problem, problem
            # and Show Changes follows the edit, unsaved: the Dropout has changed since HEAD
            changed = "return window.onnxtextView.session.changes.find(c => c.kind === 'changed')"
            assert _view_says(driver, changed)["what"] == f"Dropout '{name}'"
            time.sleep(1)
            driver.save_screenshot(str(tmp_path / "problems.png"))
        finally:
            driver.save_screenshot(
                str(tmp_path / "last.png")
            )  # what the screen showed at the end (or failure)
