"""``onnxtext git-setup`` and the two drivers it registers, ``git-textconv`` and ``git-merge``."""

from __future__ import annotations

from pathlib import Path

import click

from onnxtext.cli.common import reports_errors
from onnxtext.git import drivers as gitdriver


@click.command()
@click.option(
    "--global", "global_", is_flag=True, help="for every repository of this user (git config --global)"
)
@reports_errors
def git_setup(global_: bool) -> None:
    """Make git diff .onnx files as text and merge them as documents (in this repository, or --global)."""
    for line in gitdriver.setup(global_=global_):
        click.echo(line)


@click.command(hidden=True)
@click.argument("model", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@reports_errors
def git_textconv(model: Path) -> None:
    """git's textconv driver: print MODEL's document with big tensors digested."""
    click.echo(gitdriver.textconv(model), nl=False)


@click.command(hidden=True)
@click.argument("base", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("ours", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("theirs", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("name")
@reports_errors
def git_merge(base: Path, ours: Path, theirs: Path, name: str) -> None:
    """git's merge driver (%O %A %B %P): merge THEIRS into OURS as documents, then build OURS."""
    gitdriver.merge(base, ours, theirs, name)
