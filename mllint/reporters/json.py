"""``--format json``: an array of findings with a stable key order."""

from __future__ import annotations

import json
from typing import Any

from mllint.engine.findings import Finding
from mllint.engine.registry import Registry
from mllint.engine.runner import LintResult
from mllint.reporters.base import ReportOptions


def finding_to_json(finding: Finding, rules: Registry) -> dict[str, Any]:
    rule = rules[finding.code]
    return {
        "code": finding.code,
        "name": rule.name,
        "category": rule.category(),
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "cell": finding.cell,
        "fix": finding.fix.to_json() if finding.fix is not None else None,
    }


def render(result: LintResult, options: ReportOptions) -> str:
    return json.dumps([finding_to_json(f, result.rules) for f in result.findings], indent=2, ensure_ascii=False) + "\n"
