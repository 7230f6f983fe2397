#!/usr/bin/env python
"""Benchmark onnxtext against ``onnx.load``/``onnx.save`` (the floor) and onnx2json/json2onnx.

    python benchmarks/run.py [--quick] [--only WORKLOAD...] [--repeat N]

Inputs are generated into ``benchmarks/work/`` (git-ignored).  Every step of every contender runs
in a fresh child process; wall time is measured around the child and peak RSS is the child's own
``ru_maxrss`` from ``os.wait4``.  Prints a markdown table plus PASS/FAIL per target and writes both,
with machine details, to ``benchmarks/results.md`` (partial runs: ``benchmarks/work/results.md``).
"""

from __future__ import annotations

import argparse
import compileall
import concurrent.futures
import dataclasses
import datetime
import fnmatch
import hashlib
import importlib.metadata
import itertools
import multiprocessing
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import onnx
from contenders import Contender, Lint, Plan, Step, all_contenders, child_env, onnxtext_cli, onnxtext_has
from workloads import Workload, all_workloads, external_locations

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
RESULTS = HERE / "results.md"
NOTES = HERE / "notes.md"  # written by hand: what the figures mean, each target's bound; ends results.md
MIB = 1024 * 1024
METHOD = """\
Each step is a fresh process: times include interpreter start-up and imports. Peak RSS is the
child's own `ru_maxrss` (max over its steps and runs); MB = MiB. Inputs sit in the page cache (warm).
`identical`: the rebuilt file equals `onnx.load(original).SerializeToString()` (for external data:
the proto loaded without its data, plus each data file byte for byte)."""


# --------------------------------------------------------------------------- running one child


@dataclasses.dataclass
class Child:
    """Outcome of one child process."""

    returncode: int
    seconds: float
    rss_mib: float
    log: Path


def _limit_memory(limit_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


def run_child(step: Step, log: Path, *, timeout: float, mem_limit: int) -> Child:
    """Run ``step`` with output to ``log``; wall time around it and the child's own peak RSS."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(
            step.argv,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=child_env(),
            preexec_fn=lambda: _limit_memory(mem_limit),
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    return Child(proc.returncode, seconds, usage.ru_maxrss / 1024, log)


def _failed(child: Child, step: Step) -> str | None:
    """Why the step failed (exit code, or a traceback despite an accepted exit code), else None."""
    tail = child.log.read_text(errors="replace")[-4000:]
    if child.returncode not in step.ok_codes:
        last = [line for line in tail.splitlines() if line.strip()][-1:] or [""]
        return f"{step.label} exit {child.returncode}: {last[0][:160]}"
    if "Traceback (most recent call last)" in tail:
        return f"{step.label}: traceback despite exit {child.returncode}"
    return None


def isolated(function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` run in a forked child, so that the memory it takes never enters this process.

    A timed child is forked from this process and counts its anonymous pages until it execs: its
    ``ru_maxrss`` is at least this process's resident set.  Loading a 238 MB reference here once
    made every later small command "peak" at 122 MB.
    """
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        return pool.submit(function, *args).result()


def _make(name: str) -> Path:
    """Write the input of the workload called ``name`` (run through :func:`isolated`)."""
    workloads, _ = all_workloads()
    return next(w for w in workloads if w.name == name).make(WORK)


# --------------------------------------------------------------------------- correctness


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(16 * MIB):
            digest.update(chunk)
    return digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class Reference:
    """What a rebuilt model must equal: ``onnx.load(original).SerializeToString()``.

    For external data: the proto loaded without its data, plus each external file's hash.  Both the
    rebuilt ``.onnx`` and the data files beside it are compared byte for byte (by SHA-256).
    """

    proto_sha: str
    files: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, model: Path, external: bool) -> Reference:
        proto = onnx.load(str(model), load_external_data=not external)
        sha = hashlib.sha256(proto.SerializeToString()).hexdigest()
        if not external:
            return cls(sha)
        return cls(sha, tuple((loc, _sha256(model.parent / loc)) for loc in external_locations(model)))

    def check(self, out: Path) -> str:
        """``yes``, or what differs."""
        if not out.is_file():
            return "NO (no output)"
        if _sha256(out) != self.proto_sha:
            return "NO (bytes differ)" if not self.files else "NO (model proto differs)"
        for loc, sha in self.files:
            if not (out.parent / loc).is_file():
                return f"NO (no {loc} beside it)"
            if _sha256(out.parent / loc) != sha:
                return f"NO ({loc} differs)"
        return "yes"


