"""``mllint check``: lint, then fix, diff, baseline or report what was found."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import click

from mllint.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    cli_overrides,
    count,
    fail,
    lint,
    record_baseline,
    shown,
    wants_color,
    write,
)
from mllint.engine.discovery import force_excluded, group_by_root
from mllint.engine.findings import Finding, Severity
from mllint.reporters import reporters

if TYPE_CHECKING:
    from mllint.engine.baseline import Entry
    from mllint.engine.fixes import FixReport
    from mllint.engine.runner import LintResult


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--select", multiple=True, metavar="RULES", help="Rules to enable (codes, prefixes such as ML2, names, categories, ALL), comma-separated.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Rules to disable.")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Rules to enable on top of the selection.")
@click.option("--exclude", multiple=True, metavar="GLOBS", help="Gitignore-style patterns to skip, replacing the default excludes.")
@click.option("--force-exclude", is_flag=True, help="Apply the excludes to paths named on the command line too (pre-commit hooks pass it).")
@click.option("--format", "--output-format", "output_format", type=click.Choice(sorted(reporters())), default="text", show_default=True, help="Output format.")
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to a file instead of stdout.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--fail-on", type=click.Choice(["info", "warning", "error"]), help="Lowest severity that makes the exit status 1 (default: warning).")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option("--show-source", is_flag=True, help="Show the source line of each finding.")
@click.option("--fix/--no-fix", default=False, help="Apply the safe fixes in place, then report what remains (--no-fix: report only).")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply (or show) the fixes that may change behaviour.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff and write nothing; exit 1 when there is something to fix.")
@click.option("--fix-only", is_flag=True, help="Apply the fixes and report nothing else; exit 0.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), help="Report only the findings not recorded in this baseline (default: the configured `baseline`).")
@click.option("--write-baseline", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE", help="Record the findings of this run in FILE as accepted instead of reporting them; exit 0.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Configuration file to use instead of the discovered one.")
@click.option("--no-project-rules", is_flag=True, help="Run only the per-file rules (for hooks that see only changed files).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Processes for per-file work (default: the number of CPUs).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache (.mllint_cache/ at the project root, or `cache-dir`).")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option("--verbose", "-v", is_flag=True, help="Print notes about skipped files, and tracebacks of internal errors.")
@click.option("--color/--no-color", default=None, help="Colour the output (default: NO_COLOR disables, FORCE_COLOR enables, else only on a terminal).")
def check(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    exclude: tuple[str, ...],
    force_exclude: bool,
    output_format: str,
    output_file: Path | None,
    exit_zero: bool,
    fail_on: str | None,
    statistics: bool,
    show_source: bool,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    fix_only: bool,
    baseline: Path | None,
    write_baseline: Path | None,
    config_file: Path | None,
    no_project_rules: bool,
    jobs: int | None,
    no_cache: bool,
    quiet: bool,
    verbose: bool,
    color: bool | None,
) -> None:
    """Lint files, folders or whole projects (default: the current folder)."""
    from mllint.engine.baseline import BaselineError, apply_baseline, run_scope
    from mllint.engine.config import ConfigError
    from mllint.engine.fixes import fix_in_place
    from mllint.engine.runner import Linter
    from mllint.plugins import builtin_rules
    from mllint.reporters.base import ReportOptions

    rules = builtin_rules()
    overrides = cli_overrides(rules, select, ignore, extend_select, exclude, no_project_rules)
    overrides.fail_on = Severity(fail_on) if fail_on else None
    requested = list(paths) or [Path(".")]
    try:  # configuration and baselines are checked before any file is read
        linter = Linter(rules, overrides, config_file)
        projects = {root: (named, linter.settings_for(root)) for root, named in group_by_root(requested).items()}
        accepted = None if write_baseline else _accepted(baseline, [settings.baseline for _, settings in projects.values()])
    except (ConfigError, BaselineError) as exc:
        fail(str(exc))
    if force_exclude:
        targets = [path for root, (named, settings) in projects.items() for path in named if not force_excluded(path, root, settings.is_excluded)]
    else:
        targets = requested
    result = lint(rules, overrides, config_file, targets, verbose, jobs, cache=not no_cache)
    if not result.files_linted:
        click.echo(f"mllint: warning: no Python files or notebooks found under {', '.join(shown(path) for path in requested)}", err=True)
    if diff:
        sys.exit(_print_diff(result.findings, unsafe_fixes, exit_zero))
    fixed = ""
    if fix or fix_only:

        def relint(paths: list[str], findings: list[Finding]) -> list[Finding]:
            """The fixed files linted again (file rules: a fix changes no project fact)."""
            fresh = lint(rules, dataclasses.replace(overrides, project_rules=False), config_file, [Path(p) for p in paths], False, jobs, cache=not no_cache)
            return _after_fixing(result, findings, fresh.findings, paths)

        fixing = fix_in_place(result.findings, unsafe=unsafe_fixes, relint=relint)
        for problem in fixing.problems:
            click.echo(f"mllint: warning: {problem}", err=True)
        result = dataclasses.replace(result, findings=fixing.findings)
        fixed = _fixed_note(fixing)
        if fix_only:
            click.echo(f"mllint: {fixed or 'nothing to fix'}", err=True)
            sys.exit(EXIT_OK)
    if write_baseline is not None:
        try:
            click.echo(f"mllint: {record_baseline(write_baseline, result.findings)}", err=True)
        except BaselineError as exc:
            fail(str(exc))
        sys.exit(EXIT_OK)
    stale = 0
    if accepted is not None:
        outcome = apply_baseline(result.findings, accepted, run_scope(result, [shown(path) for path in requested]))
        result, stale = dataclasses.replace(result, findings=outcome.reported), outcome.stale
        if verbose:
            click.echo(f"mllint: note: {outcome.hidden} finding(s) hidden by the baseline", err=True)

    use_color = wants_color(color, to_file=output_file is not None)
    options = ReportOptions(show_source=show_source, statistics=statistics, color=use_color, quiet=quiet)
    report = reporters()[output_format](result, options)
    notes = [] if quiet else [note for note in (fixed, _stale_note(stale)) if note]
    for note in notes:
        if output_format == "text" and not statistics:  # the summary's last lines
            report += note + "\n"
        else:
            click.echo(f"mllint: note: {note}", err=True)
    write(report, output_file, use_color)

    failing = any(f.severity.rank >= result.fail_on.rank for f in result.findings)
    sys.exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_OK)


def _print_diff(findings: Sequence[Finding], unsafe: bool, exit_zero: bool) -> int:
    """``--diff``: the fixes as a unified diff on stdout, a count on stderr, no
    file written; the exit status says whether there is something to fix."""
    from mllint.engine.fixes import applicable, plan_fixes

    plan = plan_fixes(findings, unsafe=unsafe)
    for problem in plan.problems:
        click.echo(f"mllint: warning: {problem}", err=True)
    click.echo("".join(change.diff() for change in plan.changes), nl=False)
    files = len(plan.changes)
    summary = f"would fix {count(plan.fixed, 'finding')} in {count(files, 'file')}" if files else "nothing to fix"
    if plan.deferred:
        summary += f"; {count(plan.deferred, 'more fix', 'more fixes')} overlap these and would follow on a later pass of --fix"
    hidden = 0 if unsafe else sum(1 for finding in findings if applicable(finding.fix, True) and not applicable(finding.fix, False))
    if hidden:
        summary += f" ({count(hidden, 'more fix', 'more fixes')} with --unsafe-fixes)"
    click.echo(f"mllint: {summary}", err=True)
    return EXIT_FINDINGS if files and not exit_zero else EXIT_OK


def _after_fixing(result: LintResult, findings: list[Finding], fresh: list[Finding], paths: list[str]) -> list[Finding]:
    """The run's findings once *paths* were fixed: those files' from a fresh lint
    of them, the other files' and the project rules' as they were."""
    from mllint.engine.rules import Scope

    changed = set(paths)
    kept = [f for f in findings if f.path not in changed or result.rules[f.code].scope is Scope.PROJECT]
    return sorted([*kept, *fresh], key=Finding.sort_key)


def _stale_note(stale: int) -> str:
    """What to say about baseline entries that matched nothing ("" when all matched)."""
    if not stale:
        return ""
    return f"{stale} baseline {'entry no longer matches: remove it' if stale == 1 else 'entries no longer match: remove them'} with --write-baseline"


def _fixed_note(fixing: FixReport) -> str:
    """What ``--fix`` did, for the end of the report ("" when it changed nothing)."""
    if not fixing.fixed:
        return ""
    return f"Fixed {count(fixing.fixed, 'finding')} in {count(len(fixing.files), 'file')}."


def _accepted(option: Path | None, configured: Sequence[Path | None]) -> list[Entry] | None:
    """The baseline entries of the run: ``--baseline``, else each linted
    project's configured ``baseline`` (None when there is none)."""
    from mllint.engine.baseline import load_baseline

    files = [option] if option is not None else sorted({path for path in configured if path is not None})
    if not files:
        return None
    return [entry for path in files for entry in load_baseline(path, shown(path))]
