"""``onnxtext extract``: cut a sub-model out between named values."""

from __future__ import annotations

from pathlib import Path

import click

from onnxtext.cli.common import errors_about, reports_errors
from onnxtext.cli.modelio import check_output, force_option, model_argument, names, output_option
from onnxtext.surgery.extract import extract as extract_model
from onnxtext.surgery.files import read_located, write_any
from onnxtext.surgery.verify import verified


@click.command()
@model_argument
@click.option("--outputs", required=True, help="comma-separated values the sub-model computes")
@click.option("--inputs", help="comma-separated values it starts from  [default: the model's inputs]")
@output_option
@force_option
@reports_errors
def extract(model: Path, outputs: str, inputs: str | None, output: Path, force: bool) -> None:
    """Write the part of MODEL (.onnx or document) that computes --outputs from --inputs."""
    check_output(output, model)
    whole, folder = read_located(model)
    with errors_about(model):
        cut = extract_model(whole, names(outputs) or [], names(inputs), data_dir=folder)
        result = verified(cut, [whole], "extract")
    write_any(result, output, source=model, force=force)
