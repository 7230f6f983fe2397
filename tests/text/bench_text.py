"""Time the text layer on a synthetic 50,000-node graph: ``python tests/text/bench_text.py [nodes]``.

Not a test (pytest does not collect it).  Prints the best of three runs for emit, parse and locate in
both formats, the numbers quoted when the text layer's speed is discussed.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from typing import Any

from onnxtext.text import emit, locate, parse


def synthetic_graph(nodes: int, seed: int = 0) -> dict[str, Any]:
    """A document tree shaped like an exported transformer graph: export-style names, small attributes."""
    rng = random.Random(seed)
    ops = ["MatMul", "Add", "Conv", "Relu", "Softmax", "Reshape", "Transpose"]
    items = []
    for index in range(nodes):
        op = rng.choice(ops)
        scope = f"/model/layers.{index // 100}/attn"
        outputs = [f"{scope}/{op}_{index}_output_{k}" for k in range(3)]
        items.append(
            {
                "op_type": op,
                "name": f"{scope}/{op}_{index}",
                "inputs": [outputs[0], outputs[1], f"onnx::{op}_{index}"][: rng.randint(2, 3)],
                "outputs": [outputs[2]],
                "attributes": {"axis": rng.randint(-3, 3), "perm": [0, 2, 1, 3]},
            }
        )
    graph = {"name": "main", "nodes": items}
    return {"ir_version": 8, "opset_import": [{"domain": "", "version": 17}], "graph": graph}


def best_of(runs: int, call: Callable[[], Any]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    tree = synthetic_graph(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
    for fmt in ("yaml", "json"):
        text = emit(tree, fmt)
        assert parse(text, fmt) == tree
        print(f"{fmt}: {len(text) / 1e6:.1f} MB, {text.count(chr(10))} lines")
        print(f"  emit   {best_of(3, lambda fmt=fmt: emit(tree, fmt)):.3f} s")
        print(f"  parse  {best_of(3, lambda fmt=fmt, text=text: parse(text, fmt)):.3f} s")
        print(f"  locate {best_of(1, lambda fmt=fmt, text=text: locate(text, fmt)):.3f} s")


if __name__ == "__main__":
    main()
