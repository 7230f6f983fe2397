"""``onnxtext lint``: every problem of documents and models, at its line, like the linters people know."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from onnxtext.cli.common import reports_errors
from onnxtext.lint import config, report
from onnxtext.lint.engine import Selection, rules
from onnxtext.lint.files import expand, lint_file


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--select", multiple=True, help="only these codes or prefixes (comma-separated; ALL)")
@click.option("--ignore", multiple=True, help="not these codes or prefixes")
@click.option("--extend-select", multiple=True, help="these codes in addition to the selection")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True
)
@click.option("--exit-zero", is_flag=True, help="exit 0 even when there are errors")
@click.option("--warnings-as-errors", is_flag=True, help="exit 1 on warnings too")
@click.option("--statistics", is_flag=True, help="count diagnostics per code instead of listing them")
@click.option("--explain", metavar="CODE", help="explain a rule, with a bad and a good example")
@click.option("--list-rules", is_flag=True, help="list every rule")
@reports_errors
def lint(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    fmt: str,
    exit_zero: bool,
    warnings_as_errors: bool,
    statistics: bool,
    explain: str | None,
    list_rules: bool,
) -> None:
    """Check DOCUMENTS (.yaml/.json), folders and .onnx models; report every problem at its line.

    Settings may also come from [tool.onnxtext.lint] in the nearest pyproject.toml.
    """
    if explain or list_rules:
        click.echo(_explain(explain) if explain else _listing(), nl=False)
        return
    if not paths:
        raise click.UsageError("give at least one document, folder or .onnx model")
    settings = config.load_settings(paths[0] if paths[0].is_dir() else paths[0].parent)
    selection = Selection(
        select=_codes(select) or settings.select or ("ALL",),
        ignore=_codes(ignore) or settings.ignore,
        extend_select=_codes(extend_select) or settings.extend_select,
    )
    unknown = selection.unknown()
    if unknown:
        raise click.UsageError(f"no rule code starts with {unknown[0]!r} (see --list-rules)")
    found = [d for path in expand(paths) for d in lint_file(path, selection)]
    if statistics:
        click.echo(report.statistics(found), nl=False)
    elif fmt == "json":
        click.echo(report.to_json(found), nl=False)
    elif fmt == "sarif":
        click.echo(report.to_sarif(found, rules().values()), nl=False)
    else:
        click.echo(report.text(found), nl=False)
    failing = {"error", "warning"} if warnings_as_errors or settings.warnings_as_errors else {"error"}
    if not exit_zero and any(d.severity in failing for d in found):
        sys.exit(1)


def _explain(code: str) -> str:
    rule = rules().get(code.upper())
    if rule is None:
        raise click.UsageError(f"no rule {code!r} (see --list-rules)")
    return (
        f"{rule.code} {rule.name} ({rule.severity}, {rule.family})\n\n{rule.summary}.\n\n{rule.explanation}\n"
    )


def _listing() -> str:
    return "".join(
        f"{r.code}  {r.severity:<7}  {r.name:<26}  {r.summary}{'' if r.default else ' [opt-in]'}\n"
        for r in rules().values()
    )
