"""The default, ruff-style text output."""

from __future__ import annotations

from collections import Counter

import click

from mllint.engine.findings import Finding, Severity
from mllint.engine.registry import Registry
from mllint.engine.runner import LintResult
from mllint.reporters.base import ReportOptions

_SEVERITY_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def location(finding: Finding) -> str:
    if finding.line <= 0:
        return finding.path
    if finding.cell is not None:
        return f"{finding.path}:cell {finding.cell}:line {finding.line}:col {finding.column}"
    return f"{finding.path}:{finding.line}:{finding.column}"


def _line(finding: Finding, rules: Registry, options: ReportOptions) -> str:
    rule = rules[finding.code]
    where = location(finding) + ":"
    code = finding.code
    if options.color:
        where = click.style(where, bold=True)
        code = click.style(code, fg=_SEVERITY_COLOURS[finding.severity], bold=True)
    text = f"{where} {code} {rule.name} {finding.message}"
    if options.show_source and finding.source_line is not None:
        source = finding.source_line.expandtabs(4)
        width = max(1, (finding.end_column - finding.column) if finding.end_line == finding.line else len(source) - finding.column + 1)
        caret = " " * max(finding.column - 1, 0) + "^" * max(width, 1)
        text += f"\n    |\n    | {source}\n    | {click.style(caret, fg='red') if options.color else caret}\n"
    return text


def _summary(findings: list[Finding], files: int) -> str:
    if not findings:
        return f"All checks passed! ({files} file{'s' if files != 1 else ''} linted)"
    counts = Counter(f.severity for f in findings)
    parts = [
        f"{counts[s]} {s.value}{'s' if counts[s] != 1 and s != Severity.INFO else ''}"
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if counts[s]
    ]
    total = len(findings)
    summary = f"Found {total} finding{'s' if total != 1 else ''} ({', '.join(parts)}) in {files} file{'s' if files != 1 else ''} linted."
    fixable = sum(1 for f in findings if f.fix is not None and f.fix.safe)
    if fixable:
        summary += f"\n{fixable} with a safe fix (the edits are in `--format json`)."
    return summary


def _statistics(findings: list[Finding], rules: Registry) -> str:
    counts = Counter(f.code for f in findings)
    width = max((len(str(n)) for n in counts.values()), default=1)
    return "\n".join(f"{n:>{width}}  {code}  {rules[code].name}" for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def render(result: LintResult, options: ReportOptions) -> str:
    if options.statistics:
        body = _statistics(result.findings, result.rules)
        return (body + "\n") if body else ""
    lines = [] if options.quiet and not result.findings else [_line(f, result.rules, options) for f in result.findings]
    if not options.quiet:
        if lines:
            lines.append("")
        lines.append(_summary(result.findings, result.files_linted))
    return "\n".join(lines) + ("\n" if lines else "")
