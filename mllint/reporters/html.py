"""``mllint report --format html``: the scorecard (``scorecard.py``) as one
self-contained page, to attach to a CI run or open from disk.

Self-contained means it works offline and leaks nothing: the CSS and the bar
chart of the stage scores (SVG) are inline, there is no script, font, image or
link to fetch, and a Content-Security-Policy forbids the page any network
request. Every piece of text from the linted project (messages, paths, source
lines, crash reports) goes through ``html.escape``; the code runs that rules
put in backticks become ``<code>`` after escaping.
"""

from __future__ import annotations

from html import escape

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
from mllint.reporters.text import location

_STATUS_CLASS = {Status.PASS: "pass", Status.FAIL: "fail", Status.NOT_APPLICABLE: "na", Status.ERROR: "error"}
_COUNTED = (Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.ERROR)
_CHART_WIDTH, _LABEL_WIDTH, _BAR_WIDTH, _ROW_HEIGHT = 640, 150, 420, 34

_STYLE = """
:root { color-scheme: light; --pass: #2e7d32; --fail: #c62828; --na: #757575; --error: #6a1b9a; --mid: #ef8f00; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1c1c1c; background: #f6f7f9; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { margin: 32px 0 8px; font-size: 20px; display: flex; gap: 12px; align-items: baseline; }
.overall { font-size: 17px; margin: 0 0 16px; }
.overall strong { font-size: 32px; }
.card { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: 16px 20px; }
svg text { font: 14px system-ui, sans-serif; fill: #1c1c1c; }
svg .track { fill: #eceff1; }
svg .good { fill: var(--pass); } svg .mid { fill: var(--mid); } svg .bad { fill: var(--fail); }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e4e7eb; vertical-align: top; }
td.num, th.num { text-align: right; }
table.stages { width: auto; min-width: 720px; }
table.rules td:nth-child(-n+3) { white-space: nowrap; }
.status { display: inline-block; min-width: 104px; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 13px; text-align: center; }
.status.pass { background: var(--pass); } .status.fail { background: var(--fail); }
.status.na { background: var(--na); } .status.error { background: var(--error); }
.score { font-weight: normal; color: #555; font-size: 16px; }
ul.findings { margin: 0; padding-left: 18px; }
ul.findings li { margin: 4px 0; }
.where { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; background: #f0f2f4; padding: 0 3px; border-radius: 3px; }
pre { margin: 4px 0 0; padding: 4px 8px; background: #f0f2f4; overflow-x: auto; font-size: 13px; }
.formula { color: #555; font-size: 13px; margin-top: 32px; }
"""


def render(result: LintResult, options: ReportOptions) -> str:
    card = scorecard(result)
    body = [
        "<h1>mllint scorecard</h1>",
        _summary(card),
        _chart(card),
        _stage_table(card),
        *(_stage(stage) for stage in card.stages),
    ]
    if card.diagnostics:
        body.append(f'<section id="diagnostics"><h2>Diagnostics <span class="score">not scored</span></h2>{_findings(card.diagnostics)}</section>')
    body.append(f'<p class="formula">Scoring: {escape(FORMULA)}</p>')
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>mllint scorecard</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


def _summary(card: Scorecard) -> str:
    counts = card.counts()
    tally = ", ".join(f"{counts[status]} {status.value}" for status in _COUNTED)
    files = f"{card.files_linted} file{'s' if card.files_linted != 1 else ''} linted"
    return f'<p class="overall">Overall score <strong>{display_score(card.score)}</strong>/100 · {files} · {sum(counts.values())} rules: {tally}</p>'


def _tone(score: float | None) -> str:
    if score is None:
        return "track"
    return "good" if score >= 80 else "mid" if score >= 50 else "bad"


def _chart(card: Scorecard) -> str:
    """A horizontal bar per stage: its score over a 0-100 track."""
    height = _ROW_HEIGHT * len(card.stages) + 8
    bars = []
    for row, stage in enumerate(card.stages):
        y = 4 + row * _ROW_HEIGHT
        width = round(_BAR_WIDTH * (stage.score or 0) / 100, 1)
        label, shown = escape(stage.category), display_score(stage.score)
        bars.append(
            f'<g class="bar" data-category="{label}" data-score="{shown}"><title>{label}: {shown}/100</title>'
            f'<text x="0" y="{y + 19}">{label}</text>'
            f'<rect class="track" x="{_LABEL_WIDTH}" y="{y + 4}" width="{_BAR_WIDTH}" height="20" rx="3"/>'
            f'<rect class="{_tone(stage.score)}" x="{_LABEL_WIDTH}" y="{y + 4}" width="{width}" height="20" rx="3"/>'
            f'<text x="{_LABEL_WIDTH + _BAR_WIDTH + 10}" y="{y + 19}">{shown}</text></g>'
        )
    return (
        f'<div class="card"><svg id="chart" role="img" aria-label="score per lifecycle stage" width="{_CHART_WIDTH}" '
        f'height="{height}" viewBox="0 0 {_CHART_WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(bars)
        + "</svg></div>"
    )


def _stage_table(card: Scorecard) -> str:
    head = "".join(f'<th class="num">{status.value}</th>' for status in _COUNTED)
    rows = "".join(
        f'<tr><td><a href="#stage-{escape(stage.category)}">{escape(stage.category)}</a></td><td class="num">{display_score(stage.score)}</td>'
        + "".join(f'<td class="num">{stage.count(status)}</td>' for status in _COUNTED)
        + "</tr>"
        for stage in card.stages
    )
    return f'<h2>Stages</h2><table class="stages"><tr><th>stage</th><th class="num">score</th>{head}</tr>{rows}</table>'


def _stage(stage: StageCard) -> str:
    rows = "".join(_rule(rule) for rule in stage.rules)
    return (
        f'<section class="stage" id="stage-{escape(stage.category)}"><h2>{escape(stage.category)} '
        f'<span class="score">{display_score(stage.score)}/100</span></h2>'
        f"<table class=\"rules\"><tr><th>status</th><th>rule</th><th>severity</th><th>findings</th></tr>{rows}</table></section>"
    )


def _rule(rule: RuleCard) -> str:
    status = _STATUS_CLASS[rule.status]
    reason = f"<div>{escape(rule.reason)}</div>" if rule.reason else ""
    findings = _findings(rule.findings) if rule.findings else ""
    return (
        f'<tr class="rule {status}" id="{rule.code}"><td><span class="status {status}">{rule.status.value}</span></td>'
        f"<td><code>{rule.code}</code> {escape(rule.name)}</td><td>{rule.severity.value}</td>"
        f"<td>{reason}{findings}</td></tr>"
    )


def _findings(findings: tuple[Finding, ...]) -> str:
    items = []
    for finding in findings:
        source = f"<pre>{escape(finding.source_line)}</pre>" if finding.source_line and finding.source_line.strip() else ""
        items.append(
            f'<li class="finding"><span class="where">{escape(location(finding))}</span> '
            f"<code>{finding.code}</code> ({finding.severity.value}): {_message(finding.message)}{source}</li>"
        )
    return f'<ul class="findings">{"".join(items)}</ul>'


def _message(text: str) -> str:
    return "".join(f"<code>{escape(part)}</code>" if is_code else escape(part) for is_code, part in message_parts(text))
