"""The default, ruff-style text output.

A run that linted no file prints no summary: "All checks passed" would claim a
check that never happened (the command line warns on stderr instead).
"""

from __future__ import annotations

import re
from collections import Counter

import click

from mllint.engine.findings import Finding, Severity
from mllint.engine.registry import Registry
from mllint.engine.runner import LintResult
from mllint.reporters.base import ReportOptions

_SEVERITY_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}
#: Control characters but the tab: from a linted file's name or text they would
#: end the line, or drive the terminal (an escape sequence can set its title,
#: its clipboard, or hide the findings printed before it).
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """*text* with its control characters written as escapes (``\\x1b``)."""
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def location(finding: Finding) -> str:
    path = printable(finding.path)
    if finding.line <= 0:
        return path
    if finding.cell is not None:
        return f"{path}:cell {finding.cell}:line {finding.line}:col {finding.column}"
    return f"{path}:{finding.line}:{finding.column}"


def _line(finding: Finding, rules: Registry, options: ReportOptions) -> str:
    rule = rules[finding.code]
    where = location(finding) + ":"
    code = finding.code
    if options.color:
        where = click.style(where, bold=True)
        code = click.style(code, fg=_SEVERITY_COLOURS[finding.severity], bold=True)
    text = f"{where} {code} {rule.name} {printable(finding.message)}"
    if options.show_source and finding.source_line is not None:
        source = printable(finding.source_line.expandtabs(4))
        width = max(1, (finding.end_column - finding.column) if finding.end_line == finding.line else len(source) - finding.column + 1)
        caret = " " * max(finding.column - 1, 0) + "^" * max(width, 1)
        text += f"\n    |\n    | {source}\n    | {click.style(caret, fg='red') if options.color else caret}\n"
    return text


def _summary(findings: list[Finding], files: int) -> str | None:
    if not findings and not files:
        return None
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
    return summary + _fixable(findings)


def _fixable(findings: list[Finding]) -> str:
    """ruff's hint: how many findings ``--fix`` would fix, and how many more
    ``--unsafe-fixes`` would add."""
    safe = sum(1 for f in findings if f.fix is not None and f.fix.safe)
    unsafe = sum(1 for f in findings if f.fix is not None and not f.fix.safe)
    if safe and unsafe:
        return f"\n{safe} fixable with --fix ({unsafe} more with --unsafe-fixes)."
    if safe:
        return f"\n{safe} fixable with --fix."
    if unsafe:
        return f"\n{unsafe} fixable with --fix --unsafe-fixes."
    return ""


def _statistics(findings: list[Finding], rules: Registry) -> str:
    """Findings per rule, most frequent first, then a total line."""
    counts = Counter(f.code for f in findings)
    width = len(str(len(findings)))
    rows = [f"{n:>{width}}  {code}  {rules[code].name}" for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    rows.append(f"{len(findings):>{width}}  total")
    return "\n".join(rows) + "\n"


def render(result: LintResult, options: ReportOptions) -> str:
    if options.statistics:
        return _statistics(result.findings, result.rules)
    lines = [_line(f, result.rules, options) for f in result.findings]
    summary = None if options.quiet else _summary(result.findings, result.files_linted)
    if summary is not None:
        if lines:
            lines.append("")
        lines.append(summary)
    return "\n".join(lines) + ("\n" if lines else "")
