"""``onnxtext view MODEL``: the model's graph in the browser, beside its document's text; ``onnxtext view
--editor``: the same page for an editor's graph view, which hands it the graphs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from onnxtext.cli.common import reports_errors


@click.command()
@click.argument("model", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--port", type=int, default=0, help="[default: a free one]")
@click.option("--no-browser", is_flag=True, help="print the address without opening a browser")
@click.option(
    "--editor",
    is_flag=True,
    help="serve the page for an editor's graph view (no MODEL: the editor hands the page each graph "
    "it gets from the language server); it stops when its standard input closes",
)
@reports_errors
def view(model: Path | None, port: int, no_browser: bool, editor: bool) -> None:
    """Show MODEL (.onnx or document) in the browser: Model Explorer's graph, collapsible by name scope,
    beside the document's text; a click in one selects in the other. Ctrl+C stops it.

    The page is served on 127.0.0.1 at an address holding a random token; it needs the `view` extra
    (pip install 'onnxtext[view]').
    """
    from onnxtext.pictures.pages import editor_page, view_page
    from onnxtext.pictures.sources import read_drawn
    from onnxtext.viewer.server import Session, serve
    from onnxtext.viewer.webapp import web_app

    if (model is None) != editor:
        raise click.UsageError("give MODEL, or --editor without one")
    web_app()  # before reading the model: say at once when the engine is missing
    if model is not None:
        collections, page = view_page(read_drawn(model))
        serve(Session(collections, page), port=port, browser=not no_browser, announce=_announce)
    else:
        collections, page = editor_page()
        session = Session(collections, page, embedded=True)
        serve(session, port=port, browser=False, announce=click.echo, until_closed=sys.stdin.buffer)


def _announce(url: str) -> None:
    click.echo(url)
    click.echo("Ctrl+C stops the server", err=True)