# --------------------------------------------------------------------------- measuring a contender


@dataclasses.dataclass
class Row:
    """One line of the table."""

    workload: str
    contender: str
    runs: int = 0
    times: dict[str, float] = dataclasses.field(default_factory=dict)  # median seconds per step label
    total: float | None = None
    rss_mib: float | None = None
    identical: str = "-"
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.total is not None


@dataclasses.dataclass(frozen=True)
class Settings:
    repeat: int
    budget: float
    timeout: float
    mem_limit: int
    keep: bool
    warmup: int


@dataclasses.dataclass
class Trial:
    """A contender being measured on one workload: its plan, its samples so far, and its row."""

    row: Row
    plan: Plan | None = None
    out: Path = Path()
    logs: Path = Path()
    samples: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    totals: list[float] = dataclasses.field(default_factory=list)
    spent: float = 0.0

    @property
    def live(self) -> bool:
        """Set up, and no run has failed."""
        return self.plan is not None and not self.row.note

    def wants_more(self, s: Settings) -> bool:
        return self.live and len(self.totals) < s.repeat and (not self.totals or self.spent < s.budget)


def prepare(contender: Contender, workload: Workload, model: Path, s: Settings) -> Trial:
    """A trial of ``contender`` on ``model``, its setup steps run (untimed); n/a or failed set-up noted."""
    trial = Trial(Row(workload.name, contender.name))
    reason = contender.skip_reason(workload)
    if reason:
        trial.row.note = f"n/a: {reason}"
        return trial
    trial.out = WORK / "out" / workload.name / contender.name
    trial.logs = WORK / "logs" / workload.name / contender.name
    shutil.rmtree(trial.out, ignore_errors=True)
    trial.out.mkdir(parents=True)
    plan = contender.plan(workload, model, trial.out)
    for step in plan.setup:
        child = run_child(step, trial.logs / "setup.log", timeout=s.timeout, mem_limit=s.mem_limit)
        if (why := _failed(child, step)) is not None:
            trial.row.note = f"setup failed: {why}"
            return trial
    trial.plan = plan
    trial.samples = {step.label: [] for step in plan.steps}
    return trial


def run_once(trial: Trial, s: Settings, *, timed: bool) -> None:
    """One run of every step of ``trial``'s plan; a warm-up run (``timed`` false) is not counted."""
    assert trial.plan is not None
    for p in trial.out.iterdir():  # a fresh output folder every time, keeping only the setup products
        if p.name != "setup":
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    times: dict[str, float] = {}
    for step in trial.plan.steps:
        child = run_child(step, trial.logs / f"{step.label}.log", timeout=s.timeout, mem_limit=s.mem_limit)
        trial.row.rss_mib = max(trial.row.rss_mib or 0.0, child.rss_mib)
        if (why := _failed(child, step)) is not None:
            trial.row.note = f"FAILED: {why} (log: {child.log.relative_to(HERE.parent)})"
            return
        times[step.label] = child.seconds
    if timed:
        for label, seconds in times.items():
            trial.samples[label].append(seconds)
        trial.totals.append(sum(times.values()))
        trial.spent += trial.totals[-1]


def finish(trial: Trial, ref: Reference | None, s: Settings) -> Row:
    """The row of ``trial``: medians, and whether its last output equals the reference."""
    row = trial.row
    if trial.live and trial.totals:
        row.runs = len(trial.totals)
        row.times = {label: statistics.median(v) for label, v in trial.samples.items()}
        row.total = statistics.median(trial.totals)
        if trial.plan is not None and trial.plan.output is not None and ref is not None:
            row.identical = ref.check(trial.plan.output)
    if trial.plan is not None:
        _cleanup(trial.out, s.keep)
    return row


