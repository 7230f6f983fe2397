"""The ``onnxtext`` command: a click group whose subcommands live one per module and load on demand.

Each subcommand module holds click options and a few lines over one library function.  The group
imports a module only when its command runs (or ``--help`` lists them), so ``onnxtext --version``
and every command pay only for what they use: ``import onnx`` alone costs a quarter of a second.

Exit codes: 0 success, 1 a problem with the input (``file:line:col: CODE message`` plus a hint),
2 a usage error.
"""

from __future__ import annotations

import importlib

import click

from onnxtext.base.version import __version__

# command name -> (module under onnxtext.cli, attribute); listed in the order `--help` shows them.
COMMANDS: dict[str, tuple[str, str]] = {
    "dump": ("roundtrip", "dump"),
    "build": ("roundtrip", "build"),
    "schema": ("schema", "schema"),
    "editor-setup": ("editor_setup", "editor_setup"),
    "lint": ("lint", "lint"),
    "fmt": ("fmt", "fmt"),
    "diff": ("diff", "diff"),
    "view": ("view", "view"),
    "git-setup": ("git", "git_setup"),
    "git-textconv": ("git", "git_textconv"),
    "git-merge": ("git", "git_merge"),
    "extract": ("extract", "extract"),
    "rename": ("rename", "rename"),
    "merge": ("merge", "merge"),
    "summary": ("summary", "summary"),
    "compare": ("compare", "compare"),
    "lsp": ("lsp", "lsp"),
}


class _LazyGroup(click.Group):
    """A group that imports a subcommand's module the first time the command is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"onnxtext.cli.{module}"), attribute)
        assert isinstance(command, click.Command), cmd_name
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="onnxtext")
def main() -> None:
    """Dump ONNX models to YAML/JSON you can edit, and build them back bit for bit."""
