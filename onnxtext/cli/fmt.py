"""``onnxtext fmt DOC... [--check]``: rewrite documents in canonical form (what ``dump`` writes)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from onnxtext.base.errors import OnnxTextError
from onnxtext.cli.common import reports_errors, tensor_options
from onnxtext.fmt import Options, format_file, starts_like_document
from onnxtext.surgery import names


@click.command()
@click.argument("documents", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="change nothing; exit 1 naming the documents that would change")
@click.option(
    "--only-documents",
    is_flag=True,
    help="skip YAML/JSON files that are not onnxtext documents (for hooks that pass every such file)",
)
@tensor_options
@click.option("--name-nodes", is_flag=True, help="give unnamed nodes unique, stable names (<OpType>_<n>)")
@reports_errors
def fmt(
    documents: tuple[Path, ...],
    check: bool,
    only_documents: bool,
    tensors: str,
    inline_max: int,
    npy_min_bytes: int,
    name_nodes: bool,
) -> None:
    """Rewrite each DOCUMENT exactly as `onnxtext dump` would write its model, keeping comments."""
    transform = names.name_nodes if name_nodes else None
    options = Options(tensors, inline_max, npy_min_bytes, transform)  # type: ignore[arg-type]
    failed, changed = False, False
    for document in documents:
        if only_documents and not starts_like_document(document):
            continue
        try:
            if format_file(document, write=not check, options=options):
                changed = True
                click.echo(f"{'would reformat' if check else 'reformatted'} {document}")
        except OnnxTextError as err:  # report it and go on with the other documents
            click.echo(err.report(), err=True)
            failed = True
    if failed or (check and changed):
        sys.exit(1)