def measure_all(
    contenders: list[Contender],
    workload: Workload,
    model: Path,
    ref: Reference | None,
    s: Settings,
    seed: int,
) -> list[Row]:
    """Every contender on ``model``, side by side: ``s.warmup`` untimed rounds, then up to ``s.repeat``
    timed rounds, each running the contenders in a new random order (so that a slow spell of the
    machine, or a cache the previous contender warmed, favours none of them)."""
    rng = random.Random(f"{seed}/{workload.name}")
    trials = [prepare(c, workload, model, s) for c in contenders if c.applies(workload)]
    for round_number in range(s.warmup + s.repeat):
        timed = round_number >= s.warmup
        order = [t for t in trials if (t.wants_more(s) if timed else t.live)]
        rng.shuffle(order)
        for trial in order:
            run_once(trial, s, timed=timed)
    return [finish(t, ref, s) for t in trials]


def _cleanup(out: Path, keep: bool) -> None:
    if not keep:
        shutil.rmtree(out, ignore_errors=True)


# --------------------------------------------------------------------------- report


def _fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def table(rows: list[Row]) -> str:
    """The markdown results table; long notes become numbered footnotes under it."""
    index = {(r.workload, r.contender): r for r in rows}
    footnotes: dict[str, int] = {}
    lines = [
        "| workload | contender | runs | dump s | build s | total s | peak RSS MB | × floor | × onnx2json "
        "| identical | note |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|:-:|---|",
    ]
    for r in rows:
        floor, o2j = index.get((r.workload, "floor")), index.get((r.workload, "onnx2json"))
        ratio_floor = r.total / floor.total if r.ok and floor and floor.ok else None
        ratio_o2j = r.total / o2j.total if r.ok and o2j and o2j.ok else None
        total = _fmt(r.total, 3) if r.ok else ("n/a" if r.note.startswith("n/a") else "FAIL")
        note = r.note
        if len(note) > 50:
            note = f"{note.split(':', 1)[0]} [{footnotes.setdefault(note, len(footnotes) + 1)}]"
        lines.append(
            f"| {r.workload} | {r.contender} | {r.runs or '-'} | {_fmt(r.times.get('dump'), 3)} "
            f"| {_fmt(r.times.get('build'), 3)} | {total} | {_fmt(r.rss_mib, 0)} | {_fmt(ratio_floor)} "
            f"| {_fmt(ratio_o2j)} | {r.identical} | {note.replace('|', '/')} |"
        )
    if footnotes:
        lines += ["", *(f"[{n}] {text}  " for text, n in footnotes.items())]
    return "\n".join(lines)


