"""``onnxtext schema``: print or write the JSON Schema of the document (for editors and CI)."""

from __future__ import annotations

from pathlib import Path

import click

from onnxtext.cli.common import OutputFile, reports_errors


@click.command()
@click.option(
    "-o",
    "--output",
    type=OutputFile(),
    help="file to write [default: print to stdout]",
)
@reports_errors
def schema(output: Path | None) -> None:
    """Print the JSON Schema (draft 2020-12) of onnxtext documents: keys, types, every onnx op."""
    from onnxtext.schema import schema_text

    if output is None:
        click.echo(schema_text(), nl=False)
    else:
        output.write_text(schema_text(), encoding="utf-8")
