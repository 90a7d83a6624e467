"""The scorecard of ``mllint report``: every enabled rule, grouped by lifecycle
stage (its category), with a status, and a 0-100 score per stage and overall.

A lint run answers "what is wrong"; a scorecard answers "how far does this
project follow the practices", so it must also say which rules passed, which
could not judge the project, and which broke, never mistaking the last two for
a pass. The Markdown and HTML reporters render this model; it holds no text
layout of its own.

Statuses, decided in this order:

- **error**: an ``ML000`` finding says the rule crashed ("rule ML201 (...)
  crashed: ..."). Such a rule may have missed findings, so it is never a pass,
  even if it checked other files cleanly.
- **fail**: the rule reported findings (after suppressions and ignores).
- **not applicable**: the rule checked no file or project
  (``result.applied[code] == 0``: no file it applies to, e.g. no serving code for
  ML5xx, or project rules were off), or it said it does not apply (a note that
  starts with "not applicable", e.g. "the project uses no ML library").
- **pass**: it checked at least one file or project and found nothing. Other
  notes (e.g. why ML204 accepts a library's ranges) are kept as its remark.

Scores. A rule weighs its catalogue severity: error 3, warning 2, info 1 (the
default severity: a pass has no finding that would carry an overridden one).

- stage score = 100 x (weight of the passing rules) / (weight of the applicable
  rules, i.e. pass + fail + error); no score when no rule of the stage applies;
- overall score = the mean of the stage scores that exist, so every stage
  counts the same however many rules it has; no score when no stage has one.

Scores are shown rounded half up to whole numbers (the overall mean is taken of
the unrounded stage scores). The engine's own codes (ML0xx) are not a stage:
crashes are charged to the rule that crashed, and the other engine findings
(syntax errors, invalid notebooks, unused suppressions) are listed as
diagnostics, unscored.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from enum import Enum

from mllint.engine.findings import Finding, Severity
from mllint.engine.rules import CATEGORIES, Scope
from mllint.engine.runner import LintResult

WEIGHTS = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFO: 1}
FORMULA = (
    "Each rule weighs its severity (error 3, warning 2, info 1); a stage scores 100 × the weight of its "
    "passing rules over the weight of its applicable rules (pass, fail, error); the overall score is the "
    "mean of the stage scores. Not-applicable rules do not count; a crashed rule (error) never passes."
)
_ENGINE = CATEGORIES["ML0"]
_CRASH = re.compile(r"rule (ML\d{3}) \(")
_NOT_APPLICABLE = "not applicable"
_NOTHING_TO_CHECK = {"deployment": "no serving code"}


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not applicable"
    ERROR = "error"


@dataclass(frozen=True)
class RuleCard:
    """One enabled rule's line on the scorecard."""

    code: str
    name: str
    severity: Severity
    status: Status
    #: its findings; for an error, the ML000 crash reports come first
    findings: tuple[Finding, ...] = ()
    #: why it does not apply, what crashed, or a note the rule left
    reason: str = ""

    @property
    def applicable(self) -> bool:
        return self.status != Status.NOT_APPLICABLE


@dataclass(frozen=True)
class StageCard:
    """The rules of one lifecycle stage (category) and its score."""

    category: str
    rules: tuple[RuleCard, ...]

    @property
    def score(self) -> float | None:
        applicable = sum(WEIGHTS[r.severity] for r in self.rules if r.applicable)
        if not applicable:
            return None
        return 100 * sum(WEIGHTS[r.severity] for r in self.rules if r.status == Status.PASS) / applicable

    def count(self, status: Status) -> int:
        return sum(1 for r in self.rules if r.status == status)

    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for r in self.rules for f in r.findings)


