"""The ``onnxtext`` command: parse options, call the library, print, set the exit code.

Exit codes: 0 success, 1 a problem with the input (printed as ``file:line:col: CODE message``
with a hint), 2 a usage error.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from onnxtext import __version__, api, text
from onnxtext.codecs.policy import MODES, Policy
from onnxtext.errors import OnnxTextError
from onnxtext.progress import Progress, Silent, TerminalBar

F = TypeVar("F", bound=Callable[..., Any])


def _reports_errors(command: F) -> F:
    """Turn any failure into a report on stderr and exit code 1: never a traceback.

    An unexpected exception is a bug; ``ONNXTEXT_DEBUG=1`` shows its traceback.
    """

    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except OnnxTextError as err:
            _fail(err)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # usage errors: click reports them, exit code 2
        except OSError as err:
            where = os.fspath(err.filename) if err.filename else None
            _fail(
                OnnxTextError(
                    "E502", f"{err.strerror or err}", hint="check the path, space and permissions"
                ).at(where)
            )
        except Exception as err:
            if os.environ.get("ONNXTEXT_DEBUG"):
                raise
            message = f"internal error: {type(err).__name__}: {err}"
            _fail(
                OnnxTextError("E999", message, hint="please report it; ONNXTEXT_DEBUG=1 shows the traceback")
            )

    run.__name__ = command.__name__
    run.__doc__ = command.__doc__
    return run  # type: ignore[return-value]


def _fail(err: OnnxTextError) -> NoReturn:
    click.echo(err.report(), err=True)
    sys.exit(1)


def _progress(label: str, quiet: bool) -> contextlib.AbstractContextManager[Progress]:
    """A bar on stderr for long runs, only on a terminal and unless --quiet."""
    if quiet or not sys.stderr.isatty():
        return contextlib.nullcontext(Silent())
    return TerminalBar(label)


quiet_option = click.option("-q", "--quiet", is_flag=True, help="no progress bar on stderr")


def _format_option(source: str, given: str | None) -> text.Format:
    if given:
        return given  # type: ignore[return-value]
    if source == "-":
        return "yaml"
    try:
        return text.format_for(source)
    except ValueError as err:
        raise click.UsageError(f"{err}; pass --format yaml|json") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="onnxtext")
def main() -> None:
    """Dump ONNX models to YAML/JSON you can edit, and build them back bit for bit."""


@main.command()
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
@click.option(
    "--tensors",
    type=click.Choice(MODES),
    default="auto",
    show_default=True,
    help="auto: small tensors as numbers, big ones in .npy sidecars, the rest Base64",
)
@click.option(
    "--inline-max",
    type=click.IntRange(min=0),
    default=Policy.inline_max,
    show_default=True,
    help="auto: tensors with at most this many elements are written as numbers",
)
@click.option(
    "--npy-min-bytes",
    type=click.IntRange(min=0),
    default=Policy.npy_min_bytes,
    show_default=True,
    help="auto: payloads of at least this many bytes go to .npy sidecars",
)
@click.option("-f", "--force", is_flag=True, help="overwrite an existing output")
@quiet_option
@_reports_errors
def dump(
    model: Path,
    output: str,
    fmt: str | None,
    tensors: str,
    inline_max: int,
    npy_min_bytes: int,
    force: bool,
    quiet: bool,
) -> None:
    """Write MODEL (.onnx) as an editable YAML/JSON document."""
    fmt_ = _format_option(output, fmt)
    options = {"tensors": tensors, "inline_max": inline_max, "npy_min_bytes": npy_min_bytes}
    if output == "-":
        click.echo(api.dumps(api.read_model(model), fmt_, **options), nl=False)
        return
    if Path(output).resolve() == model.resolve():
        raise click.UsageError("the output would overwrite the input model")
    with _progress("onnxtext dump", quiet) as progress:
        api.dump(model, output, format=fmt_, force=force, progress=progress, **options)


@main.command()
@click.argument("document", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="model to write [default: DOCUMENT with the .onnx suffix]",
)
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "json"]), help="format of DOCUMENT (needed for -)"
)
@click.option(
    "--check/--no-check", default=True, show_default=True, help="run onnx.checker (full check) first"
)
@click.option("-f", "--force", is_flag=True, help="overwrite an existing output")
@quiet_option
@_reports_errors
def build(document: str, output: Path | None, fmt: str | None, check: bool, force: bool, quiet: bool) -> None:
    """Build an .onnx model from a YAML/JSON DOCUMENT."""
    if document == "-" and output is None:
        raise click.UsageError("reading from stdin needs -o MODEL.onnx")
    stdin = sys.stdin.read() if document == "-" else None
    source = None if document == "-" else document
    fmt_ = fmt or ("yaml" if source is None else _format_option(document, fmt))
    target = output or Path(document).with_suffix(".onnx")
    with _progress("onnxtext build", quiet) as progress:
        api.build(source, target, format=fmt_, check=check, force=force, stdin_text=stdin, progress=progress)
