"""``onnxtext rename``: rename by regular expression, every reference consistently."""

from __future__ import annotations

from pathlib import Path

import click

from onnxtext.cli.common import OutputFile, errors_about, reports_errors
from onnxtext.cli.modelio import check_output, force_option, model_argument
from onnxtext.surgery.files import read_any, write_any
from onnxtext.surgery.rename import SCOPES
from onnxtext.surgery.rename import rename as rename_model
from onnxtext.surgery.verify import verified


@click.command()
@click.argument("pattern")
@click.argument("replacement")
@model_argument
@click.option("--scope", type=click.Choice(SCOPES), default="values", show_default=True, help="which names")
@click.option("-o", "--output", type=OutputFile(), help="where to write")
@click.option("-i", "--in-place", is_flag=True, help="rewrite MODEL itself")
@click.option("-n", "--dry-run", is_flag=True, help="print what would change; write nothing")
@force_option
@reports_errors
def rename(
    pattern: str,
    replacement: str,
    model: Path,
    scope: str,
    output: Path | None,
    in_place: bool,
    dry_run: bool,
    force: bool,
) -> None:
    """Rename names matching PATTERN (a Python regex) to REPLACEMENT (\\1 for groups) in MODEL."""
    if not dry_run and (output is None) == (not in_place):
        raise click.UsageError("pass -o OUTPUT or --in-place (or --dry-run)")
    target = model if in_place else output
    if target is not None and not in_place:
        check_output(target, model)
    original = read_any(model)
    writing = target is not None and not dry_run
    with errors_about(model):
        renamed, changes = rename_model(original, pattern, replacement, scope)  # type: ignore[arg-type]
        if writing and changes:
            renamed = verified(renamed, [original], "rename")
    for change in changes:
        places = f"{change.places} place{'s' if change.places != 1 else ''}"
        click.echo(f"{change.old} -> {change.new}  ({places})", err=not dry_run)
    if not changes:
        click.echo("nothing matches", err=True)
    if writing:
        write_any(renamed, target, source=model, force=force or in_place)
