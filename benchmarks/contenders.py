"""What gets timed: each contender turns a workload into command lines, run in fresh processes.

* ``floor``          ``python -c`` doing ``onnx.load`` + ``onnx.save``: the cost of merely parsing and
                     writing the protobuf; with external data, the same work as onnxtext's (the proto
                     without its data, written; the data file copied).
* ``floor-checked``  the same plus ``onnx.checker.check_model(path, full_check=True)``: what the default
                     ``onnxtext build`` checks.
* ``onnx2json``      the PyPI tools ``onnx2json -if M -oj D.json`` then ``json2onnx -ij D.json -of OUT``.
* ``onnx-printer``   ``onnx.printer.to_text`` then ``onnx.parser.parse_model`` (graph-heavy models; lossy).
* ``onnxtext-F-T``   ``onnxtext dump M -o D.F --tensors T --force`` then
                     ``onnxtext build D.F -o OUT --no-check --force`` (F = yaml|json, T = npy|auto; also
                     inline|base64 on workloads marked ``all_modes``).
* ``onnxtext-F-T-checked``  the same with the default ``build`` (lint gate, onnx.checker): what users run.
* ``onnxtext-version``, ``onnxtext-dump``  start-up (group s): ``onnxtext --version``; one YAML dump.
* ``venv-*``         start-up in a fresh venv where ``pip install .`` resolved the dependencies (``import
                     onnx``; one YAML dump), and the same with ml_dtypes 0.7.0 forced in (what the pin
                     in pyproject.toml keeps out).
* ``onnxtext-lint``  ``onnxtext lint D.yaml`` of a YAML/auto dump made beforehand (untimed), graph workloads.
* ``onnxtext-diff``  ``onnxtext diff A.onnx B.onnx``: two versions of the weights model (one tensor changed).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from workloads import Workload, external_locations

REPO = Path(__file__).resolve().parent.parent

FLOOR_SCRIPT = """\
import os, shutil, sys, onnx
src, dst, location, check = sys.argv[1:5]
if location:  # onnxtext's work: the proto without its data written, the data file copied beside it
    onnx.save(onnx.load(src, load_external_data=False), dst)
    folder = os.path.dirname
    shutil.copyfile(os.path.join(folder(src), location), os.path.join(folder(dst), location))
    if check:
        onnx.checker.check_model(dst, full_check=True)
else:
    model = onnx.load(src)
    if check:
        onnx.checker.check_model(src, full_check=True)
    onnx.save(model, dst)
"""

# onnx's own text format (lossy: no metadata, no doc strings), C++ printer and parser, as a fast reference
PRINT_SCRIPT = "import sys, onnx; open(sys.argv[2], 'w').write(onnx.printer.to_text(onnx.load(sys.argv[1])))"
PARSE_SCRIPT = "import sys, onnx; onnx.save(onnx.parser.parse_model(open(sys.argv[1]).read()), sys.argv[2])"

# What the ``onnxtext`` console script does; used when neither ``python -m onnxtext`` nor the script works.
CLI_SHIM = "import sys; from onnxtext.cli import main; sys.exit(main())"


@dataclasses.dataclass(frozen=True)
class Step:
    """One child process: ``label`` names its column (dump, build, run, lint, diff, setup)."""

    label: str
    argv: list[str]
    ok_codes: tuple[int, ...] = (0,)


@dataclasses.dataclass(frozen=True)
class Plan:
    """``setup`` runs once, untimed; ``steps`` run (and are timed) every repetition, in order.

    ``output`` is the rebuilt model to compare with the original, if the contender makes one.
    """

    steps: list[Step]
    output: Path | None
    setup: list[Step] = dataclasses.field(default_factory=list)


def child_env() -> dict[str, str]:
    """The children's environment: the working tree's ``onnxtext`` comes first on the import path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return env


