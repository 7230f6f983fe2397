"""Every shell block of the README runs as written, top to bottom, in a fresh copy of the project.

The copy is the files git knows (tracked and new, not ignored), as a clone would have them, with a
virtual environment of its own that sees this interpreter's packages: the first set-up command
(``pip install -e . && ...``) then installs onnxtext from the copy and runs it, as on a fresh machine
(the dependencies are already there, so nothing is downloaded).  The second set-up command is the test
suite itself and is not run from inside it.

The blocks run in one bash session from the copy's folder, so a block that moves into a folder and
stays there breaks the blocks after it, as it would for a reader.  Each line must end with the exit
status its comment announces (``# exit 1: ...``), else 0.  Three things of the reader's machine are
stood in for: ``code`` (VS Code's command line) checks the ``.vsix`` it is handed; the browser that
``onnxtext view`` and ``diff --view`` open (``$BROWSER``) fetches the page and then presses Ctrl+C in
the server, as a reader closing it would; and stdin is empty, so ``onnxtext lsp`` ends at once.  The
block that needs npm's registry runs in a test of its own, which skips without npm or offline; the
block that runs the code-server test runs only when that test is asked for (``ONNXTEXT_CODE_SERVER=1``).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"^```bash\n(.*?)^```", README, re.S | re.M)
SETUP, *REST = BLOCKS

CODE = """#!/bin/sh
# VS Code's `code --install-extension FILE`: the package must hold an extension manifest
[ "$1" = --install-extension ] &&
  python -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).getinfo('extension/package.json')" "$2"
"""
BROWSER = """#!/bin/sh
# a reader's browser: fetch the page, look at it, close the server with Ctrl+C
( curl -sf --retry 5 --retry-connrefused --retry-delay 1 "$1" >/dev/null ||
    echo "browser: $1 did not answer" >&2
  kill -INT $PPID ) &
"""


def needs_download(block: str) -> bool:
    return "npm ci" in block


def runs_code_server(block: str) -> bool:
    return "ONNXTEXT_CODE_SERVER=1" in block


def everyday(block: str) -> bool:
    return not needs_download(block) and not runs_code_server(block)


def expected_status(line: str) -> int:
    """The exit status a line's comment announces (``# exit 1: they differ``), else 0."""
    match = re.search(r"#.*\bexit (\d+)", line)
    return int(match.group(1)) if match else 0


def script(blocks: list[str]) -> str:
    """One bash script of ``blocks``, each line checked for its announced exit status."""
    out = ["set -o pipefail"]
    for block in blocks:
        for line in block.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            assert not line.rstrip().endswith("\\") and "<<" not in line, f"one command a line: {line}"
            want = expected_status(line)
            out.append(line)
            said = f'"README line exited $rc, not {want}:" {shlex.quote(line)}'
            out.append(f"rc=$?; [ $rc = {want} ] || {{ echo {said} >&2; exit 1; }}")
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh copy of the project, its own venv, and the environment the README's lines run in."""
    base = tmp_path_factory.mktemp("readme")
    copy = base / "onnxtext"
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(base / "venv")], check=True)
    shims = base / "shims"
    shims.mkdir()
    for name, body in (("code", CODE), ("browser", BROWSER)):
        (shims / name).write_text(body)
        (shims / name).chmod(0o755)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PYTEST"))},
        "PATH": f"{base / 'venv' / 'bin'}{os.pathsep}{shims}{os.pathsep}{os.environ['PATH']}",
        "VIRTUAL_ENV": str(base / "venv"),
        "BROWSER": str(shims / "browser"),
        "HOME": str(base / "home"),  # git-setup --global and the like: the reader's, not ours
        "npm_config_cache": str(Path.home() / ".npm"),  # npm's downloads: kept between runs
        "GIT_AUTHOR_NAME": "reader", "GIT_AUTHOR_EMAIL": "reader@example.com",
        "GIT_COMMITTER_NAME": "reader", "GIT_COMMITTER_EMAIL": "reader@example.com",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }  # fmt: skip
    (base / "home").mkdir()
    return copy, env


def run(blocks: list[str], copy: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script(blocks)], cwd=copy, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def test_the_readme_starts_with_two_setup_commands() -> None:
    assert README.index("```bash") < README.index("\n## "), "the set-up block comes first"
    install, suite = SETUP.strip().splitlines()
    assert install.startswith("pip install -e . && onnxtext ")
    assert suite.startswith("pip install -e '.[test]'") and suite.endswith("pytest -n 2")
    ci = (ROOT / ".ci" / "run").read_text()
    assert suite in ci, ".ci/run runs the README's test command"


def test_every_shell_block_runs_as_written(project: tuple[Path, dict[str, str]]) -> None:
    copy, env = project
    install = SETUP.strip().splitlines()[0]
    done = run([install], copy, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "identical"
    done = run([b for b in REST if everyday(b)], copy, env)
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    assert "Traceback" not in done.stderr, done.stderr[-4000:]
    for made in ("cls-edited.onnx", "squeezenet.yaml", "change.html", "change.svg", "demo/model.onnx"):
        assert (copy / made).is_file(), f"the README's lines should have written {made}"


def _npm_registry() -> str | None:
    """Why the npm block cannot run here, or None."""
    if shutil.which("npm") is None:
        return "npm is not installed"
    try:
        urllib.request.urlopen("https://registry.npmjs.org/-/ping", timeout=10)
    except OSError as err:
        return f"npm's registry is not reachable (offline?): {err}"
    return None


def test_the_blocks_that_download_run_as_written(project: tuple[Path, dict[str, str]]) -> None:
    reason = _npm_registry()
    if reason:
        pytest.skip(reason)
    copy, env = project
    blocks = [b for b in REST if needs_download(b)]
    assert blocks
    for block in blocks:  # run on their own, they must leave the reader where they found them
        assert not re.search(r"(^|&&|;)\s*cd ", block, re.M), "a block that downloads runs its cd in ( )"
    done = run(blocks, copy, env)
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"


def test_the_code_server_block_runs_as_written(project: tuple[Path, dict[str, str]]) -> None:
    if os.environ.get("ONNXTEXT_CODE_SERVER") != "1":
        pytest.skip("the code-server test is opt-in: ONNXTEXT_CODE_SERVER=1")
    copy, env = project
    blocks = [b for b in REST if runs_code_server(b)]
    assert blocks
    done = run(blocks, copy, {**env, "HOME": str(Path.home())})  # its cache: ~/.cache/onnxtext-tests
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
