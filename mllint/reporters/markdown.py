"""``--format markdown``: the scorecard (``scorecard.py``) as GitHub-flavoured
Markdown, for ``$GITHUB_STEP_SUMMARY``, a pull-request comment or a wiki page.
It is what ``mllint report`` prints by default and what ``mllint check
--format markdown`` prints (there with ``check``'s exit status).

Findings quote the linted project (its code, its file names, the exceptions a
crashing rule raised), so every piece of their text is escaped: a finding can
add no link, image, HTML, mention, heading or table cell. The code runs that
rules put in backticks stay code spans (which Markdown never interprets).
"""

from __future__ import annotations

import re

from mllint.engine.findings import Finding
from mllint.engine.runner import LintResult
from mllint.reporters.base import ReportOptions
from mllint.reporters.scorecard import (
    FORMULA,
    RuleCard,
    Scorecard,
    StageCard,
    Status,
    display_score,
    message_parts,
    scorecard,
)
from mllint.reporters.text import location, printable

_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~$#@!])")
_BADGES = {Status.PASS: "✅ pass", Status.FAIL: "❌ fail", Status.NOT_APPLICABLE: "➖ not applicable", Status.ERROR: "💥 error"}
_COUNTED = (Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.ERROR)


def escape(text: str) -> str:
    """Plain text, safe anywhere inline, table cells included: one line, every
    character Markdown could read as syntax backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", printable(" ".join(text.splitlines())))


def message(text: str) -> str:
    """A finding message: its backticked runs as code spans, the rest escaped."""
    return "".join(f"`{printable(' '.join(part.splitlines()))}`" if is_code else escape(part) for is_code, part in message_parts(text))


def render(result: LintResult, options: ReportOptions) -> str:
    card = scorecard(result)
    blocks = ["# mllint scorecard", _summary(card)]
    if card.stages:
        blocks.append(_stage_table(card))
        blocks.extend(_stage(stage) for stage in card.stages)
    else:
        blocks.append("No rule of a lifecycle stage is enabled (the selection holds only the engine's diagnostics).")
    if card.diagnostics:
        blocks.append(f"## Diagnostics (not scored)\n\n{_finding_list(card.diagnostics)}")
    blocks.append(f"Scoring: {FORMULA}")
    return "\n\n".join(blocks) + "\n"


def _summary(card: Scorecard) -> str:
    counts = card.counts()
    rules = sum(counts.values())
    files = f"{card.files_linted} file{'s' if card.files_linted != 1 else ''} linted"
    tally = ", ".join(f"{counts[status]} {status.value}" for status in _COUNTED)
    return f"**Overall score: {display_score(card.score)}/100** · {files} · {rules} rule{'s' if rules != 1 else ''}: {tally}"


def _stage_table(card: Scorecard) -> str:
    rows = ["| stage | score | pass | fail | not applicable | error |", "|---|--:|--:|--:|--:|--:|"]
    rows.extend(
        f"| {escape(stage.category)} | {display_score(stage.score)} | " + " | ".join(str(stage.count(s)) for s in _COUNTED) + " |"
        for stage in card.stages
    )
    return "\n".join(rows)


def _stage(stage: StageCard) -> str:
    rows = ["| status | rule | severity | findings | note |", "|---|---|---|--:|---|"]
    rows.extend(_rule_row(rule) for rule in stage.rules)
    text = f"## {escape(stage.category)}: {display_score(stage.score)}/100\n\n" + "\n".join(rows)
    findings = stage.findings()
    if findings:
        summary = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
        text += f"\n\n<details><summary>{summary}</summary>\n\n{_finding_list(findings)}\n\n</details>"
    return text


def _rule_row(rule: RuleCard) -> str:
    return f"| {_BADGES[rule.status]} | {rule.code} {escape(rule.name)} | {rule.severity.value} | {len(rule.findings)} | {escape(rule.reason)} |"


def _finding_list(findings: tuple[Finding, ...]) -> str:
    return "\n".join(f"- **{f.code}** {escape(location(f))} ({f.severity.value}): {message(f.message)}" for f in findings)
