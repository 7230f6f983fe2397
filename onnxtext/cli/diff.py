"""``onnxtext diff A B``: what changed between two models, in model terms; exits like ``diff``.

``--format markdown`` and ``--format svg`` draw the changed neighbourhood (for a pull-request comment),
``--html OUT`` writes it as one self-contained page, and ``--view`` shows both models side by side in
the browser, marked by the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from onnxtext.cli.common import reports_errors
from onnxtext.diff import render_json, render_text
from onnxtext.diff.changes import ModelDiff
from onnxtext.diff.comparison import Comparison, compare_files

_FORMATS = ["text", "json", "markdown", "svg"]


@click.command()
@click.argument("a", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("b", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="text", show_default=True)
@click.option(
    "--html",
    type=click.Path(dir_okay=False, path_type=Path),
    help="also write the changes and their picture to this self-contained HTML file",
)
@click.option("-f", "--force", is_flag=True, help="overwrite an existing --html file")
@click.option(
    "--max-changes", type=click.IntRange(1), default=12, show_default=True, help="changed nodes drawn"
)
@click.option("--view", is_flag=True, help="show both models side by side in the browser (Ctrl+C stops it)")
@click.option("--port", type=int, default=0, help="with --view  [default: a free one]")
@click.option("--no-browser", is_flag=True, help="with --view: print the address without opening a browser")
def diff(
    a: Path,
    b: Path,
    fmt: str,
    html: Path | None,
    force: bool,
    max_changes: int,
    view: bool,
    port: int,
    no_browser: bool,
) -> None:
    """Say what changed from model A to model B (each a .onnx or a document).

    Exit code 0: the same model; 1: they differ; 2: trouble (a file that cannot be read).
    """
    if view:
        _guarded(_view)(a, b, port, not no_browser)
        return
    if html is not None and html.resolve() in (a.resolve(), b.resolve()):
        raise click.UsageError(f"the --html file would overwrite the input {html}")
    result, comparison = _guarded(compare_files)(a, b)
    if fmt in ("markdown", "svg") or html is not None:
        _guarded(_pictures)(result, comparison, fmt, html, force, max_changes)
    else:
        click.echo(render_json(result) if fmt == "json" else render_text(result), nl=False)
    sys.exit(0 if result.same else 1)


def _pictures(
    result: ModelDiff,
    comparison: Comparison | None,
    fmt: str,
    html: Path | None,
    force: bool,
    max_changes: int,
) -> None:
    from onnxtext.pictures.html import render_html
    from onnxtext.pictures.marks import DiffMarks
    from onnxtext.pictures.mermaid import markdown
    from onnxtext.pictures.neighbourhood import Neighbourhood, neighbourhood
    from onnxtext.pictures.svg import render_svg
    from onnxtext.roundtrip.save import write_atomic

    empty = Neighbourhood([], [], 0)
    picture = neighbourhood(DiffMarks.of(comparison), max_changes) if comparison is not None else empty
    if html is not None:
        write_atomic(html, render_html(result, picture), force=force)
    if fmt == "markdown":
        click.echo(markdown(result, picture), nl=False)
    elif fmt == "svg":
        click.echo(render_svg(picture), nl=False)
    else:
        click.echo(render_json(result) if fmt == "json" else render_text(result), nl=False)


def _view(a: Path, b: Path, port: int, browser: bool) -> None:
    from onnxtext.diff.comparison import compare_models
    from onnxtext.pictures.pages import diff_page
    from onnxtext.pictures.sources import read_drawn
    from onnxtext.viewer.server import Session, serve
    from onnxtext.viewer.webapp import web_app

    web_app()  # before reading the models: say at once when the engine is missing
    first, second = read_drawn(a, with_model=True), read_drawn(b, with_model=True)
    assert first.model is not None and second.model is not None
    comparison = compare_models(first.model, second.model, first.data_dir, second.data_dir)
    collections, page = diff_page(first, second, comparison)
    serve(Session(collections, page), port=port, browser=browser, announce=click.echo)


def _guarded(function):  # type: ignore[no-untyped-def]
    """``function`` with its trouble reported as every command reports it, but with exit code 2."""

    def run(*args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return reports_errors(function)(*args, **kwargs)
        except SystemExit:  # reports_errors has printed the report; 1 means "different" here
            raise SystemExit(2) from None

    return run
