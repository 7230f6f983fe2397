"""``onnxtext lint``: every problem of documents and models, at its line, like the linters people know;
``--fix`` repairs what rules know how to repair, as ruff does."""

from __future__ import annotations

import collections
import sys
from pathlib import Path

import click

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.cli.common import reports_errors
from onnxtext.lint import config, report
from onnxtext.lint.engine import Selection, rules
from onnxtext.lint.files import FixMode, check_files, expand
from onnxtext.lint.fixing import applicable
from onnxtext.lint.registry import examples
from onnxtext.lint.rules.runtime import available

FORMATS = ("text", "concise", "grouped", "json", "sarif", "github", "gitlab", "junit")
_FOR_PEOPLE = ("text", "concise", "grouped")


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--select", multiple=True, help="only these codes or prefixes (comma-separated; ALL)")
@click.option("--ignore", multiple=True, help="not these codes or prefixes")
@click.option("--extend-select", multiple=True, help="these codes in addition to the selection")
@click.option("--fix", is_flag=True, help="apply the safe fixes, rewriting the documents")
@click.option("--unsafe-fixes", is_flag=True, help="apply (or count) the unsafe fixes too")
@click.option(
    "--diff", is_flag=True, help="show the fixes as a diff instead of writing them (implies --fix-only)"
)
@click.option("--fix-only", is_flag=True, help="apply the fixes, report nothing else (exit 0)")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="exit 1 when a fix was applied")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--exit-zero", is_flag=True, help="exit 0 even when there are errors")
@click.option("--warnings-as-errors", is_flag=True, help="exit 1 on warnings too")
@click.option("--statistics", is_flag=True, help="count diagnostics per code instead of listing them")
@click.option("--explain", metavar="CODE", help="explain a rule, with a bad and a good document")
@click.option("--list-rules", is_flag=True, help="list every rule")
@reports_errors
def lint(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    fix_only: bool,
    exit_non_zero_on_fix: bool,
    fmt: str,
    exit_zero: bool,
    warnings_as_errors: bool,
    statistics: bool,
    explain: str | None,
    list_rules: bool,
) -> None:
    """Check DOCUMENTS (.yaml/.json), folders and .onnx models; report every problem at its line.

    With --fix, repair what the rules know how to (minimal edits of the text: comments, key order and
    the other lines stay). Settings may also come from [tool.onnxtext.lint] in the nearest
    pyproject.toml.
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
    if any(selection.enabled(code) for code in rules() if code.startswith("RT")) and not available():
        click.echo("onnxtext lint: onnxruntime is not installed: the RT rules check nothing", err=True)
    mode: FixMode = "diff" if diff else "apply" if fix or fix_only else "none"
    checked = check_files(list(expand(paths)), selection, mode, unsafe_fixes)
    found = [d for result in checked for d in result.diagnostics]
    fixed = sum((result.fixed for result in checked), collections.Counter[str]())
    if diff:
        click.echo("".join(result.diff for result in checked), nl=False)
        _summary(f"Would fix {_problems(fixed.total())}." if fixed else "No fixes available.", err=True)
        sys.exit(1 if fixed and not exit_zero else 0)
    if not fix_only:
        _print(found, fmt, statistics, unsafe_fixes, paths[0])
    if fmt in _FOR_PEOPLE and not statistics:  # the other formats are read by programs
        _summarize(found, fixed, fix_only, unsafe_fixes)
    failing = {"error", "warning"} if warnings_as_errors or settings.warnings_as_errors else {"error"}
    fails = any(d.severity in failing for d in found) and not fix_only
    if not exit_zero and (fails or (exit_non_zero_on_fix and fixed)):
        sys.exit(1)


def _print(found: list[Diagnostic], fmt: str, statistics: bool, unsafe: bool, first: Path) -> None:
    if statistics:
        click.echo(report.statistics(found), nl=False)
    elif fmt in ("json", "sarif"):
        click.echo(
            report.to_json(found) if fmt == "json" else report.to_sarif(found, rules().values()), nl=False
        )
    elif fmt in ("github", "gitlab", "junit"):
        root = report.repository_root(first if first.is_dir() else first.parent)
        click.echo(getattr(report, fmt)(found, root), nl=False)
    elif fmt == "concise":
        click.echo(report.concise(found, unsafe), nl=False)
    elif fmt == "grouped":
        click.echo(report.grouped(found, unsafe), nl=False)
    else:
        click.echo(report.text(found), nl=False)


def _summarize(
    found: list[Diagnostic], fixed: collections.Counter[str], fix_only: bool, unsafe: bool
) -> None:
    """The closing line, as ruff's: what was fixed and what remains, else what ``--fix`` would fix."""
    if fixed or fix_only:
        if fix_only:
            _summary(f"Fixed {_problems(fixed.total())}." if fixed else "")
        else:
            total = fixed.total() + len(found)
            _summary(f"Found {_problems(total)} ({fixed.total()} fixed, {len(found)} remaining).")
        return
    safe = sum(1 for d in found if applicable(d, unsafe) is not None)
    hidden = sum(1 for d in found if d.fix is not None) - safe
    if safe:
        more = f" ({hidden} more with `--unsafe-fixes`)" if hidden else ""
        _summary(f"[*] {safe} fixable with `onnxtext lint --fix{' --unsafe-fixes' if unsafe else ''}`{more}.")
    elif hidden:
        _summary(f"{hidden} fixable with `onnxtext lint --fix --unsafe-fixes`.")


def _problems(count: int) -> str:
    return f"{count} problem{'' if count == 1 else 's'}"


def _summary(line: str, err: bool = False) -> None:
    if line:
        click.echo(line, err=err)


def _explain(code: str) -> str:
    rule = rules().get(code.upper())
    if rule is None:
        raise click.UsageError(f"no rule {code!r} (see --list-rules)")
    traits = [rule.severity, rule.family] + (["opt-in"] if not rule.default else [])
    unsafe = " --unsafe-fixes" if rule.fix_applicability == "unsafe" else ""
    traits += [f"fix: onnxtext lint --fix{unsafe}"] if rule.fix is not None else []
    text = f"{rule.code} {rule.name} ({', '.join(traits)})\n\n{rule.summary}.\n\n{rule.explanation}\n"
    found = examples(rule.code)
    for label, path in zip(("Bad", "Good"), found or (), strict=False):
        shown = "".join(
            f"    {line}" if line.strip() else line
            for line in path.read_text(encoding="utf-8").splitlines(True)
        )
        text += f"\n{label} ({path}):\n{shown}"
    return text


def _listing() -> str:
    return "".join(
        f"{r.code:<5}  {r.severity:<7}  {r.name:<26}  {r.summary}{'' if r.default else ' [opt-in]'}"
        f"{'' if r.fix is None else ' [fix]' if r.fix_applicability == 'safe' else ' [unsafe fix]'}\n"
        for r in rules().values()
    )
