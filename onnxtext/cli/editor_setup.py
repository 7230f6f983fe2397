"""``onnxtext editor-setup``: VS Code schema, associations, tasks and snippets for a folder of documents."""

from __future__ import annotations

from pathlib import Path

import click

from onnxtext.cli.common import reports_errors


@click.command("editor-setup")
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "-p",
    "--pattern",
    "patterns",
    multiple=True,
    metavar="GLOB",
    help="also associate files matching GLOB (e.g. 'models/**/*.yaml'); repeatable",
)
@click.option(
    "--watch", is_flag=True, help="lint the documents whenever one is saved (the lint-on-save task)"
)
@reports_errors
def editor_setup(folder: Path, patterns: tuple[str, ...], watch: bool) -> None:
    """Write FOLDER/.vscode/ (default: here): schema, settings, tasks, snippets; merges, never clobbers."""
    from onnxtext.editor import setup as editor

    if watch:
        editor.watch(folder)
        return
    for path in editor.setup(folder, patterns):
        click.echo(f"wrote {path}")
    found = sum(1 for _ in editor.find_documents(folder))
    click.echo(f"{found} document(s) found; the schema also applies to {', '.join(editor.DEFAULT_PATTERNS)}")
