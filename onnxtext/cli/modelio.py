"""What the surgery commands share: model-or-document arguments, the output option, name lists."""

from __future__ import annotations

from pathlib import Path

import click

from onnxtext.cli.common import OutputFile
from onnxtext.surgery.files import has_document_suffix

model_argument = click.argument("model", type=click.Path(exists=True, dir_okay=False, path_type=Path))
output_option = click.option(
    "-o",
    "--output",
    required=True,
    type=OutputFile(),
    help="where to write: .onnx for a model, .yaml/.yml/.json for a document",
)
force_option = click.option("-f", "--force", is_flag=True, help="overwrite an existing output")


def check_output(output: Path, *inputs: Path) -> None:
    """Usage errors (exit 2) for an output name of no known kind or one that would replace an input."""
    if output.suffix.lower() != ".onnx" and not has_document_suffix(output):
        raise click.UsageError(f"cannot tell what to write to {output}: name it .onnx, .yaml, .yml or .json")
    for source in inputs:
        if output.resolve() == source.resolve():
            raise click.UsageError(f"the output would overwrite the input {source}")


def names(value: str | None) -> list[str] | None:
    """A comma-separated list of value names (None when the option was not given)."""
    if value is None:
        return None
    return [name.strip() for name in value.split(",") if name.strip()]
