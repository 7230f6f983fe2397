"""``onnxtext diff A B``: what changed between two models, in model terms; exits like ``diff``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from onnxtext.cli.common import reports_errors
from onnxtext.diff import ModelDiff, diff_files, render_json, render_text


@click.command()
@click.argument("a", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("b", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff(a: Path, b: Path, fmt: str) -> None:
    """Say what changed from model A to model B (each a .onnx or a document).

    Exit code 0: the same model; 1: they differ; 2: trouble (a file that cannot be read).
    """
    result = _compare(a, b)
    click.echo(render_json(result) if fmt == "json" else render_text(result), nl=False)
    sys.exit(0 if result.same else 1)


def _compare(a: Path, b: Path) -> ModelDiff:
    """:func:`diff_files`, its trouble reported as every command reports it, but with exit code 2."""
    try:
        return reports_errors(diff_files)(a, b)
    except SystemExit:  # reports_errors has printed the report; 1 means "different" here
        raise SystemExit(2) from None
