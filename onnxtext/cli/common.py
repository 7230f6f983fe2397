"""What every subcommand shares: the error net, the progress bar, format and quiet options."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from onnxtext import text
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.progress import Progress, Silent, TerminalBar

F = TypeVar("F", bound=Callable[..., Any])


class OutputFile(click.Path):
    """A file to write: not a folder, and not a name ending in a path separator, which means one
    (``-o out/`` would otherwise write a file called ``out``)."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value.endswith(("/", os.sep)):
            self.fail(f"{value!r} names a folder: give the file to write", param, ctx)
        return super().convert(value, param, ctx)


# what a shell reports for a command that SIGPIPE ended (128 + 13): `onnxtext dump m.onnx | head -1`
CLOSED_PIPE_STATUS = 141


def reports_errors(command: F) -> F:
    """Turn any failure into a report on stderr and exit code 1: never a traceback.

    An unexpected exception is a bug; ``ONNXTEXT_DEBUG=1`` shows its traceback.  A reader that
    closes our stdout early (``| head``) ends the command quietly, as it ends other Unix tools.
    """

    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except OnnxTextError as err:
            fail(err)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # usage errors: click reports them, exit code 2
        except BrokenPipeError:
            _quiet_closed_stdout()
        except OSError as err:
            where = os.fspath(err.filename) if err.filename else None
            fail(
                OnnxTextError(
                    "E502", f"{err.strerror or err}", hint="check the path, space and permissions"
                ).at(where)
            )
        except Exception as err:
            if os.environ.get("ONNXTEXT_DEBUG"):
                raise
            message = f"internal error: {type(err).__name__}: {err}"
            fail(
                OnnxTextError("E999", message, hint="please report it; ONNXTEXT_DEBUG=1 shows the traceback")
            )

    run.__name__ = command.__name__
    run.__doc__ = command.__doc__
    return run  # type: ignore[return-value]


def _quiet_closed_stdout() -> NoReturn:
    """Exit without a word once stdout's reader is gone: what is still buffered for it goes to
    /dev/null (else Python's final flush would complain on stderr)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(CLOSED_PIPE_STATUS)


@contextlib.contextmanager
def errors_about(path: os.PathLike[str] | str) -> Iterator[None]:
    """Name ``path`` as the place of an OnnxTextError raised inside that names no file of its own
    (a surgery's refusal is about the model the command read, not ``<input>``)."""
    try:
        yield
    except OnnxTextError as err:
        if err.file:
            raise
        raise err.at(os.fspath(path)) from None


def fail(err: OnnxTextError, *after: str) -> NoReturn:
    """Report ``err`` on stderr (then the ``after`` lines) and exit 1."""
    click.echo(err.report(), err=True)
    for line in after:
        click.echo(line, err=True)
    sys.exit(1)


def progress_bar(label: str, quiet: bool) -> contextlib.AbstractContextManager[Progress]:
    """A bar on stderr for long runs, only on a terminal and unless --quiet."""
    if quiet or not sys.stderr.isatty():
        return contextlib.nullcontext(Silent())
    return TerminalBar(label)


quiet_option = click.option("-q", "--quiet", is_flag=True, help="no progress bar on stderr")


def format_option(source: str, given: str | None) -> text.Format:
    if given:
        return given  # type: ignore[return-value]
    if source == "-":
        return "yaml"
    try:
        return text.format_for(source)
    except ValueError as err:
        raise click.UsageError(f"{err}; pass --format yaml|json") from None


def tensor_options(command: F) -> F:
    """``--tensors``, ``--inline-max`` and ``--npy-min-bytes``: how a document writes tensors (dump, fmt)."""
    from onnxtext.codecs.policy import MODES, Policy  # here: every command loads this module, not numpy

    options = [
        click.option(
            "--tensors",
            type=click.Choice(MODES),
            default="auto",
            show_default=True,
            help="auto: small tensors as numbers, big ones in .npy sidecars, the rest Base64; "
            "digest: big ones summarised (for diffs, not buildable)",
        ),
        click.option(
            "--inline-max",
            type=click.IntRange(min=0),
            default=Policy.inline_max,
            show_default=True,
            help="auto: tensors with at most this many elements are written as numbers",
        ),
        click.option(
            "--npy-min-bytes",
            type=click.IntRange(min=0),
            default=Policy.npy_min_bytes,
            show_default=True,
            help="auto: payloads of at least this many bytes go to .npy sidecars",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command
