"""git integration, in real temporary repositories: textconv diffs and the merge driver of ``.onnx`` files."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

from onnxtext import api
from onnxtext.base.errors import OnnxTextError
from onnxtext.diff import diff_files
from onnxtext.git import drivers as gitdriver

SQUEEZENET = Path(__file__).resolve().parent.parent / "samples" / "squeezenet.onnx"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A git environment of its own: no user or system config, this Python's ``onnxtext`` first on PATH."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
    }


def git(repo: Path, env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False)
    if ok and done.returncode:
        raise AssertionError(f"git {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def onnxtext_cli(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "onnxtext", *args]
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=True)


@pytest.fixture
def repo(tmp_path: Path, env: dict[str, str]) -> Path:
    """A repository with squeezenet committed on ``main`` and the drivers set up by the command."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, env, "init", "-q", "-b", "main")
    onnxtext_cli(path, env, "git-setup")
    shutil.copy(SQUEEZENET, path / "model.onnx")
    git(path, env, "add", ".")
    git(path, env, "commit", "-q", "-m", "squeezenet")
    return path


def edit(model: Path, old: str, new: str) -> None:
    """Change a model with onnxtext: dump, replace one piece of text, build."""
    document = api.dumps(api.read_model(model), "yaml")
    assert document.count(old) == 1, old
    api.save_model(api.loads(document.replace(old, new), "yaml"), model, force=True)


def test_setup_registers_both_drivers_once(repo: Path, env: dict[str, str]) -> None:
    assert (repo / ".gitattributes").read_text() == "*.onnx diff=onnxtext merge=onnxtext\n"
    config = git(repo, env, "config", "--get-regexp", r"^(diff|merge)\.onnxtext\.").stdout
    assert "diff.onnxtext.textconv onnxtext git-textconv\n" in config
    assert "merge.onnxtext.driver onnxtext git-merge %O %A %B %P\n" in config
    again = onnxtext_cli(repo, env, "git-setup")
    assert "already has" in again.stdout
    assert (repo / ".gitattributes").read_text() == "*.onnx diff=onnxtext merge=onnxtext\n"


def test_global_setup_uses_the_users_config(tmp_path: Path, env: dict[str, str]) -> None:
    outside = tmp_path / "anywhere"
    outside.mkdir()
    onnxtext_cli(outside, env, "git-setup", "--global")
    home = Path(env["HOME"])
    assert (home / ".config" / "git" / "attributes").read_text() == "*.onnx diff=onnxtext merge=onnxtext\n"
    assert "textconv = onnxtext git-textconv" in (home / ".gitconfig").read_text()


def test_git_diff_shows_exactly_the_changed_line(repo: Path, env: dict[str, str]) -> None:
    edit(repo / "model.onnx", "ratio: 0.5", "ratio: 0.25")
    diff = git(repo, env, "diff", "--no-color").stdout
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["-      attributes: {ratio: 0.5}", "+      attributes: {ratio: 0.25}"]
    git(repo, env, "commit", "-q", "-am", "ratio")
    shown = git(repo, env, "log", "-p", "-1", "--no-color").stdout
    assert "+      attributes: {ratio: 0.25}" in shown


def test_two_branches_changing_two_nodes_merge(repo: Path, env: dict[str, str]) -> None:
    base = (repo / "model.onnx").read_bytes()
    git(repo, env, "checkout", "-q", "-b", "other")
    edit(repo / "model.onnx", "name: n0\n", "name: first_conv\n")
    git(repo, env, "commit", "-q", "-am", "rename the first conv")
    git(repo, env, "checkout", "-q", "main")
    edit(repo / "model.onnx", "ratio: 0.5", "ratio: 0.25")
    git(repo, env, "commit", "-q", "-am", "ratio")
    git(repo, env, "merge", "-q", "other", "-m", "merge")
    merged = repo / "model.onnx"
    onnx.checker.check_model(onnx.load(merged), full_check=True)
    (repo / "base.onnx").write_bytes(base)
    changes = {(c.kind, c.path) for c in diff_files(repo / "base.onnx", merged).changes}
    assert changes == {("renamed", ("graph", "nodes", 39)), ("changed", ("graph", "nodes", 100))}
    assert not (repo / "model.conflict.yaml").exists()