def targets(rows: list[Row], model_sizes: dict[str, float]) -> list[tuple[str, str, str]]:
    """``(target, measured, PASS|FAIL|n/a)`` for every target the run has data for.

    ``model_sizes``: each workload's ``.onnx`` size in MB (the inline/base64 memory target is relative to it).
    """
    index = {(r.workload, r.contender): r for r in rows}
    out: list[tuple[str, str, str]] = []

    def get(workload: str, contender: str) -> Row | None:
        row = index.get((workload, contender))
        return row if row is not None and row.ok else None

    def check(target: str, ok: bool | None, measured: str) -> None:
        out.append((target, measured, "n/a" if ok is None else "PASS" if ok else "FAIL"))

    def pair(workload: str, name: str, base: str, target: str) -> tuple[Row, Row] | None:
        """The rows of ``name`` and ``base`` when both ran; ``target`` is "not measured" if not."""
        if (workload, name) not in index:
            return None
        r, b = get(workload, name), get(workload, base)
        if not (r and b):
            check(target, None, "not measured")
            return None
        return r, b

    def versus(workload: str, name: str, base: str, limit: float, what: str, memory: bool = False) -> None:
        """``name``'s time at most ``limit`` times ``base``'s (and its peak at most ``base``'s)."""
        target = f"{workload} {name} {what} <= {limit}x {base}"
        if (rows := pair(workload, name, base, target)) is None:
            return
        r, b = rows
        check(
            target,
            r.total <= limit * b.total,
            f"{r.total:.2f} s vs {b.total:.2f} s ({r.total / b.total:.2f}x)",
        )
        if memory:
            check(
                f"{workload} {name} peak RSS <= {base}'s",
                r.rss_mib <= b.rss_mib,
                f"{r.rss_mib:.0f} vs {b.rss_mib:.0f} MB",
            )

    def faster(workload: str, name: str, base: str, factor: float) -> None:
        """``name`` at least ``factor`` times faster than ``base``."""
        target = f"{workload} {name} >= {factor}x faster than {base}"
        if (rows := pair(workload, name, base, target)) is not None:
            r, b = rows
            check(
                target,
                b.total >= factor * r.total,
                f"{b.total / r.total:.2f}x ({r.total:.2f} s vs {b.total:.2f} s)",
            )

    # weights-heavy: the default commands against the floor doing the same check; --no-check against
    # the plain floor; Base64 in JSON against onnx2json's Base64 in JSON
    for workload in ("export", "weights"):
        for fmt, mode in itertools.product(("yaml", "json"), ("npy", "auto")):
            versus(
                workload, f"onnxtext-{fmt}-{mode}-checked", "floor-checked", 1.0, "dump+build", memory=True
            )
            versus(workload, f"onnxtext-{fmt}-{mode}", "floor", 0.75, "dump+build --no-check")
        faster(workload, "onnxtext-json-base64", "onnx2json", 4.0)
    # inline and base64 on the real export: memory within 3x the model
    for fmt, mode in itertools.product(("yaml", "json"), ("inline", "base64")):
        r, size = get("export", f"onnxtext-{fmt}-{mode}"), model_sizes.get("export")
        if r and size:
            check(
                f"export onnxtext-{fmt}-{mode} peak RSS <= 3x the model",
                r.rss_mib <= 3 * size,
                f"{r.rss_mib:.0f} MB vs model {size:.0f} MB ({r.rss_mib / size:.2f}x)",
            )
    # inline mode: the whole dump process per float, against the 2.9 us per float32 of issue 20
    for w in {r.workload for r in rows if r.contender.endswith("-inline")}:
        floats = next((x.floats for x in all_workloads()[0] if x.name == w), 0)
        for fmt in ("yaml", "json"):
            r = get(w, f"onnxtext-{fmt}-inline")
            if r and floats and "dump" in r.times:
                per_float = 1e6 * r.times["dump"] / floats
                check(
                    f"{w} {fmt} inline dump <= 0.58 us per float (5x faster than 2.9)",
                    per_float <= 0.58,
                    f"{per_float:.3f} us per float ({r.times['dump']:.2f} s, whole process)",
                )
    # graph-heavy: against onnx2json and onnx's own printer + parser; lint against the checked build
    for big in ("graph-30k", "graph-50k"):
        faster(big, "onnxtext-json-auto", "onnx2json", 3.0)
        faster(big, "onnxtext-yaml-auto", "onnx2json", 2.0)
        versus(big, "onnxtext-json-auto", "onnx-printer", 1.2, "dump+build")
        lint, build = get(big, "onnxtext-lint"), get(big, Lint.compare_with)
        if (big, "onnxtext-lint") in index:
            target = f"lint of {big} <= 1.0x its checked build"
            if lint and build:
                b = build.times["build"]
                check(
                    target,
                    lint.total <= b,
                    f"lint {lint.total:.2f} s vs build {b:.2f} s ({lint.total / b:.2f}x)",
                )
            else:
                check(target, None, "not measured")
    # external data: the same work done plainly, and memory
    big = "external-2g"
    for name in ("onnxtext-json-npy", "onnxtext-yaml-npy"):
        versus(big, name, "floor", 1.2, "dump+build --no-check")
        versus(big, f"{name}-checked", "floor-checked", 1.2, "dump+build")
    for r in rows:
        if r.workload == big and r.contender.startswith("onnxtext-"):
            ok = None if r.note.startswith("n/a") else (r.ok and r.identical == "yes" and r.rss_mib < 100)
            check(
                f"{big} {r.contender} succeeds (identical output), peak RSS < 100 MB",
                ok,
                f"{_fmt(r.rss_mib, 0)} MB, identical: {r.identical} {r.note}".strip(),
            )
    # start-up, whole process
    for name, limit, what in (
        ("onnxtext-version", 0.15, "onnxtext --version"),
        ("onnxtext-dump", 0.4, "dump of a 1 MB model"),
        ("venv-onnxtext-dump", 0.4, "dump of a 1 MB model in a fresh venv"),
    ):
        if ("startup-1mb", name) in index:
            r = get("startup-1mb", name)
            check(
                f"start-up: {what} <= {limit} s",
                None if r is None else r.total <= limit,
                "not measured" if r is None else f"{r.total:.3f} s",
            )
    # correctness across the board
    built = [r for r in rows if r.contender.startswith("onnxtext-") and r.identical != "-"]
    if built:
        bad = [f"{r.workload}/{r.contender}" for r in built if r.identical != "yes"]
        check(
            "every onnxtext rebuild byte-identical",
            not bad,
            f"{len(built) - len(bad)}/{len(built)} identical"
            + (f"; differ: {', '.join(bad)}" if bad else ""),
        )
    return out


