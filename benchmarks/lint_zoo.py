#!/usr/bin/env python
"""``onnxtext lint DIR`` over a model zoo: 100 real models and their 100 YAML dumps in one folder.

    python benchmarks/lint_zoo.py prepare   # benchmarks/work/zoo: the models and their dumps (untimed)
    python benchmarks/lint_zoo.py serial    # the same lint, in this one process, file after file
    python -m onnxtext lint --statistics benchmarks/work/zoo   # one worker process per core

Time the last two as whole processes, in alternating pairs, and compare their medians.

The models are the 100 largest of the ``.onnx`` files shipped in the onnx wheel's backend test data
(``tests.models.shipped_models``): the weightless "light" DenseNet-121, Inception, ResNet-50,
ShuffleNet, SqueezeNet, VGG-19... and PyTorch-converted operator cases, 4,168 nodes in all.
``onnxtext lint`` spreads the files over one worker process per core; ``serial`` runs
:func:`onnxtext.lint.files.check_files` with one worker and prints the same statistics, so the
pair's ratio is what the processes buy.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ZOO = HERE / "work" / "zoo"
MODELS = 100


def prepare() -> None:
    sys.path.insert(0, str(ROOT))
    import onnxtext
    from tests.models import shipped_models

    shutil.rmtree(ZOO, ignore_errors=True)
    ZOO.mkdir(parents=True)
    largest = sorted(shipped_models(), key=lambda path: -path.stat().st_size)[:MODELS]
    for k, model in enumerate(sorted(largest)):
        target = ZOO / f"{k:03d}_{model.parent.name}.onnx"
        shutil.copy(model, target)
        onnxtext.dump(target, target.with_suffix(".yaml"))
    print(f"{ZOO}: {len(list(ZOO.glob('*.onnx')))} models, {len(list(ZOO.glob('*.yaml')))} documents")


def serial() -> None:
    from onnxtext.lint import report
    from onnxtext.lint.files import check_files, expand

    found = [d for result in check_files(list(expand([ZOO])), workers=1) for d in result.diagnostics]
    print(report.statistics(found), end="")


if __name__ == "__main__":
    {"prepare": prepare, "serial": serial}[sys.argv[1] if len(sys.argv) > 1 else "prepare"]()
