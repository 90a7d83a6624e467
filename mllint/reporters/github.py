"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

A step shows at most 10 error, 10 warning and 10 notice annotations and drops
the rest silently, so the most severe findings are printed first and a final
notice says how many were left out and where to see them all (SARIF uploaded to
code scanning). Annotations are placed as in SARIF (``sarif.region_of``): a
notebook finding on the ``.ipynb`` file's own line, a project finding on the
file that stands for the project.
"""

from __future__ import annotations

from mllint.engine.findings import Finding, Severity
from mllint.engine.registry import Registry
from mllint.engine.runner import LintResult
from mllint.reporters.base import ReportOptions
from mllint.reporters.sarif import message_text, region_of
from mllint.reporters.text import printable

#: Annotations GitHub shows per step and per kind.
ANNOTATION_LIMIT = 10
_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message the way the Actions runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: also ``:`` and ``,``, which end a value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(finding: Finding, rules: Registry) -> str:
    region = region_of(finding)
    properties = {
        "file": printable(region.path),
        "line": region.line,
        "col": region.column,
        "endLine": region.end_line,
        "endColumn": region.end_column,
        "title": f"{finding.code} {rules[finding.code].name}",
    }
    listed = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{_COMMANDS[finding.severity]} {listed}::{escape_data(message_text(finding))}"


def _left_out_notice(left_out: dict[Severity, int]) -> str:
    counts = ", ".join(
        f"{n} {_COMMANDS[severity]}{'s' if n != 1 else ''}" for severity, n in left_out.items() if n
    )
    total = sum(left_out.values())
    text = (
        f"mllint: {total} more finding{'s' if total != 1 else ''} not annotated ({counts}): GitHub shows at most "
        f"{ANNOTATION_LIMIT} errors, {ANNOTATION_LIMIT} warnings and {ANNOTATION_LIMIT} notices per step. "
        "Run `mllint check --format sarif` and upload the report to code scanning to see them all."
    )
    return f"::notice::{escape_data(text)}"


def render(result: LintResult, options: ReportOptions) -> str:
    """Annotations by severity, most severe first, as many as GitHub shows, then what was left out."""
    by_severity = {severity: [f for f in result.findings if f.severity == severity] for severity in _COMMANDS}
    # the closing notice is a notice too: it takes one of the notices' places
    overflowing = any(len(found) > ANNOTATION_LIMIT for found in by_severity.values())
    limits = {
        severity: ANNOTATION_LIMIT - 1 if overflowing and severity == Severity.INFO else ANNOTATION_LIMIT
        for severity in _COMMANDS
    }
    lines = [_command(f, result.rules) for severity, found in by_severity.items() for f in found[: limits[severity]]]
    left_out = {severity: max(len(found) - limits[severity], 0) for severity, found in by_severity.items()}
    if any(left_out.values()):
        lines.append(_left_out_notice(left_out))
    return "".join(line + "\n" for line in lines)
