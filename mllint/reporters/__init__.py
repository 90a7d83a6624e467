"""Output formats, one module each. A reporter turns a lint result into text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from mllint.engine.runner import LintResult


@dataclass(frozen=True)
class ReportOptions:
    show_source: bool = False
    statistics: bool = False
    color: bool = False
    quiet: bool = False


Reporter = Callable[[LintResult, ReportOptions], str]


def reporters() -> dict[str, Reporter]:
    from mllint.reporters import json as json_reporter
    from mllint.reporters import text

    return {"text": text.render, "json": json_reporter.render}