def test_two_branches_changing_two_attributes_of_one_node_merge(repo: Path, env: dict[str, str]) -> None:
    """The attributes share one line, so git's line merge conflicts; the element-wise merge does not."""
    node = "outputs: [r2]\n      attributes: {strides: [2, 2], pads: [0, 0, 0, 0]"
    git(repo, env, "checkout", "-q", "-b", "other")
    edit(repo / "model.onnx", node, node.replace("pads: [0, 0, 0, 0]", "pads: [1, 1, 1, 1]"))
    git(repo, env, "commit", "-q", "-am", "pad the first pool")
    git(repo, env, "checkout", "-q", "main")
    edit(repo / "model.onnx", node, node.replace("strides: [2, 2]", "strides: [1, 1]"))
    git(repo, env, "commit", "-q", "-am", "stride 1 in the first pool")
    git(repo, env, "merge", "-q", "other", "-m", "merge")
    shown = gitdriver.textconv(repo / "model.onnx")
    assert "attributes: {strides: [1, 1], pads: [1, 1, 1, 1], kernel_shape: [3, 3]}" in shown
    assert not (repo / "model.conflict.yaml").exists()
    session = onnxruntime.InferenceSession(str(repo / "model.onnx"))
    (probs,) = session.run(None, {"data_0": np.ones((1, 3, 224, 224), np.float32)})
    assert probs.shape == (1, 1000, 1, 1)


def test_both_changing_one_attribute_stops_and_says_where(repo: Path, env: dict[str, str]) -> None:
    git(repo, env, "checkout", "-q", "-b", "other")
    edit(repo / "model.onnx", "ratio: 0.5", "ratio: 0.4")
    git(repo, env, "commit", "-q", "-am", "ratio 0.4")
    git(repo, env, "checkout", "-q", "main")
    edit(repo / "model.onnx", "ratio: 0.5", "ratio: 0.3")
    git(repo, env, "commit", "-q", "-am", "ratio 0.3")
    ours = (repo / "model.onnx").read_bytes()
    merge = git(repo, env, "merge", "other", "-m", "merge", ok=False)
    assert merge.returncode != 0
    report = merge.stdout + merge.stderr
    assert "CONFLICT" in report and "E702" in report
    assert re.search(
        r"model\.conflict\.yaml:\d+:1: error E702 .*graph\.nodes\[100\]\.attributes\.ratio", report
    )
    assert (repo / "model.onnx").read_bytes() == ours  # the branch's model, untouched
    conflict = (repo / "model.conflict.yaml").read_text()
    assert "<<<<<<< model.onnx (ours)\n      attributes: {ratio: 0.3}\n=======\n" in conflict
    assert "      attributes: {ratio: 0.4}\n>>>>>>> model.onnx (theirs)\n" in conflict
    resolved = re.sub(r"<<<<<<< .*\n.*\n=======\n(.*\n)>>>>>>> .*\n", r"\1", conflict)
    (repo / "model.conflict.yaml").write_text(resolved)
    onnxtext_cli(repo, env, "build", "model.conflict.yaml", "-o", "model.onnx", "--force")
    assert "ratio: 0.4" in gitdriver.textconv(repo / "model.onnx")


