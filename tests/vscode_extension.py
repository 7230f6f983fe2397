"""The VS Code extension's folder (editor-snippets/vscode-extension) and npm in it, for its tests.

`npm ci` runs once into the extension's git-ignored node_modules (again only when package-lock.json is newer
than what it installed); npm runs one at a time in the folder (pytest-xdist may run its tests at once).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "editor-snippets" / "vscode-extension"
NPM = shutil.which("npm")


def npm(*args: str) -> subprocess.CompletedProcess[str]:
    """npm in the extension's folder; its scripts and tests run `python -m onnxtext` of this interpreter."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "ONNXTEXT_PYTHON": sys.executable, "PYTHONPATH": path}
    result = subprocess.run(
        [NPM or "npm", *args], cwd=EXTENSION, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"npm {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


@contextlib.contextmanager
def npm_ready() -> Iterator[None]:
    """The folder to ourselves, its dependencies installed."""
    with open(Path(tempfile.gettempdir()) / "onnxtext-vscode-extension.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _installed():
            npm("ci", "--no-audit", "--no-fund")
        yield


def _installed() -> bool:
    """Whether node_modules holds what package-lock.json asks for (npm's own record, written by `npm ci`)."""
    record = EXTENSION / "node_modules" / ".package-lock.json"
    lock = EXTENSION / "package-lock.json"
    return record.exists() and record.stat().st_mtime >= lock.stat().st_mtime
