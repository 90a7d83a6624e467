"""Command line: ``mllint check | rules | explain | report``.

Exit status: 0 nothing at or above ``--fail-on``; 1 findings; 2 usage error,
bad configuration or internal error (one line on stderr, a traceback only
with ``--verbose``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, NoReturn, Sequence

import click

# Start-up imports only what every command needs: ``mllint --version`` must not
# pay for libcst and the rules. The commands import the engine when they run.
from mllint import __version__
from mllint.engine.catalogue import doc_for
from mllint.engine.discovery import find_root, force_excluded, group_by_root
from mllint.engine.findings import Finding, Severity
from mllint.engine.options import Option
from mllint.project.layout import describe_roles
from mllint.reporters import reporter, reporters

if TYPE_CHECKING:
    from mllint.engine.baseline import Entry
    from mllint.engine.config import CliOverrides
    from mllint.engine.fixes import FixReport
    from mllint.engine.registry import Registry
    from mllint.engine.runner import LintResult

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: Sequence[str]) -> list[str]:
    """``--select ML2,ML6 --select ML101`` -> ["ML2", "ML6", "ML101"]."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _check_selectors(selectors: list[str], rules: Registry, option: str) -> list[str]:
    from mllint.engine.config import suggest

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
    overrides = _overrides(rules, select, ignore, extend_select, exclude, no_project_rules)
    overrides.fail_on = Severity(fail_on) if fail_on else None
    requested = list(paths) or [Path(".")]
    try:  # configuration and baselines are checked before any file is read
        linter = Linter(rules, overrides, config_file)
        projects = {root: (named, linter.settings_for(root)) for root, named in group_by_root(requested).items()}
        accepted = None if write_baseline else _accepted(baseline, [settings.baseline for _, settings in projects.values()])
    except (ConfigError, BaselineError) as exc:
        _fail(str(exc))
    if force_exclude:
        targets = [path for root, (named, settings) in projects.items() for path in named if not force_excluded(path, root, settings.is_excluded)]
    else:
        targets = requested
    result = _lint(rules, overrides, config_file, targets, verbose, jobs, cache=not no_cache)
    if not result.files_linted:
        click.echo(f"mllint: warning: no Python files or notebooks found under {', '.join(_shown(path) for path in requested)}", err=True)
    if diff:
        sys.exit(_print_diff(result.findings, unsafe_fixes, exit_zero))
    fixed = ""
    if fix or fix_only:

        def relint(paths: list[str], findings: list[Finding]) -> list[Finding]:
            """The fixed files linted again (file rules: a fix changes no project fact)."""
            fresh = _lint(rules, dataclasses.replace(overrides, project_rules=False), config_file, [Path(p) for p in paths], False, jobs, cache=not no_cache)
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
            click.echo(f"mllint: {_record_baseline(write_baseline, result.findings)}", err=True)
        except BaselineError as exc:
            _fail(str(exc))
        sys.exit(EXIT_OK)
    stale = 0
    if accepted is not None:
        outcome = apply_baseline(result.findings, accepted, run_scope(result, [_shown(path) for path in requested]))
        result, stale = dataclasses.replace(result, findings=outcome.reported), outcome.stale
        if verbose:
            click.echo(f"mllint: note: {outcome.hidden} finding(s) hidden by the baseline", err=True)

    use_color = _use_color(color, to_file=output_file is not None)
    options = ReportOptions(show_source=show_source, statistics=statistics, color=use_color, quiet=quiet)
    report = reporters()[output_format](result, options)
    notes = [] if quiet else [note for note in (fixed, _stale_note(stale)) if note]
    for note in notes:
        if output_format == "text" and not statistics:  # the summary's last lines
            report += note + "\n"
        else:
            click.echo(f"mllint: note: {note}", err=True)
    _write(report, output_file, use_color)

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
    summary = f"would fix {_count(plan.fixed, 'finding')} in {_count(files, 'file')}" if files else "nothing to fix"
    if plan.deferred:
        summary += f"; {_count(plan.deferred, 'more fix', 'more fixes')} overlap these and would follow on a later pass of --fix"
    hidden = 0 if unsafe else sum(1 for finding in findings if applicable(finding.fix, True) and not applicable(finding.fix, False))
    if hidden:
        summary += f" ({_count(hidden, 'more fix', 'more fixes')} with --unsafe-fixes)"
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
    return f"Fixed {_count(fixing.fixed, 'finding')} in {_count(len(fixing.files), 'file')}."


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def _shown(path: Path) -> str:
    """*path* as messages show it: relative to the current directory, with ``/``."""
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # on another drive (Windows)
        return path.as_posix()


