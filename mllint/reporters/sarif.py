"""``--format sarif``: SARIF 2.1.0 shaped for GitHub code scanning.

Code scanning keeps an alert open across pushes by matching fingerprints, shows
an alert only on a line of a file in the repository, and rejects runs with more
than 25,000 results. So every result points at a real line (a notebook's own
``.ipynb`` line, a project file for findings about the whole project), carries
``Finding.fingerprint`` plus its occurrence among equal fingerprints, and a run
that had to be cut says so. The rule descriptors come from the rule documents,
so the help GitHub shows is the text ``mllint explain`` prints.

The placement of findings (``region_of``, ``message_text``) is shared with the
other CI formats (``--format github``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from mllint import __version__
from mllint.engine.catalogue import doc_for
from mllint.engine.findings import Finding, Severity
from mllint.engine.rules import Rule
from mllint.engine.runner import LintResult
from mllint.project.ci.configs import ci_system
from mllint.reporters.base import ReportOptions

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
#: GitHub code scanning rejects a run with more results than this.
MAX_RESULTS = 25_000
#: Key of the partial fingerprint; bump the version if its meaning changes.
FINGERPRINT_KEY = "mllint/v1"
SRCROOT = "%SRCROOT%"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
#: GitHub ranks security alerts by this CVSS-like score: >= 7 high, >= 4 medium, else low.
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
_SECTIONS = ("What", "Why", "Bad", "Good", "Fix")
#: Files that stand for a project, most specific first (CI configurations follow).
_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
_READMES = ("README.md", "README.rst", "README.txt", "README")
_LIST_ITEM = re.compile(r"([-*+]|\d+[.)])\s")


@dataclass(frozen=True)
class Region:
    """A place CI viewers can show: a file and 1-based lines and columns
    (end column exclusive); ``None`` where nothing more precise is known."""

    path: str
    line: int
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None


def message_text(finding: Finding) -> str:
    """The message, naming the cell for notebook findings: the region points at
    the ``.ipynb`` file's own line, which readers do not count in cells."""
    if finding.cell is None:
        return finding.message
    where = f"cell {finding.cell}, line {finding.line}" if finding.line > 0 else f"cell {finding.cell}"
    return f"{where}: {finding.message}"


def region_of(finding: Finding) -> Region:
    """Where a CI viewer should show *finding*: viewers show only lines of files."""
    if finding.cell is not None:
        # cell columns are not columns of the JSON text: the line is all there is
        return Region(finding.path, finding.physical_line or 1)
    if finding.line <= 0:
        return Region(anchor_file(finding.path), 1)
    column = finding.column if finding.column >= 1 else None
    spans = finding.end_line > finding.line or (finding.end_line == finding.line and column is not None and finding.end_column > column)
    if not spans:
        return Region(finding.path, finding.line, column)
    return Region(finding.path, finding.line, column, finding.end_line, finding.end_column if finding.end_column >= 1 else None)


def anchor_file(path: str) -> str:
    """A file to show a finding about *path* on: *path* itself unless it is a
    folder (a project), else the file that best stands for the project there
    (packaging, requirements, CI configuration, README), else ``README.md``
    as a stable name. Paths are relative to the current directory, as the
    findings' paths are."""
    folder = Path(path)
    if not folder.is_dir():
        return path
    found = next(_project_files(folder), None)
    return (PurePosixPath(path) / (found or "README.md")).as_posix()


def _project_files(folder: Path) -> Iterator[str]:
    """Names (relative to *folder*) of the files that stand for the project, best first."""
    yield from (name for name in _PROJECT_FILES if (folder / name).is_file())
    requirements = (p.name for p in folder.glob("requirements*.txt") if p.is_file())
    yield from sorted(requirements, key=lambda name: (name != "requirements.txt", name))
    nearby = [*folder.glob("*"), *folder.glob("*/*"), *folder.glob(".github/workflows/*")]
    relative = {p.relative_to(folder).as_posix() for p in nearby if p.is_file()}
    yield from sorted(name for name in relative if ci_system(name) is not None)
    yield from (name for name in _READMES if (folder / name).is_file())


