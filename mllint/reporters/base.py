"""What every output format shares: the options a reporter honours and its signature."""

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
