"""``onnxtext lsp``: the language server for editors, on stdin and stdout."""

from __future__ import annotations

import click


@click.command()
def lsp() -> None:
    """Run the language server (LSP over stdio): diagnostics, hover, go to definition, references,
    rename, completion, outline, quick fixes and inlay hints for YAML and JSON documents.

    Editors start it themselves; it needs the `lsp` extra (pip install 'onnxtext[lsp]').
    """
    try:
        from onnxtext.lsp.server import serve
    except ImportError as err:  # the lsp extra is not installed
        raise click.ClickException(f"{err}: pip install 'onnxtext[lsp]'") from None
    serve()