def big_weight_model(scale: float = 1.0) -> onnx.ModelProto:
    w = numpy_helper.from_array(np.linspace(-1, 1, 4096, dtype=np.float32).reshape(64, 64) * scale, "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64])],
        initializer=[w],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_textconv_summarises_big_tensors_in_one_line(tmp_path: Path) -> None:
    onnx.save(big_weight_model(), tmp_path / "m.onnx")
    shown = gitdriver.textconv(tmp_path / "m.onnx")
    (weight,) = [line for line in shown.splitlines() if "name: w," in line]
    assert "type: 'float32[64,64]'" in weight and "digest:" in weight and "sha256:" in weight
    assert len(weight) < 200
    (tmp_path / "junk.onnx").write_bytes(b"\xff not a model")
    assert gitdriver.textconv(tmp_path / "junk.onnx").startswith(
        "# onnxtext: E503 not an ONNX model (13 bytes"
    )


def test_merge_driver_refuses_a_merge_the_checker_rejects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each side adds a node writing 'z' at a different place: the text merges, the model is invalid."""
    monkeypatch.chdir(tmp_path)  # git runs the driver at the top of the work tree
    base = big_weight_model()
    ours, theirs = onnx.ModelProto(), onnx.ModelProto()
    ours.CopyFrom(base)
    theirs.CopyFrom(base)
    ours.graph.node.insert(0, helper.make_node("Neg", ["x"], ["z"], name="first"))
    theirs.graph.node.append(helper.make_node("Abs", ["y"], ["z"], name="last"))
    for name, model in (("base", base), ("ours", ours), ("theirs", theirs)):
        onnx.save(model, tmp_path / f"{name}.onnx")
    before = (tmp_path / "ours.onnx").read_bytes()
    with pytest.raises(OnnxTextError) as caught:
        gitdriver.merge(tmp_path / "base.onnx", tmp_path / "ours.onnx", tmp_path / "theirs.onnx", "m.onnx")
    assert (caught.value.code, caught.value.file) == ("E401", "m.conflict.yaml")
    assert caught.value.message.startswith("m.onnx: the merged model is not valid: onnx.checker:")
    assert (tmp_path / "ours.onnx").read_bytes() == before
    merged = (tmp_path / "m.conflict.yaml").read_text()
    assert "name: first" in merged and "name: last" in merged


# ------------------------------------------------------------------------------------------ pre-commit

ROOT = Path(__file__).resolve().parent.parent
HOOKED = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml")


def hook_repository(path: Path, env: dict[str, str]) -> str:
    """This project as a hook repository (what pre-commit clones): its package and manifest, committed."""
    path.mkdir()
    for name in HOOKED:
        shutil.copy(ROOT / name, path / name)
    shutil.copytree(ROOT / "onnxtext", path / "onnxtext", ignore=shutil.ignore_patterns("__pycache__"))
    git(path, env, "init", "-q", "-b", "main")
    git(path, env, "add", ".")
    git(path, env, "commit", "-q", "-m", "hooks")
    return git(path, env, "rev-parse", "HEAD").stdout.strip()


def dangling_model() -> onnx.ModelProto:
    """A valid-looking model whose node reads a value nothing defines: a lint error."""
    model = big_weight_model()
    model.graph.node[0].input[0] = "ghost"
    return model


@pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None, reason="pre-commit is not installed")
def test_pre_commit_hooks_format_and_lint(tmp_path: Path, env: dict[str, str]) -> None:
    rev = hook_repository(tmp_path / "hooks", env)
    repo = tmp_path / "use"
    repo.mkdir()
    git(repo, env, "init", "-q", "-b", "main")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {tmp_path / 'hooks'}\n    rev: {rev}\n"
        "    hooks:\n      - id: onnxtext-fmt\n      - id: onnxtext-lint\n"
    )
    canonical = api.dumps(onnx.load(SQUEEZENET), "yaml")
    (repo / "model.yaml").write_text(canonical.replace("ir_version: 3", "ir_version:    3"))
    (repo / "broken.yaml").write_text(api.dumps(dangling_model(), "yaml"))
    (repo / "ci.yaml").write_text("jobs: {test: {runs-on: linux}}\n")  # YAML, but no document
    git(repo, env, "add", ".")
    hook_env = {
        **env,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"),
        # the hook's virtualenv sees this environment's packages: pip installs onnxtext alone
        "VIRTUALENV_SYSTEM_SITE_PACKAGES": "1",
        "PIP_NO_COMPILE": "1",
        **({"PIP_NO_BUILD_ISOLATION": "1"} if importlib.util.find_spec("setuptools") else {}),
    }
    command = [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"]
    first = subprocess.run(command, cwd=repo, env=hook_env, capture_output=True, text=True, check=False)
    assert first.returncode == 1, first.stdout + first.stderr
    assert re.search(r"onnxtext fmt\.+Failed\n- hook id: onnxtext-fmt\n- files were modified", first.stdout)
    assert "reformatted model.yaml" in first.stdout
    assert re.search(r"onnxtext lint\.+Failed", first.stdout)
    assert re.search(r"broken\.yaml:\d+:\d+: error \w+ .*ghost", first.stdout)
    assert "ci.yaml" not in first.stdout and "pre-commit-config" not in first.stdout
    assert (repo / "model.yaml").read_text() == canonical
    assert (repo / "ci.yaml").read_text() == "jobs: {test: {runs-on: linux}}\n"
    (repo / "broken.yaml").unlink()
    git(repo, env, "add", "-A")
    second = subprocess.run(command, cwd=repo, env=hook_env, capture_output=True, text=True, check=False)
    assert second.returncode == 0, second.stdout + second.stderr
    assert re.search(r"onnxtext fmt\.+Passed", second.stdout) and re.search(
        r"onnxtext lint\.+Passed", second.stdout
    )
