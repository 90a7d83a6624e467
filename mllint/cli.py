"""Command line: ``mllint check | rules | explain``.

Exit status: 0 nothing at or above ``--fail-on``; 1 findings; 2 usage error,
bad configuration or internal error (one line on stderr, a traceback only
with ``--verbose``).
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Mapping, NoReturn, Sequence

import click

from mllint import __version__
from mllint.engine.catalogue import doc_for
from mllint.engine.config import (
    CliOverrides,
    ConfigError,
    RawConfig,
    build_settings,
    find_config,
    load_config,
    suggest,
)
from mllint.engine.discovery import find_root
from mllint.engine.findings import Severity
from mllint.engine.options import Option
from mllint.engine.registry import Registry
from mllint.engine.rules import Scope
from mllint.engine.runner import Linter
from mllint.plugins import builtin_rules
from mllint.project.layout import describe_roles
from mllint.reporters import reporters
from mllint.reporters.base import ReportOptions

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: Sequence[str]) -> list[str]:
    """``--select ML2,ML6 --select ML101`` -> ["ML2", "ML6", "ML101"]."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _check_selectors(selectors: list[str], rules: Registry, option: str) -> list[str]:
    for selector in selectors:
        if not rules.expand(selector):
            raise click.BadParameter(f"unknown rule selector {selector!r}{suggest(selector, rules.selector_choices())}", param_hint=option)
    return selectors


def _fail(message: str) -> NoReturn:
    click.echo(f"mllint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mllint")
def main() -> None:
    """mllint: a linter for the machine-learning lifecycle."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--select", multiple=True, metavar="RULES", help="Rules to enable (codes, prefixes such as ML2, names, categories, ALL), comma-separated.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Rules to disable.")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Rules to enable on top of the selection.")
@click.option("--exclude", multiple=True, metavar="GLOBS", help="Gitignore-style patterns to skip, replacing the default excludes.")
@click.option("--format", "output_format", type=click.Choice(sorted(reporters())), default="text", show_default=True, help="Output format.")
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to a file instead of stdout.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--fail-on", type=click.Choice(["info", "warning", "error"]), help="Lowest severity that makes the exit status 1 (default: warning).")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option("--show-source", is_flag=True, help="Show the source line of each finding.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Configuration file to use instead of the discovered one.")
@click.option("--no-project-rules", is_flag=True, help="Run only the per-file rules (for hooks that see only changed files).")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option("--verbose", "-v", is_flag=True, help="Print notes about skipped files, and tracebacks of internal errors.")
@click.option("--color/--no-color", default=None, help="Colour the output (default: only on a terminal).")
def check(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    exclude: tuple[str, ...],
    output_format: str,
    output_file: Path | None,
    exit_zero: bool,
    fail_on: str | None,
    statistics: bool,
    show_source: bool,
    config_file: Path | None,
    no_project_rules: bool,
    quiet: bool,
    verbose: bool,
    color: bool | None,
) -> None:
    """Lint files, folders or whole projects (default: the current folder)."""
    rules = builtin_rules()
    overrides = CliOverrides(
        select=_check_selectors(_split(select), rules, "--select") or None,
        ignore=_check_selectors(_split(ignore), rules, "--ignore"),
        extend_select=_check_selectors(_split(extend_select), rules, "--extend-select"),
        exclude=_split(exclude) or None,
        fail_on=Severity(fail_on) if fail_on else None,
        project_rules=False if no_project_rules else None,
    )
    try:
        linter = Linter(rules, overrides, config_file)
        result = linter.lint(list(paths) or [Path(".")])
    except ConfigError as exc:
        _fail(str(exc))
    except Exception as exc:  # an engine bug: say so in one line, never a traceback unasked
        if verbose:
            traceback.print_exc()
        _fail(f"internal error: {type(exc).__name__}: {exc} (run with --verbose for the traceback)")
    if verbose:
        for warning in result.warnings:
            click.echo(f"mllint: note: {warning}", err=True)

    to_file = output_file is not None
    use_color = (not to_file and sys.stdout.isatty()) if color is None else color and not to_file
    options = ReportOptions(show_source=show_source, statistics=statistics, color=use_color, quiet=quiet)
    report = reporters()[output_format](result, options)
    if to_file:
        assert output_file is not None
        try:
            output_file.write_text(report, encoding="utf-8")
        except OSError as exc:
            _fail(f"--output-file: cannot write {output_file}: {exc.strerror or exc}")
    else:
        click.echo(report, nl=False, color=use_color)

    failing = any(f.severity.rank >= result.fail_on.rank for f in result.findings)
    sys.exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_OK)


@main.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(output_format: str) -> None:
    """List every rule: code, name, category, severity, scope, fixable, enabled."""
    known = builtin_rules()
    try:
        found = find_config(find_root(Path.cwd()))
        settings = build_settings(load_config(found, known) if found else RawConfig(), known)
    except ConfigError as exc:
        _fail(str(exc))
    rows = [
        {
            "code": code,
            "name": rule.name,
            "category": rule.category(),
            "severity": rule.severity.value,
            "scope": rule.scope.value,
            "fixable": rule.fixable,
            "enabled": code in settings.selected,
        }
        for code, rule in known.items()
    ]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    headers = ["code", "name", "category", "severity", "scope", "fixable", "enabled"]
    table = [[str(r[h]) if not isinstance(r[h], bool) else ("yes" if r[h] else "no") for h in headers] for r in rows]
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    for row in table:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


@main.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show a rule's documentation (by code or name)."""
    known = builtin_rules()
    meta = known.find(rule)
    if meta is None:
        _fail(f"unknown rule {rule!r}{suggest(rule, known.rule_names())}")
    code = meta.code
    doc = doc_for(code)
    title = f"{code} {meta.name} ({meta.category()}, {meta.severity.value}, {meta.scope.value}{', fixable' if meta.fixable else ''})"
    click.echo(title)
    click.echo("=" * len(title))
    if meta.scope != Scope.PROJECT:
        click.echo(f"\nApplies to: {describe_roles(meta.roles)}")
    if doc is None:
        click.echo("\nNo documentation for this rule.")
        return
    practice = doc.meta.get("practice")
    if practice:
        click.echo(f"\nPractice: {practice}")
    for section, body in doc.sections.items():
        click.echo(f"\n## {section}\n\n{body}")
    _echo_options(f"Options ([tool.mllint.rules.{code}])", meta.options)
    for analysis in meta.analyses:
        legacy = "".join(f"; `{option}` also as [tool.mllint.rules.{key.replace('.', '] ', 1)}" for option, key in analysis.legacy_options.items())
        _echo_options(f"Options of the {analysis.name} analysis ([tool.mllint.analysis.{analysis.name}]{legacy})", analysis.options)


def _echo_options(title: str, options: Mapping[str, Option]) -> None:
    if options:
        click.echo(f"\n## {title}\n")
        for name, option in options.items():
            click.echo(f"- `{name}` ({option.kind}, default {option.default!r}): {option.help}")
