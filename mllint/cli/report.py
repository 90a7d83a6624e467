"""``mllint report``: the scorecard per lifecycle stage."""

from __future__ import annotations

from pathlib import Path

import click

from mllint.cli.check import check
from mllint.cli.common import cli_overrides, lint, shown, write
from mllint.reporters import reporter

#: ``check``'s options that also choose what ``report`` lints: shared, not copied,
#: so the two commands cannot drift apart.
_SELECTION_OPTIONS = ("select", "ignore", "extend_select", "exclude", "config_file", "no_project_rules", "jobs", "no_cache", "verbose")
#: ``mllint report --format`` choices: reporter modules (``mllint.reporters.reporter``)
_SCORECARDS = ("markdown", "html")


@click.command(params=[param for param in check.params if param.name in _SELECTION_OPTIONS])
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "output_format", type=click.Choice(sorted(_SCORECARDS)), default="markdown", show_default=True,
              help="markdown (for $GITHUB_STEP_SUMMARY and PR comments) or html (one self-contained page).")
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to a file instead of stdout.")
def report(
    path: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    exclude: tuple[str, ...],
    config_file: Path | None,
    no_project_rules: bool,
    jobs: int | None,
    no_cache: bool,
    verbose: bool,
    output_format: str,
    output_file: Path | None,
) -> None:
    """Scorecard per lifecycle stage: every enabled rule passes, fails, does
    not apply or crashed, with a 0-100 score per stage and overall.

    A report is not a gate: it exits 0 whatever it finds (2 only on a usage or
    configuration error); use `mllint check` to fail a build."""
    from mllint.plugins import builtin_rules
    from mllint.reporters.base import ReportOptions

    rules = builtin_rules()
    overrides = cli_overrides(rules, select, ignore, extend_select, exclude, no_project_rules)
    target = path or Path(".")
    result = lint(rules, overrides, config_file, [target], verbose, jobs, cache=not no_cache)
    if not result.files_linted:
        click.echo(f"mllint: warning: no Python files or notebooks found under {shown(target)}", err=True)
    write(reporter(output_format)(result, ReportOptions()), output_file)
