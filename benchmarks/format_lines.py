"""How long documents are: lines per node and bytes, for onnxtext's YAML and JSON, an older onnxtext
checkout (``--old DIR``, e.g. a git worktree at format 1) and onnx2json (``pip install -e '.[bench]'``).

    python benchmarks/format_lines.py [--old /tmp/f1]

Models: silero-vad and SqueezeNet (samples/), DenseNet-121 (onnx test data), a torch dynamo export with
expression dims (made here when torch and onnxscript are installed) and a PaddlePaddle-style model
(SqueezeNet with typed ``float_data`` payloads, a ``-1`` batch and ``?`` dim_params, as Paddle writes).
Tensors as a user dumps them: ``auto`` (big payloads in ``.npy`` sidecars, not counted as lines).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = Path(__file__).resolve().parent.parent
ONNX_DATA = Path(onnx.__file__).parent / "backend" / "test" / "data"


def node_count(model: onnx.ModelProto) -> int:
    def graph_nodes(graph: onnx.GraphProto) -> int:
        total = 0
        for node in graph.node:
            total += 1
            for attr in node.attribute:
                total += sum(
                    graph_nodes(g) for g in [*([attr.g] if attr.HasField("g") else []), *attr.graphs]
                )
        return total

    return graph_nodes(model.graph) + sum(len(f.node) for f in model.functions)


def paddle_style(source: Path, out: Path) -> None:
    model = onnx.load(source)
    for tensor in model.graph.initializer:
        if tensor.data_type == onnx.TensorProto.FLOAT and tensor.HasField("raw_data"):
            values = numpy_helper.to_array(tensor).reshape(-1)
            tensor.ClearField("raw_data")
            tensor.float_data.extend(values.tolist())
    for value in [*model.graph.input, *model.graph.output]:
        dims = value.type.tensor_type.shape.dim
        if len(dims) == 4:
            dims[0].dim_value = -1
            dims[2].dim_param = "?"
            dims[3].dim_param = "?"
    onnx.save(model, out)


def torch_export(out: Path) -> bool:
    try:
        import torch
    except ImportError:
        return False

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = torch.nn.Sequential(
                *[torch.nn.Sequential(torch.nn.Conv2d(16, 16, 3, stride=2, padding=1), torch.nn.ReLU())] * 4
            )
            self.stem = torch.nn.Conv2d(3, 16, 3, padding=1)
            self.head = torch.nn.Linear(16, 10)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = self.body(self.stem(x))
            return self.head(y.mean(dim=(2, 3)))

    height = torch.export.Dim("height", min=16, max=1024)
    width = torch.export.Dim("width", min=16, max=1024)
    program = torch.onnx.export(
        Net().eval(),
        (torch.randn(1, 3, 64, 64),),
        dynamic_shapes={"x": {2: height, 3: width}},
        dynamo=True,
    )
    program.save(str(out))
    return True


def onnxtext_lines(model: Path, fmt: str, checkout: Path | None) -> tuple[int, int]:
    """(lines, bytes) of the document ``onnxtext dump`` writes, by the given checkout or this one."""
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / f"m.{fmt}"
        # -S: no site hooks, so the editable install of this checkout cannot win over PYTHONPATH
        site = [p for p in sys.path if p.endswith("site-packages")]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(checkout or ROOT), *site])}
        command = [sys.executable, "-S", "-m", "onnxtext", "dump", str(model), "-o", str(doc)]
        subprocess.run(command, env=env, check=True, cwd=tmp)  # not this folder: -m puts it first
        text = doc.read_text()
    return text.count("\n"), len(text.encode())


def onnx2json_lines(model: Path) -> tuple[int, int] | None:
    try:
        from onnx2json import convert
    except ImportError:
        return None
    text = json.dumps(convert(input_onnx_file_path=str(model)), indent=2)
    return text.count("\n"), len(text.encode())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--old", type=Path, help="an older onnxtext checkout to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        models: dict[str, Path] = {
            "silero-vad": ROOT / "samples" / "silero_vad.onnx",
            "DenseNet-121": ONNX_DATA / "light" / "light_densenet121.onnx",
        }
        if torch_export(Path(tmp) / "torch.onnx"):
            models["torch dynamo export"] = Path(tmp) / "torch.onnx"
        paddle_style(ROOT / "samples" / "squeezenet.onnx", Path(tmp) / "paddle.onnx")
        models["PaddlePaddle-style"] = Path(tmp) / "paddle.onnx"
        columns: dict[str, Callable[[Path], tuple[int, int] | None]] = {}
        if args.old:
            columns["format 1 YAML"] = lambda m: onnxtext_lines(m, "yaml", args.old)
        columns["format 2 YAML"] = lambda m: onnxtext_lines(m, "yaml", None)
        columns["format 2 JSON"] = lambda m: onnxtext_lines(m, "json", None)
        columns["onnx2json"] = onnx2json_lines
        print("| model (nodes) | " + " | ".join(columns) + " |")
        print("|---" * (len(columns) + 1) + "|")
        for name, path in models.items():
            nodes = node_count(onnx.load(path, load_external_data=False))
            cells = []
            for measure in columns.values():
                result = measure(path)
                cells.append(
                    "n/a" if result is None else f"{result[0] / nodes:.1f} ({result[1] / 1024:.0f} KB)"
                )
            print(f"| {name} ({nodes}) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    np.set_printoptions(threshold=10)
    main()
