"""``onnxtext summary``: ops, parameters, opsets, inputs and outputs of a model (reads no weights)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from onnxtext.cli.common import reports_errors
from onnxtext.cli.modelio import model_argument
from onnxtext.surgery.files import read_any
from onnxtext.surgery.summary import render, summarize


@click.command()
@model_argument
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def summary(model: Path, fmt: str) -> None:
    """Summarise MODEL (.onnx or document)."""
    facts = summarize(read_any(model))
    click.echo(json.dumps(facts, indent=2) if fmt == "json" else render(facts), nl=fmt == "json")