def _works(argv: list[str]) -> bool:
    try:
        done = subprocess.run(argv, env=child_env(), capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@functools.cache
def onnxtext_cli() -> tuple[str, ...] | None:
    """The command that runs onnxtext's CLI, or None if none of the ways to start it works yet."""
    script = shutil.which("onnxtext")
    candidates = [
        [sys.executable, "-m", "onnxtext"],
        *([[script]] if script else []),
        [sys.executable, "-c", CLI_SHIM],
    ]
    for argv in candidates:
        if _works([*argv, "--help"]):
            return tuple(argv)
    return None


@functools.cache
def onnxtext_has(command: str) -> bool:
    """Whether ``onnxtext <command> --help`` exits 0."""
    cli = onnxtext_cli()
    return cli is not None and _works([*cli, command, "--help"])


def _onnxtext(*args: str | Path) -> list[str]:
    return [*(onnxtext_cli() or ("onnxtext",)), *map(str, args)]


class Contender:
    """Base class: ``applies`` decides if a row appears at all; ``skip_reason`` turns it into n/a."""

    name = "?"

    def applies(self, workload: Workload) -> bool:
        return workload.group != "s"  # the start-up group has contenders of its own

    def skip_reason(self, workload: Workload) -> str | None:
        return None

    def plan(self, workload: Workload, model: Path, out: Path) -> Plan:
        raise NotImplementedError


class Floor(Contender):
    """``onnx.load`` + ``onnx.save`` in one process: the price of touching the protobuf at all.

    With external data, the same work as onnxtext's: the proto is loaded without its data and
    written, and the data file copied (onnxtext never reads the weights).  ``check`` adds
    ``onnx.checker.check_model(path, full_check=True)``: what onnxtext's default build checks.
    """

    def __init__(self, check: bool = False) -> None:
        self.check = check
        self.name = "floor-checked" if check else "floor"

    def plan(self, workload: Workload, model: Path, out: Path) -> Plan:
        location = external_locations(model)[0] if workload.external else ""
        dst = out / model.name
        argv = [sys.executable, "-c", FLOOR_SCRIPT, str(model), str(dst), location, "1" if self.check else ""]
        return Plan([Step("run", argv)], dst)


class Printer(Contender):
    """``onnx.printer.to_text`` then ``onnx.parser.parse_model`` + ``onnx.save`` (graph-heavy models):
    onnx's own C++ text format, lossy, so its output is not compared."""

    name = "onnx-printer"

    def applies(self, workload: Workload) -> bool:
        return workload.group == "b"

    def plan(self, workload: Workload, model: Path, out: Path) -> Plan:
        doc, dst = out / "doc.onnxtxt", out / model.name
        return Plan(
            [
                Step("dump", [sys.executable, "-c", PRINT_SCRIPT, str(model), str(doc)]),
                Step("build", [sys.executable, "-c", PARSE_SCRIPT, str(doc), str(dst)]),
            ],
            None,
        )


class Onnx2Json(Contender):
    """``onnx2json`` + ``json2onnx`` (PINTO0309), called as their READMEs show."""

    name = "onnx2json"

    def __init__(self, external: bool = False) -> None:
        self.external = external  # also try models with external data (fails past 2 GB, see below)

    def skip_reason(self, workload: Workload) -> str | None:
        missing = [tool for tool in ("onnx2json", "json2onnx") if shutil.which(tool) is None]
        if missing:
            return f"{' and '.join(missing)} not installed (pip install -e '.[bench]')"
        if workload.external and not self.external:
            return (
                "json2onnx cannot write >2 GB: onnx2json inlines all external data as base64 "
                "(2.25 GiB -> 3.2 GB JSON, 69 s, 11.8 GB RSS), then json2onnx's fallback to external "
                "data catches ValueError but protobuf raises EncodeError (exit 1 after 58 s, 12.6 GB "
                "RSS); --o2j-external runs it anyway"
            )
        return None

    def plan(self, workload: Workload, model: Path, out: Path) -> Plan:
        doc, dst = out / "doc.json", out / model.name
        return Plan(
            [
                Step("dump", ["onnx2json", "-if", str(model), "-oj", str(doc)]),
                Step("build", ["json2onnx", "-ij", str(doc), "-of", str(dst)]),
            ],
            dst,
        )


class OnnxText(Contender):
    """``onnxtext dump`` to YAML or JSON with a tensor mode, then ``onnxtext build --no-check``, or with
    ``check`` the default ``onnxtext build`` (lint gate and onnx.checker's full check) users run."""

    def __init__(self, fmt: str, mode: str, check: bool = False) -> None:
        self.fmt, self.mode, self.check = fmt, mode, check
        self.name = f"onnxtext-{fmt}-{mode}" + ("-checked" if check else "")

    def applies(self, workload: Workload) -> bool:
        if not super().applies(workload) or (workload.only_modes and self.mode not in workload.only_modes):
            return False
        return self.mode in ("npy", "auto") or workload.all_modes

    def skip_reason(self, workload: Workload) -> str | None:
        if onnxtext_cli() is None:
            return "onnxtext CLI does not start yet"
        missing = [c for c in ("dump", "build") if not onnxtext_has(c)]
        return f"onnxtext {'/'.join(missing)} not available" if missing else None

    def plan(self, workload: Workload, model: Path, out: Path) -> Plan:
        doc, dst = out / f"doc.{self.fmt}", out / model.name
        build = ["build", doc, "-o", dst, "--force", *([] if self.check else ["--no-check"])]
        return Plan(
            [
                Step("dump", _onnxtext("dump", model, "-o", doc, "--tensors", self.mode, "--force")),
                Step("build", _onnxtext(*build)),
            ],
            dst,
        )


class Startup(Contender):
    """One short command of the start-up group, whole process: ``--version``, a YAML dump, or ``import onnx``.

    With ``venv``, the command runs in a fresh virtual environment where onnxtext is installed from this
    tree as a user installs it (see :func:`fresh_venv`), not in the benchmark's own environment;
    ``override`` is a requirement installed over that (``ml_dtypes==0.7.0``: what the pin keeps out).
    """

    def __init__(self, name: str, command: str, *, venv: bool = False, override: str = "") -> None:
        self.name, self.command, self.venv, self.override = name, command, venv, override

    def applies(self, workload: Workload) -> bool:
        return workload.group == "s"

    def skip_reason(self, workload: Workload) -> str | None:
        if self.venv and fresh_venv(self.override) is None:
            return "could not make a fresh venv (pip install of this tree failed; see benchmarks/work/venvs)"
        return None if onnxtext_cli() is not None else "onnxtext CLI does not start yet"

    def plan(self, workload: Workload, model: Path, out: Path) -> Plan:
        python = str(fresh_venv(self.override)) if self.venv else sys.executable
        if self.command == "import-onnx":
            return Plan([Step("run", [python, "-c", "import onnx"])], None)
        cli = [python, "-m", "onnxtext"] if self.venv else list(onnxtext_cli() or ("onnxtext",))
        if self.command == "version":
            return Plan([Step("run", [*cli, "--version"])], None)
        return Plan([Step("dump", [*cli, "dump", str(model), "-o", str(out / "doc.yaml"), "--force"])], None)


@functools.cache
def fresh_venv(override: str = "") -> Path | None:
    """The interpreter of a new virtual environment with onnxtext installed from this tree (``pip install
    .``: the dependency versions pip resolves today, as on a user's fresh install), or None if that fails.

    Made once per ``pyproject.toml`` and ``override`` (installed afterwards without its dependencies),
    under ``benchmarks/work/venvs``; ``--fresh`` removes it with the rest of ``work/``.
    """
    key = hashlib.sha256((REPO / "pyproject.toml").read_bytes() + override.encode()).hexdigest()[:12]
    root = REPO / "benchmarks" / "work" / "venvs" / key
    python = root / "bin" / "python"
    if python.is_file():
        return python
    shutil.rmtree(root, ignore_errors=True)
    steps = [
        [sys.executable, "-m", "venv", str(root)],
        [str(python), "-m", "pip", "install", "--quiet", str(REPO)],
        *([[str(python), "-m", "pip", "install", "--quiet", "--no-deps", override]] if override else []),
    ]
    log = root.with_suffix(".log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as sink:
        for argv in steps:
            if subprocess.run(argv, stdout=sink, stderr=subprocess.STDOUT, check=False).returncode != 0:
                shutil.rmtree(root, ignore_errors=True)
                return None
    return python


class Lint(Contender):
    """``onnxtext lint`` of a YAML (auto) dump of a graph-heavy model; compared with that dump's build."""

    name = "onnxtext-lint"
    compare_with = "onnxtext-yaml-auto-checked"

    def applies(self, workload: Workload) -> bool:
        return workload.group == "b"

    def skip_reason(self, workload: Workload) -> str | None:
        return None if onnxtext_has("lint") and onnxtext_has("dump") else "onnxtext lint not available"

    def plan(self, workload: Workload, model: Path, out: Path) -> Plan:
        doc = out / "setup" / "doc.yaml"
        return Plan(
            [Step("lint", _onnxtext("lint", doc))],
            None,
            setup=[Step("setup", _onnxtext("dump", model, "-o", doc, "--tensors", "auto", "--force"))],
        )


class Diff(Contender):
    """``onnxtext diff`` of two versions of the weights model (one tensor changed), given as the two
    ``.onnx`` files, as users call it; exit code 1 ("they differ") counts as success."""

    name = "onnxtext-diff"

    def applies(self, workload: Workload) -> bool:
        return workload.make_changed is not None

    def skip_reason(self, workload: Workload) -> str | None:
        return None if onnxtext_has("diff") else "onnxtext diff not available"

    def plan(self, workload: Workload, model: Path, out: Path) -> Plan:
        assert workload.make_changed is not None
        changed = workload.make_changed(model.parent)
        return Plan([Step("diff", _onnxtext("diff", model, changed), ok_codes=(0, 1))], None)


def all_contenders(o2j_external: bool = False) -> list[Contender]:
    """Every contender, in the order the table lists them (floor and onnx2json first: ratios use them)."""
    return [
        Floor(),
        Floor(check=True),
        Onnx2Json(external=o2j_external),
        Printer(),
        OnnxText("yaml", "npy"),
        OnnxText("yaml", "auto"),
        OnnxText("json", "npy"),
        OnnxText("json", "auto"),
        OnnxText("yaml", "npy", check=True),
        OnnxText("yaml", "auto", check=True),
        OnnxText("json", "npy", check=True),
        OnnxText("json", "auto", check=True),
        OnnxText("yaml", "inline"),
        OnnxText("yaml", "base64"),
        OnnxText("json", "inline"),
        OnnxText("json", "base64"),
        Startup("onnxtext-version", "version"),
        Startup("onnxtext-dump", "dump"),
        Startup("venv-import-onnx", "import-onnx", venv=True),
        Startup("venv-onnxtext-dump", "dump", venv=True),
        Startup("venv-ml_dtypes-0.7.0-import-onnx", "import-onnx", venv=True, override="ml_dtypes==0.7.0"),
        Startup("venv-ml_dtypes-0.7.0-onnxtext-dump", "dump", venv=True, override="ml_dtypes==0.7.0"),
        Lint(),
        Diff(),
    ]