def environment() -> str:
    """Date, platform, CPU, cores and package versions, as markdown bullets."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for dist in (
        "onnxtext",
        "onnx",
        "protobuf",
        "numpy",
        "ruamel.yaml",
        "onnx2json",
        "json2onnx",
        "silero-vad",
    ):
        try:
            versions.append(f"{dist} {importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{dist} (not installed)")
    return "\n".join(
        [
            f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
            f"- platform: {platform.platform()}, Python {platform.python_version()}",
            f"- CPU: {cpu}, {os.cpu_count()} cores; load average at the end "
            f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1/5/15 min; other work skews times)",
            f"- packages: {', '.join(versions)}",
            f"- onnxtext CLI: {' '.join(onnxtext_cli() or ('not available',))}",
        ]
    )


# --------------------------------------------------------------------------- main

# ``--targets``: the rows the targets of benchmarks/notes.md need, workload -> contender globs
TARGET_ROWS = {
    "startup-1mb": ("onnxtext-version", "onnxtext-dump", "venv-*"),
    "export": (
        "floor",
        "floor-checked",
        "onnx2json",
        "onnxtext-*-npy",
        "onnxtext-*-npy-checked",
        "onnxtext-*-auto",
        "onnxtext-*-auto-checked",
        "onnxtext-json-base64",
    ),
    "weights": ("onnxtext-diff",),
    "inline-4m": ("onnxtext-*-inline",),
    "graph-30k": (
        "onnx2json",
        "onnx-printer",
        "onnxtext-*-auto",
        "onnxtext-yaml-auto-checked",
        "onnxtext-lint",
    ),
    "external-2g": ("floor", "floor-checked", "onnxtext-json-npy", "onnxtext-json-npy-checked"),
}


def _wanted(contender: Contender, workload: Workload, targets: bool) -> bool:
    return not targets or any(fnmatch.fnmatch(contender.name, p) for p in TARGET_ROWS.get(workload.name, ()))


def select(workloads: list[Workload], only: list[str] | None, quick: bool) -> list[Workload]:
    """Workloads named (or globbed, or by group letter) in ``only``; ``--quick`` keeps the small ones."""
    if only:
        chosen = [
            w
            for w in workloads
            if any(w.name == o or w.group == o or fnmatch.fnmatch(w.name, o) for o in only)
        ]
    else:
        chosen = workloads
    return [w for w in chosen if w.quick] if quick else chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1 run each, small workloads only")
    parser.add_argument("--only", nargs="+", metavar="WORKLOAD", help="names, globs or groups a/b/c/d")
    parser.add_argument("--repeat", type=int, help="runs per contender (default 3, --quick 1)")
    parser.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="stop repeating a contender once its runs took this many seconds (default 60)",
    )
    parser.add_argument(
        "--warmup", type=int, default=1, help="untimed rounds before the timed ones (default 1)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the contenders' random order in each round"
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a child is killed")
    parser.add_argument("--mem-limit-gb", type=float, default=16.0, help="address-space cap per child")
    parser.add_argument("--contenders", nargs="+", metavar="NAME", help="only these contenders (globs)")
    parser.add_argument("--o2j-external", action="store_true", help="run onnx2json on (c) too (12 GB RAM)")
    parser.add_argument("--targets", action="store_true", help="only the rows the targets need (TARGET_ROWS)")
    parser.add_argument("--keep", action="store_true", help="keep outputs under benchmarks/work/out")
    parser.add_argument("--fresh", action="store_true", help="regenerate the cached synthetic inputs")
    parser.add_argument("--list", action="store_true", help="list workloads and contenders, then exit")
    parser.add_argument(
        "--no-write",
        action="store_true",
        help="write no results file (default: benchmarks/results.md; work/results.md for partial runs)",
    )
    args = parser.parse_args(argv)

    workloads, notes = all_workloads()
    contenders = all_contenders(o2j_external=args.o2j_external)
    if args.contenders:
        contenders = [c for c in contenders if any(fnmatch.fnmatch(c.name, p) for p in args.contenders)]
    if args.list:
        for w in workloads:
            print(f"{w.name:28} ({w.group}{', quick' if w.quick else ''}) {w.description}")
        print("contenders:", ", ".join(c.name for c in contenders))
        return 0
    chosen = select(workloads, args.only or (list(TARGET_ROWS) if args.targets else None), args.quick)
    if not chosen:
        parser.error("no workload selected (see --list)")
    settings = Settings(
        repeat=args.repeat or (1 if args.quick else 3),
        budget=args.budget,
        timeout=args.timeout,
        mem_limit=int(args.mem_limit_gb * 1024**3),
        keep=args.keep,
        warmup=args.warmup,
    )
    if args.fresh:
        shutil.rmtree(WORK, ignore_errors=True)
    # Byte-compile the package once, as installing a wheel does: the children never write bytecode
    # (PYTHONDONTWRITEBYTECODE), so without this each one would compile every module it imports.
    compileall.compile_dir(HERE.parent / "onnxtext", quiet=1)
    WORK.mkdir(parents=True, exist_ok=True)
    print(
        f"onnxtext CLI: {' '.join(onnxtext_cli() or ('not available',))}; "
        f"lint: {onnxtext_has('lint')}, diff: {onnxtext_has('diff')}",
        file=sys.stderr,
    )

    rows: list[Row] = []
    model_sizes: dict[str, float] = {}
    started = time.perf_counter()
    for w in chosen:
        t0 = time.perf_counter()
        model = isolated(_make, w.name)
        model_sizes[w.name] = model.stat().st_size / MIB
        ref = isolated(Reference.of, model, w.external)
        print(f"== {w.name}: {w.description} (ready in {time.perf_counter() - t0:.1f} s)", file=sys.stderr)
        try:
            wanted = [c for c in contenders if _wanted(c, w, args.targets)]
            for row in measure_all(wanted, w, model, ref, settings, args.seed):
                rows.append(row)
                print(
                    f"   {row.contender:22} total {_fmt(row.total, 3):>8} s  "
                    f"rss {_fmt(row.rss_mib, 0):>6} MB  "
                    f"identical {row.identical:4} {row.note}",
                    file=sys.stderr,
                )
        finally:
            if w.temporary and not settings.keep:
                for loc in external_locations(model) if w.external else []:
                    (model.parent / loc).unlink(missing_ok=True)
                model.unlink(missing_ok=True)
                shutil.rmtree(WORK / "out" / w.name, ignore_errors=True)
    elapsed = time.perf_counter() - started

    results = [
        "## Results",
        "",
        table(rows),
        "",
        "## Targets",
        "",
        "| target | measured | verdict |",
        "|---|---|:-:|",
        *(f"| {t} | {m.replace('|', '/')} | {v} |" for t, m, v in targets(rows, model_sizes)),
    ]
    if notes:
        results += ["", "Notes:", "", *(f"- {n}" for n in notes)]
    print("\n".join(results))
    print(f"\n(benchmark took {elapsed:.0f} s)", file=sys.stderr)
    if not args.no_write:
        partial = bool(args.quick or args.only or args.contenders) and not args.targets
        target = WORK / "results.md" if partial else RESULTS  # partial runs leave the committed file alone
        cmd = " ".join(["python benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])])
        target.write_text(
            "\n".join(
                [
                    "# onnxtext benchmarks",
                    "",
                    f"`{cmd}`: {settings.repeat} run(s) per contender (median), {elapsed:.0f} s in all.",
                    "",
                    METHOD,
                    "",
                    environment(),
                    "",
                    *results,
                    "",
                    *([NOTES.read_text()] if NOTES.is_file() else []),
                ]
            )
        )
        print(f"wrote {target.relative_to(HERE.parent)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