def _use_color(flag: bool | None, to_file: bool) -> bool:
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


def _accepted(option: Path | None, configured: Sequence[Path | None]) -> list[Entry] | None:
    """The baseline entries of the run: ``--baseline``, else each linted
    project's configured ``baseline`` (None when there is none)."""
    from mllint.engine.baseline import load_baseline

    files = [option] if option is not None else sorted({path for path in configured if path is not None})
    if not files:
        return None
    return [entry for path in files for entry in load_baseline(path, _shown(path))]


def _record_baseline(path: Path, findings: Sequence[Finding]) -> str:
    """Write the baseline (BaselineError if it cannot be); what was written, for the user."""
    from mllint.engine.baseline import write_baseline

    entries = write_baseline(path, findings, _shown(path))
    return f"wrote {len(findings)} finding{'s' if len(findings) != 1 else ''} ({len(entries)} entr{'ies' if len(entries) != 1 else 'y'}) to the baseline {_shown(path)}"


#: What ``mllint init`` writes: the defaults, so a team sees the choices it has.
_INIT_TEMPLATE = """\
{header}# mllint: `mllint rules` lists the rules, `mllint explain CODE` explains one.
# Rule selectors are codes (ML201), prefixes (ML2), names (unseeded-randomness),
# categories (reproducibility) or "ALL".
# select = ["ALL"]                         # default: every rule whose severity is not info
# extend-select = ["ML003"]                # info rules are off unless selected
# ignore = ["ML303"]
# extend-exclude = ["notebooks/scratch/"]  # gitignore-style, added to the default excludes
# project-rules = true                     # repository-wide rules: dependencies, CI, git, DVC
fail-on = "warning"                        # lowest severity that fails a run: info, warning or error
profile = "production"                     # "prototype" is not asked for CI, monitoring or prediction logging
{baseline}

# [{prefix}per-file-ignores]
# "tests/**" = ["ML201"]

# [{prefix}severity]
# ML204 = "error"

# [{prefix}rules.ML101]
# max-size = "5MiB"
"""


@main.command()
@click.option("--baseline", is_flag=False, flag_value="", default=None, metavar="[FILE]",
              help="Also record the project's findings as accepted in FILE (default: .mllint-baseline.json beside the configuration) and name it in the configuration.")
def init(baseline: str | None) -> None:
    """Write a commented [tool.mllint] section into the project's pyproject.toml
    (mllint.toml when it has none).

    Settings are never overwritten: when mllint is already configured, init
    says so, changes nothing and exits 0. pyproject.toml is only appended to.
    """
    from mllint.engine.baseline import DEFAULT_BASELINE, BaselineError
    from mllint.engine.config import CliOverrides, ConfigError, load_config
    from mllint.engine.runner import Linter
    from mllint.plugins import builtin_rules

    rules = builtin_rules()
    root = find_root(Path.cwd().resolve())
    accepted = None if baseline is None else root / DEFAULT_BASELINE if baseline == "" else Path(baseline).resolve()
    hint = "" if accepted is None else f" (to record a baseline: mllint check --write-baseline {_shown(accepted)})"
    target, original = _init_target(root, hint)
    baseline_line = (
        f"baseline = {json.dumps(Path(os.path.relpath(accepted, root)).as_posix())}  # accepted findings: `mllint check` reports only new ones"
        if accepted is not None
        else f"# baseline = {json.dumps(DEFAULT_BASELINE)}  # accepted findings: write it with `mllint check --write-baseline FILE`"
    )
    section = _INIT_TEMPLATE.format(
        header="" if original is None else "[tool.mllint]\n",
        prefix="" if original is None else "tool.mllint.",
        baseline=baseline_line,
    )
    newline = "\r\n" if original and b"\r\n" in original else "\n"
    separator = "" if not original else "\n" * (1 if original.endswith(b"\n") else 2)
    try:
        with target.open("xb" if original is None else "ab") as handle:
            handle.write((separator + section).replace("\n", newline).encode("utf-8"))
    except OSError as exc:
        _fail(f"{_shown(target)}: cannot write: {exc.strerror or exc}")
    try:  # what `mllint check` will read; undo the append if it cannot
        load_config(target, rules, _shown(target))
        done = f"mllint: wrote the [tool.mllint] settings to {_shown(target)}"
        if accepted is not None:
            result = Linter(rules, CliOverrides(), cwd=root).lint([root])
            done += f"\nmllint: {_record_baseline(accepted, result.findings)}"
    except (ConfigError, BaselineError) as exc:
        _restore(target, original)
        _fail(f"{exc}; nothing changed")
    except Exception as exc:  # an engine bug while linting for the baseline
        _restore(target, original)
        _fail(f"internal error: {type(exc).__name__}: {exc}; nothing changed")
    click.echo(done)


