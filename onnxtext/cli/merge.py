"""``onnxtext merge``: combine two models into one (shared inputs by name, or B fed by A)."""

from __future__ import annotations

from pathlib import Path

import click

from onnxtext.cli.common import errors_about, reports_errors
from onnxtext.cli.modelio import check_output, force_option, output_option
from onnxtext.surgery.files import read_with_data, write_any
from onnxtext.surgery.merge import merge as merge_models
from onnxtext.surgery.verify import verified


def _connection(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> list[tuple[str, str]]:
    pairs = []
    for item in value:
        out, sep, into = item.partition(":")
        if not sep or not out or not into:
            raise click.BadParameter(f"{item!r} is not OUT_OF_A:IN_OF_B", ctx, param)
        pairs.append((out, into))
    return pairs


@click.command()
@click.argument("model_a", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("model_b", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_option
@click.option("--prefix-a", default="", help="prefix for every name of A")
@click.option("--prefix-b", default="", help="prefix for every name of B")
@click.option(
    "--connect",
    multiple=True,
    callback=_connection,
    metavar="OUT_OF_A:IN_OF_B",
    help="feed B from A (repeatable)",
)
@force_option
@reports_errors
def merge(
    model_a: Path,
    model_b: Path,
    output: Path,
    prefix_a: str,
    prefix_b: str,
    connect: list[tuple[str, str]],
    force: bool,
) -> None:
    """Combine MODEL_A and MODEL_B (.onnx or documents) into one model.

    Weights in external data are read in from each model's files; a .onnx output then keeps its
    own in OUTPUT.data beside it.
    """
    check_output(output, model_a, model_b)
    (a, a_data), (b, b_data) = read_with_data(model_a), read_with_data(model_b)
    with errors_about(model_a):
        merged = merge_models(a, b, connect=connect, prefix_a=prefix_a, prefix_b=prefix_b)
        merged = verified(merged, [a, b], "merge")
    write_any(merged, output, source=model_a, force=force, external_data=a_data or b_data)
