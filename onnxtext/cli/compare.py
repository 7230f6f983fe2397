"""``onnxtext compare``: run two models on the same inputs; exit 0 when their outputs agree, 1 if not."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import numpy as np

from onnxtext.base.errors import OnnxTextError
from onnxtext.cli.common import reports_errors
from onnxtext.surgery.files import read_any
from onnxtext.surgery.parity import compare as compare_models


def _dims(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> dict[str, int]:
    sizes = {}
    for item in value:
        name, sep, size = item.partition("=")
        if not sep or not name or not size.isdigit():
            raise click.BadParameter(f"{item!r} is not NAME=SIZE", ctx, param)
        sizes[name] = int(size)
    return sizes


@click.command()
@click.argument("model_a", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("model_b", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--inputs", type=click.Path(exists=True, file_okay=False, path_type=Path), help="folder of <input>.npy"
)
@click.option(
    "--dim",
    multiple=True,
    callback=_dims,
    metavar="NAME=SIZE",
    help="size of a symbolic dim  [default: the first sizes MODEL_A runs with, said in the report]",
)
@click.option("--rtol", type=float, default=1e-5, show_default=True)
@click.option("--atol", type=float, default=1e-6, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="for the random inputs")
@click.option(
    "--runner", type=click.Choice(["onnxruntime", "reference"]), help="[default: onnxruntime if installed]"
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def compare(
    model_a: Path,
    model_b: Path,
    inputs: Path | None,
    dim: dict[str, int],
    rtol: float,
    atol: float,
    seed: int,
    runner: str | None,
    fmt: str,
) -> None:
    """Run MODEL_A and MODEL_B on the same inputs and report the difference of every output."""
    feeds = _read_inputs(inputs) if inputs else None
    result = compare_models(
        read_any(model_a),
        read_any(model_b),
        feeds,
        dims=dim,
        rtol=rtol,
        atol=atol,
        seed=seed,
        runner=runner,
        folders=(model_a.resolve().parent, model_b.resolve().parent),
    )
    click.echo(json.dumps(result.as_dict(), indent=2) if fmt == "json" else result.render(), nl=fmt == "json")
    sys.exit(0 if result.equal else 1)


def _read_inputs(folder: Path) -> dict[str, np.ndarray]:
    """The ``<input name>.npy`` files under ``folder`` (input ``a/x`` is ``a/x.npy``), by input name."""
    feeds = {}
    for path in sorted(folder.rglob("*.npy")):
        try:
            feeds[path.relative_to(folder).with_suffix("").as_posix()] = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as err:
            raise OnnxTextError("E502", f"cannot read {path}: {err}", hint="inputs are .npy files").at(
                str(path)
            ) from None
    return feeds
