#!/usr/bin/env python
"""How fast the pictures of a model and of a change come, timed as a person meets them.

    python benchmarks/view_bench.py [--runs 3] [--nodes 50000] [--view-nodes 2000]

Pictures of a diff: ``onnxtext diff A B --format markdown`` and ``--format svg`` as whole processes,
where A is ``workloads.make_graph(nodes=50000)`` and B the same model with every value under
``/model/layers.7/`` renamed (``/model/block.7/``), one LayerNormalization's epsilon changed and one
initializer zeroed (the edit of the diff benchmark in results.md).  The graph view: from starting
``onnxtext view`` on the YAML dump of a 2,000-node graph to the moment Model Explorer, in headless
Chromium, shows the drawn graph's node count (processed and laid out); the browser is started
before the command, as a person's already runs.  Prints a Markdown table of medians.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import onnx
from onnx import numpy_helper

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.workloads import make_graph  # noqa: E402


def edited(a: Path, b: Path) -> None:
    """B: A with the layer-7 values renamed, one epsilon changed and one initializer zeroed."""
    model = onnx.load(a)
    for node in model.graph.node:
        node.input[:] = [n.replace("/model/layers.7/", "/model/block.7/") for n in node.input]
        node.output[:] = [n.replace("/model/layers.7/", "/model/block.7/") for n in node.output]
    norm = next(n for n in model.graph.node if n.op_type == "LayerNormalization")
    next(a for a in norm.attribute if a.name == "epsilon").f = 1e-3
    first = model.graph.initializer[0]
    first.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(first) * 0, first.name))
    onnx.save(model, b)


def timed(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
        assert done.returncode in (0, 1), done.stderr.decode()[-500:]
    return statistics.median(times)


def view_time(document: Path, runs: int) -> float:
    from tests.pictures.browser import browser, in_frame, wait_for

    times = []
    with browser() as driver:
        for _ in range(runs):
            start = time.perf_counter()
            process = subprocess.Popen(
                [sys.executable, "-m", "onnxtext", "view", str(document), "--no-browser"],
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            try:
                driver.get(process.stdout.readline().strip())  # type: ignore[union-attr]
                wait_for(driver, "return window.onnxtextView && window.onnxtextView.ready[0]", 60)
                in_frame(
                    driver,
                    0,
                    lambda: wait_for(driver, "return /op node count/.test(document.body.innerText)", 60),
                )
                times.append(time.perf_counter() - start)
            finally:
                process.terminate()
                process.wait()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--nodes", type=int, default=50000)
    parser.add_argument("--view-nodes", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        a, b = make_graph(folder / "a.onnx", nodes=args.nodes), folder / "b.onnx"
        edited(a, b)
        diff = [sys.executable, "-m", "onnxtext", "diff", str(a), str(b)]
        rows = [
            (f"`diff --format text`, {args.nodes:,} nodes", timed(diff, args.runs)),
            (
                f"`diff --format markdown`, {args.nodes:,} nodes",
                timed([*diff, "--format", "markdown"], args.runs),
            ),
            (f"`diff --format svg`, {args.nodes:,} nodes", timed([*diff, "--format", "svg"], args.runs)),
        ]
        small = make_graph(folder / "small.onnx", nodes=args.view_nodes)
        document = folder / "small.onnx.yaml"
        subprocess.run(
            [sys.executable, "-m", "onnxtext", "dump", str(small), "-o", str(document)], check=True, cwd=ROOT
        )
        rows.append(
            (
                f"`view` of a {args.view_nodes:,}-node document, until the graph is drawn",
                view_time(document, args.runs),
            )
        )
    print("| what | median (s) |\n| --- | --- |")
    for what, seconds in rows:
        print(f"| {what} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
