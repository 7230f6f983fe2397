"""``onnxtext view MODEL``: the model's graph in the browser, beside its document's text."""

from __future__ import annotations

from pathlib import Path

import click

from onnxtext.cli.common import reports_errors
from onnxtext.cli.modelio import model_argument


@click.command()
@model_argument
@click.option("--port", type=int, default=0, help="[default: a free one]")
@click.option("--no-browser", is_flag=True, help="print the address without opening a browser")
@reports_errors
def view(model: Path, port: int, no_browser: bool) -> None:
    """Show MODEL (.onnx or document) in the browser: Model Explorer's graph, collapsible by name scope,
    beside the document's text; a click in one selects in the other. Ctrl+C stops it.

    The page is served on 127.0.0.1 at an address holding a random token; it needs the `view` extra
    (pip install 'onnxtext[view]').
    """
    from onnxtext.pictures.pages import view_page
    from onnxtext.pictures.sources import read_drawn
    from onnxtext.viewer.server import Session, serve
    from onnxtext.viewer.webapp import web_app

    web_app()  # before reading the model: say at once when the engine is missing
    collections, page = view_page(read_drawn(model))
    serve(Session(collections, page), port=port, browser=not no_browser, announce=_announce)


def _announce(url: str) -> None:
    click.echo(url)
    click.echo("Ctrl+C stops the server", err=True)
