"""What the commands share: reading selection options, running the linter,
writing a report, and failing with one line on stderr."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Sequence

import click

from mllint.engine.findings import Finding

if TYPE_CHECKING:
    from mllint.engine.config import CliOverrides
    from mllint.engine.registry import Registry
    from mllint.engine.runner import LintResult

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def split(values: Sequence[str]) -> list[str]:
    """``--select ML2,ML6 --select ML101`` -> ["ML2", "ML6", "ML101"]."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def check_selectors(selectors: list[str], rules: Registry, option: str) -> list[str]:
    from mllint.engine.config import suggest

    for selector in selectors:
        if not rules.expand(selector):
            raise click.BadParameter(f"unknown rule selector {selector!r}{suggest(selector, rules.selector_choices())}", param_hint=option)
    return selectors


def fail(message: str) -> NoReturn:
    click.echo(f"mllint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def shown(path: Path) -> str:
    """*path* as messages show it: relative to the current directory, with ``/``."""
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # on another drive (Windows)
        return path.as_posix()


def wants_color(flag: bool | None, to_file: bool) -> bool:
    """``--color/--no-color``; else NO_COLOR (https://no-color.org) turns colour
    off and FORCE_COLOR on (CI logs render colour but are no terminal); else
    colour on a terminal only. A report written to a file is never coloured."""
    if to_file:
        return False
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") != "0":
        return True
    return sys.stdout.isatty()


def record_baseline(path: Path, findings: Sequence[Finding]) -> str:
    """Write the baseline (BaselineError if it cannot be); what was written, for the user."""
    from mllint.engine.baseline import write_baseline

    entries = write_baseline(path, findings, shown(path))
    return f"wrote {len(findings)} finding{'s' if len(findings) != 1 else ''} ({len(entries)} entr{'ies' if len(entries) != 1 else 'y'}) to the baseline {shown(path)}"


def cli_overrides(
    rules: Registry,
    select: Sequence[str],
    ignore: Sequence[str],
    extend_select: Sequence[str],
    exclude: Sequence[str],
    no_project_rules: bool,
) -> CliOverrides:
    """The selection options as the configuration takes them; an unknown rule is a usage error."""
    from mllint.engine.config import CliOverrides

    return CliOverrides(
        select=check_selectors(split(select), rules, "--select") or None,
        ignore=check_selectors(split(ignore), rules, "--ignore"),
        extend_select=check_selectors(split(extend_select), rules, "--extend-select"),
        exclude=split(exclude) or None,
        project_rules=False if no_project_rules else None,
    )


def lint(
    rules: Registry,
    overrides: CliOverrides,
    config_file: Path | None,
    paths: list[Path],
    verbose: bool,
    jobs: int | None,
    cache: bool = True,
) -> LintResult:
    """Run the linter; bad configuration, or a bug in the engine, ends the
    command with one line on stderr and exit status 2 (a traceback only with
    ``--verbose``, which also prints the run's notes). *cache*: use the result cache."""
    from mllint.engine.config import ConfigError
    from mllint.engine.runner import Linter
    from mllint.engine.workers import default_jobs

    try:
        result = Linter(rules, overrides, config_file, jobs=jobs or default_jobs(), cache=cache).lint(paths)
    except ConfigError as exc:
        fail(str(exc))
    except Exception as exc:  # an engine bug: say so in one line, never a traceback unasked
        if verbose:
            traceback.print_exc()
        fail(f"internal error: {type(exc).__name__}: {exc} (run with --verbose for the traceback)")
    if verbose:
        for warning in result.warnings:
            click.echo(f"mllint: note: {warning}", err=True)
    return result


def write(text: str, output_file: Path | None, color: bool = False) -> None:
    """Print a report, or write it to ``--output-file`` (exit 2 if that fails)."""
    if output_file is None:
        click.echo(text, nl=False, color=color)
        return
    try:
        output_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"--output-file: cannot write {output_file}: {exc.strerror or exc}")