@dataclass(frozen=True)
class Scorecard:
    stages: tuple[StageCard, ...]
    #: engine findings not charged to a rule: syntax errors, invalid notebooks, ...
    diagnostics: tuple[Finding, ...]
    files_linted: int

    @property
    def score(self) -> float | None:
        scores = [s.score for s in self.stages if s.score is not None]
        return sum(scores) / len(scores) if scores else None

    def counts(self) -> Counter[Status]:
        return Counter(r.status for stage in self.stages for r in stage.rules)


def display_score(score: float | None) -> str:
    """Half up, not Python's half-to-even: 62.5 shows as 63, as a reader expects."""
    return "n/a" if score is None else str(math.floor(score + 0.5))


def crashed_rule(finding: Finding) -> str | None:
    """The code of the rule an ML000 finding says crashed, if it names one."""
    match = _CRASH.match(finding.message) if finding.code == "ML000" else None
    return match.group(1) if match else None


def message_parts(message: str) -> list[tuple[bool, str]]:
    """A finding message as (is_code, text) runs: rules wrap code in backticks.

    Reporters render code runs as code and escape every run; an unpaired
    backtick stays in the text."""
    pieces = message.split("`")
    if len(pieces) % 2 == 0:  # an odd number of backticks: the last one is text
        pieces[-2:] = [pieces[-2] + "`" + pieces[-1]]
    parts: list[tuple[bool, str]] = []
    for i, text in enumerate(pieces):
        if i % 2 == 0:
            if text:
                parts.append((False, text))
        else:
            parts.append((True, text) if text else (False, "``"))
    return parts


def scorecard(result: LintResult) -> Scorecard:
    """Build the scorecard of a lint run."""
    crashes: dict[str, list[Finding]] = {}
    by_code: dict[str, list[Finding]] = {}
    diagnostics: list[Finding] = []
    for finding in result.findings:
        crashed = crashed_rule(finding)
        if crashed is not None and crashed in result.selected:
            crashes.setdefault(crashed, []).append(finding)
        elif result.rules[finding.code].category() == _ENGINE:
            diagnostics.append(finding)
        else:
            by_code.setdefault(finding.code, []).append(finding)
    notes: dict[str, list[str]] = {}
    for code, note in result.notes:
        if note not in notes.setdefault(code, []):
            notes[code].append(note)

    stages: dict[str, list[RuleCard]] = {}
    for code in sorted(result.selected):
        rule = result.rules[code]
        if rule.category() == _ENGINE:
            continue
        status, reason = _status(result, code, crashes.get(code, []), by_code.get(code, []), notes.get(code, []))
        card = RuleCard(code, rule.name, rule.severity, status, (*crashes.get(code, []), *by_code.get(code, [])), reason)
        stages.setdefault(rule.category(), []).append(card)
    ordered = tuple(StageCard(category, tuple(stages[category])) for category in CATEGORIES.values() if category in stages)
    return Scorecard(ordered, tuple(diagnostics), result.files_linted)


def _status(result: LintResult, code: str, crashes: list[Finding], findings: list[Finding], notes: list[str]) -> tuple[Status, str]:
    if crashes:
        more = f" (and {len(crashes) - 1} more)" if len(crashes) > 1 else ""
        return Status.ERROR, f"crashed: {crashes[0].message.partition('crashed: ')[2]}{more}"
    if findings:
        return Status.FAIL, "; ".join(notes)
    reasons = [note.partition(":")[2].strip() or note for note in notes if note.lower().startswith(_NOT_APPLICABLE)]
    if reasons:
        return Status.NOT_APPLICABLE, "; ".join(reasons)
    if result.applied[code] == 0:
        return Status.NOT_APPLICABLE, _nothing_checked(result, code)
    return Status.PASS, "; ".join(notes)


def _nothing_checked(result: LintResult, code: str) -> str:
    rule = result.rules[code]
    if rule.scope == Scope.PROJECT:
        return "project rules were not run (--no-project-rules or project-rules = false)"
    if rule.scope == Scope.NOTEBOOK:
        return "no notebook"
    return _NOTHING_TO_CHECK.get(rule.category(), "no file the rule applies to")