def _paragraphs(markdown: str) -> str:
    """Markdown prose as plain text: the documents' hard-wrapped lines joined
    into one line per paragraph or list item, fenced code kept line for line."""
    out: list[str] = []
    joinable = False  # the last line of out is prose that a next prose line continues
    in_code = False
    for line in markdown.splitlines():
        fence = line.lstrip().startswith("```")
        text = line.strip()
        if in_code or fence:
            out.append(line)
            in_code = in_code != fence
            joinable = False
        elif text and joinable and not _LIST_ITEM.match(text):
            out[-1] += " " + text
        else:
            out.append(text)
            joinable = bool(text)
    return "\n".join(out)


def _descriptor(rule: type[Rule]) -> dict[str, Any]:
    doc = doc_for(rule.code)
    sections = {name: doc.sections[name].strip() for name in _SECTIONS if doc is not None and doc.sections.get(name, "").strip()}
    summary = (doc.summary() if doc is not None else "") or rule.name.replace("-", " ")
    what = sections.get("What", summary)
    help_markdown = "\n\n".join(f"## {name}\n\n{body}" for name, body in sections.items()) or summary
    help_text = "\n\n".join(f"{name}\n\n{_paragraphs(body)}" for name, body in sections.items()) or summary
    properties: dict[str, Any] = {"tags": [rule.category()]}
    if rule.category() == "security":
        properties["security-severity"] = _SECURITY_SEVERITY[rule.severity]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": _paragraphs(what), "markdown": what},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }


def _sarif_region(region: Region) -> dict[str, int]:
    fields = {
        "startLine": region.line,
        "startColumn": region.column,
        "endLine": region.end_line,
        "endColumn": region.end_column,
    }
    return {key: value for key, value in fields.items() if value is not None}


def uri_of(path: str) -> str:
    """A relative path as a URI reference: percent-encoded UTF-8, and a file name
    that is not UTF-8 (decoded with ``surrogateescape``) by its own bytes."""
    try:
        data = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate no file system name decodes to
        data = path.encode("utf-8", "backslashreplace")
    return quote(data, safe="/")


def _result(finding: Finding, rule_index: int, occurrence: int) -> dict[str, Any]:
    region = region_of(finding)
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": message_text(finding)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri_of(region.path), "uriBaseId": SRCROOT},
                    "region": _sarif_region(region),
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: f"{finding.fingerprint}:{occurrence}"},
    }


def _kept(findings: list[Finding], limit: int) -> list[int]:
    """Indices of the findings that fit in *limit*: the most severe, in report order."""
    by_severity = sorted(range(len(findings)), key=lambda i: -findings[i].severity.rank)
    return sorted(by_severity[:limit])


def _invocation(total: int, kept: int) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if kept < total:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "warning",
                "descriptor": {"id": "results-truncated"},
                "message": {
                    "text": (
                        f"mllint found {total} results; GitHub code scanning accepts at most {MAX_RESULTS} per run, "
                        f"so the {total - kept} least severe were left out. `mllint check --format json` lists them all."
                    )
                },
            }
        ]
    return invocation


def render(result: LintResult, options: ReportOptions) -> str:
    """One run: every rule of the registry, the results GitHub accepts, a note if some were cut."""
    rule_index = {code: index for index, code in enumerate(result.rules)}
    findings = result.findings
    seen: Counter[str] = Counter()
    occurrences: list[int] = []
    for finding in findings:
        occurrences.append(seen[finding.fingerprint])
        seen[finding.fingerprint] += 1
    kept = _kept(findings, MAX_RESULTS)
    run = {
        "tool": {
            "driver": {
                "name": "mllint",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_descriptor(rule) for rule in result.rules.values()],
            }
        },
        "invocations": [_invocation(len(findings), len(kept))],
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The directory mllint ran in; result paths are relative to it."}}
        },
        "columnKind": "unicodeCodePoints",
        "results": [_result(findings[i], rule_index[findings[i].code], occurrences[i]) for i in kept],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
