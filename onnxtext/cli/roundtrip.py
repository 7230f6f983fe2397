"""``onnxtext dump`` and ``onnxtext build``: the lossless round trip between .onnx and text."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from onnxtext import api
from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.errors import OnnxTextError
from onnxtext.cli.common import (
    OutputFile,
    fail,
    format_option,
    progress_bar,
    quiet_option,
    reports_errors,
    tensor_options,
)
from onnxtext.surgery import pipeline


@click.command()
@click.argument("model", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="document to write (.yaml, .yml or .json); - for stdout",
)
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "json"]), help="override the format the extension implies"
)
@tensor_options
@click.option("-f", "--force", is_flag=True, help="overwrite an existing output")
@click.option("--strip-doc", is_flag=True, help="leave out doc strings and metadata_props")
@click.option("--infer-shapes", is_flag=True, help="add the value_info shape inference finds")
@quiet_option
@reports_errors
def dump(
    model: Path,
    output: str,
    fmt: str | None,
    tensors: str,
    inline_max: int,
    npy_min_bytes: int,
    force: bool,
    strip_doc: bool,
    infer_shapes: bool,
    quiet: bool,
) -> None:
    """Write MODEL (.onnx) as an editable YAML/JSON document."""
    fmt_ = format_option(output, fmt)
    options = {"tensors": tensors, "inline_max": inline_max, "npy_min_bytes": npy_min_bytes}
    transform = pipeline(strip_doc=strip_doc, infer_shapes=infer_shapes)
    if output == "-":
        if tensors == "npy":  # a pipe carries one text: no sidecar can go with it
            raise click.UsageError("--tensors npy writes .npy sidecars beside the document: pass -o DOC")
        proto = api.read_model(model)
        click.echo(api.dumps(transform(proto) if transform else proto, fmt_, **options), nl=False)
        return
    if Path(output).resolve() == model.resolve():
        raise click.UsageError("the output would overwrite the input model")
    with progress_bar("onnxtext dump", quiet) as progress:
        api.dump(model, output, format=fmt_, force=force, progress=progress, transform=transform, **options)


@click.command()
@click.argument("document", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--output",
    type=OutputFile(),
    help="model to write [default: DOCUMENT with the .onnx suffix]",
)
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "json"]), help="format of DOCUMENT (needed for -)"
)
@click.option(
    "--check/--no-check",
    default=True,
    show_default=True,
    help="run the lint rules and onnx.checker first (--no-check skips both)",
)
@click.option("-f", "--force", is_flag=True, help="overwrite an existing output")
@click.option("--prune", is_flag=True, help="drop what no graph output needs")
@click.option("--dedupe", is_flag=True, help="merge identical initializers and Constant tensors")
@click.option("--opset", type=click.IntRange(min=1), help="convert to this default-domain opset")
@click.option("--infer-shapes", is_flag=True, help="add the value_info shape inference finds")
@quiet_option
@reports_errors
def build(document: str, output: Path | None, fmt: str | None, quiet: bool, **switches: Any) -> None:
    """Build an .onnx model from a YAML/JSON DOCUMENT."""
    if document == "-" and output is None:
        raise click.UsageError("reading from stdin needs -o MODEL.onnx")
    stdin = sys.stdin.read() if document == "-" else None
    source = None if document == "-" else document
    fmt_ = fmt or ("yaml" if source is None else format_option(document, fmt))
    target = output or Path(document).with_suffix(".onnx")
    warnings: list[Diagnostic] = []
    try:
        with progress_bar("onnxtext build", quiet) as progress:
            api.build(
                source,
                target,
                format=fmt_,
                stdin_text=stdin,
                progress=progress,
                warn=warnings.append,
                report=lambda line: click.echo(line, err=True),
                **switches,  # check, force, prune, dedupe, opset, infer_shapes: api.build's own names
            )
    except OnnxTextError as err:  # the error first, then what else lint found
        fail(err, *([_warning_count(warnings, source)] if warnings else []))
    if warnings:
        click.echo(_warning_count(warnings, source), err=True)


def _warning_count(warnings: list[Diagnostic], source: str | None) -> str:
    from onnxtext.lint.report import warning_count

    return warning_count(warnings, source or "<stdin>").report()