def _init_target(root: Path, hint: str) -> tuple[Path, bytes | None]:
    """The file ``init`` appends to and its bytes (None: a new mllint.toml);
    exits 0 when *root* already has mllint settings (saying so, with *hint*),
    2 when its pyproject.toml is not TOML (appending cannot make it valid)."""
    for name in (".mllint.toml", "mllint.toml"):
        if (root / name).is_file():
            click.echo(f"mllint: {_shown(root / name)} already configures mllint; nothing changed{hint}")
            sys.exit(EXIT_OK)
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return root / "mllint.toml", None
    try:
        original = pyproject.read_bytes()
        data = tomllib.loads(original.decode("utf-8"))
    except OSError as exc:
        _fail(f"{_shown(pyproject)}: cannot read: {exc.strerror or exc}")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        _fail(f"{_shown(pyproject)}: not valid TOML ({exc}); nothing changed")
    tool = data.get("tool")
    if isinstance(tool, dict) and "mllint" in tool:
        click.echo(f"mllint: {_shown(pyproject)} already has a [tool.mllint] section; nothing changed{hint}")
        sys.exit(EXIT_OK)
    return pyproject, original


def _restore(target: Path, original: bytes | None) -> None:
    """Undo ``init``'s write: truncate back to the original bytes, or remove the new file."""
    if original is None:
        target.unlink(missing_ok=True)
    else:
        os.truncate(target, len(original))


@main.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(output_format: str) -> None:
    """List every rule: code, name, category, severity, scope, fixable, enabled."""
    from mllint.engine.config import (
        ConfigError,
        RawConfig,
        build_settings,
        find_config,
        load_config,
    )
    from mllint.plugins import builtin_rules

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
            "fixable": rule.fixable.value,
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
    from mllint.engine.config import suggest
    from mllint.engine.rules import Fixability, Scope
    from mllint.plugins import builtin_rules

    known = builtin_rules()
    meta = known.find(rule)
    if meta is None:
        _fail(f"unknown rule {rule!r}{suggest(rule, known.rule_names())}")
    code = meta.code
    doc = doc_for(code)
    title = f"{code} {meta.name} ({meta.category()}, {meta.severity.value}, {meta.scope.value}{'' if meta.fixable is Fixability.NONE else f', fix: {meta.fixable.value}'})"
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


#: ``check``'s options that also choose what ``report`` lints: shared, not copied,
#: so the two commands cannot drift apart.
_SELECTION_OPTIONS = ("select", "ignore", "extend_select", "exclude", "config_file", "no_project_rules", "jobs", "no_cache", "verbose")
#: ``mllint report --format`` choices: reporter modules (``mllint.reporters.reporter``)
_SCORECARDS = ("markdown", "html")


@main.command(params=[param for param in check.params if param.name in _SELECTION_OPTIONS])
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
    overrides = _overrides(rules, select, ignore, extend_select, exclude, no_project_rules)
    target = path or Path(".")
    result = _lint(rules, overrides, config_file, [target], verbose, jobs, cache=not no_cache)
    if not result.files_linted:
        click.echo(f"mllint: warning: no Python files or notebooks found under {_shown(target)}", err=True)
    _write(reporter(output_format)(result, ReportOptions()), output_file)


def _overrides(
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
        select=_check_selectors(_split(select), rules, "--select") or None,
        ignore=_check_selectors(_split(ignore), rules, "--ignore"),
        extend_select=_check_selectors(_split(extend_select), rules, "--extend-select"),
        exclude=_split(exclude) or None,
        project_rules=False if no_project_rules else None,
    )


def _lint(
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
        _fail(str(exc))
    except Exception as exc:  # an engine bug: say so in one line, never a traceback unasked
        if verbose:
            traceback.print_exc()
        _fail(f"internal error: {type(exc).__name__}: {exc} (run with --verbose for the traceback)")
    if verbose:
        for warning in result.warnings:
            click.echo(f"mllint: note: {warning}", err=True)
    return result


def _write(text: str, output_file: Path | None, color: bool = False) -> None:
    """Print a report, or write it to ``--output-file`` (exit 2 if that fails)."""
    if output_file is None:
        click.echo(text, nl=False, color=color)
        return
    try:
        output_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"--output-file: cannot write {output_file}: {exc.strerror or exc}")
