"""Baselines: accept today's findings so that only new ones are reported.

A team adopting mllint on a mature repository cannot fix every finding at once.
A baseline records them by fingerprint (``engine/fingerprints.py``: rule,
project-relative path, the reported line and its nearest non-blank neighbours)
with a count, so ``--baseline`` reports only what is new: moved code and edits
elsewhere keep an accepted finding hidden, while a second copy of an accepted
violation exceeds its count and is reported.

The file is JSON, one entry per line, sorted by path, rule and fingerprint, so
that it diffs and merges well in review. Entries carry the rule, the path (as
shown from the folder the baseline was written in) and the reported line's text
for the humans reading it; only the fingerprint and the count are matched.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from mllint.engine.findings import Finding
from mllint.engine.rules import Scope
from mllint.engine.runner import LintResult
from mllint.project.dependencies.specs import mask_credentials
from mllint.project.files import FileTooLarge, read_regular_file

FORMAT_VERSION = 1
#: A baseline larger than this is no baseline (100,000 entries take about 15 MiB).
MAX_BASELINE_BYTES = 100 * 1024 * 1024
DEFAULT_BASELINE = ".mllint-baseline.json"
_FINGERPRINT = re.compile(r"[0-9a-f]{16}")


class BaselineError(Exception):
    """An unreadable or malformed baseline; ``str()`` is one line naming the file."""


@dataclass(frozen=True)
class Entry:
    """Accepted findings sharing one fingerprint."""

    fingerprint: str
    count: int
    code: str = ""
    path: str = ""
    #: the reported line, stripped (the message when the finding has no line,
    #: or when its rule keeps the line out of reports, as secrets rules do)
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "path": self.path, "text": self.text, "fingerprint": self.fingerprint, "count": self.count}


def redacted(findings: Sequence[Finding]) -> list[Finding]:
    """*findings* as they may be shown or written down: a line one finding does not
    show (the secrets rule never shows the line holding the secret) is shown by
    no other finding on it, and the user information of URLs is masked in the
    lines and messages that remain (``https://****@host``). Used for every report
    and for the baseline, so no output copies a credential out of the project."""
    hidden = {(f.path, f.cell, f.line) for f in findings if f.source_line is None and f.line > 0}
    return [
        replace(f, message=mask_credentials(f.message),
                source_line=None if f.source_line is None or (f.path, f.cell, f.line) in hidden else mask_credentials(f.source_line))
        for f in findings
    ]


def entries_of(findings: Iterable[Finding]) -> list[Entry]:
    """One entry per fingerprint, described by its first finding, in file order."""
    ordered = sorted(findings, key=Finding.sort_key)
    counts = Counter(f.fingerprint for f in ordered)
    first: dict[str, Finding] = {}
    for finding in ordered:
        first.setdefault(finding.fingerprint, finding)
    entries = [
        Entry(fp, counts[fp], f.code, f.path, f.source_line.strip() if f.source_line is not None else f.message)
        for fp, f in first.items()
    ]
    return sorted(entries, key=lambda e: (e.path, e.code, e.fingerprint))


def dumps(entries: Sequence[Entry]) -> str:
    """The baseline file's text: deterministic, one entry per line."""
    lines = ",\n".join("    " + json.dumps(e.to_json(), ensure_ascii=False) for e in entries)
    body = f"[\n{lines}\n  ]" if entries else "[]"
    return f'{{\n  "mllint-baseline": {FORMAT_VERSION},\n  "findings": {body}\n}}\n'


def write_baseline(path: Path, findings: Iterable[Finding], shown: str) -> list[Entry]:
    """Record *findings* in *path*; the entries written (their lines redacted: see :func:`redacted`)."""
    entries = entries_of(redacted(list(findings)))
    try:  # a lone surrogate (a notebook's "\\ud800") is written as that JSON escape, which reads back the same
        path.write_bytes(dumps(entries).encode("utf-8", "backslashreplace"))
    except OSError as exc:
        raise BaselineError(f"{shown}: cannot write the baseline: {exc.strerror or exc}") from exc
    return entries


def load_baseline(path: Path, shown: str) -> list[Entry]:
    """The entries of the baseline at *path*; BaselineError when it is not one."""
    try:
        data = json.loads(read_regular_file(path, MAX_BASELINE_BYTES).decode("utf-8"))
    except FileTooLarge:
        raise BaselineError(f"{shown}: cannot read the baseline: larger than {MAX_BASELINE_BYTES // (1024 * 1024)} MiB") from None
    except RecursionError:
        raise BaselineError(f"{shown}: not a mllint baseline: nested too deeply") from None
    except OSError as exc:
        raise BaselineError(f"{shown}: cannot read the baseline: {exc.strerror or exc}") from exc
    except UnicodeDecodeError:
        raise BaselineError(f"{shown}: not a mllint baseline: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{shown}: not a mllint baseline: invalid JSON: {exc}") from None
    if not isinstance(data, dict) or "mllint-baseline" not in data:
        raise BaselineError(f'{shown}: not a mllint baseline: expected an object with "mllint-baseline" and "findings" (write one with --write-baseline)')
    if data["mllint-baseline"] != FORMAT_VERSION:
        raise BaselineError(f"{shown}: unsupported baseline version {data['mllint-baseline']!r} (this mllint reads version {FORMAT_VERSION})")
    findings = data.get("findings")
    if not isinstance(findings, list):
        raise BaselineError(f'{shown}: not a mllint baseline: "findings" must be a list')
    entries = [_entry(item, shown, number) for number, item in enumerate(findings, 1)]
    duplicates = sorted(fp for fp, n in Counter(e.fingerprint for e in entries).items() if n > 1)
    if duplicates:
        raise BaselineError(f"{shown}: fingerprint {duplicates[0]} appears in more than one entry")
    return entries


def _entry(item: Any, shown: str, number: int) -> Entry:
    where = f"{shown}: findings entry {number}"
    if not isinstance(item, dict):
        raise BaselineError(f"{where}: expected an object")
    fingerprint, count = item.get("fingerprint"), item.get("count")
    if not isinstance(fingerprint, str) or not _FINGERPRINT.fullmatch(fingerprint):
        raise BaselineError(f"{where}: fingerprint: expected 16 hexadecimal digits, got {fingerprint!r}")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise BaselineError(f"{where}: count: expected a positive integer, got {count!r}")
    described = {key: item.get(key, "") for key in ("code", "path", "text")}
    for key, value in described.items():
        if not isinstance(value, str):
            raise BaselineError(f"{where}: {key}: expected a string, got {value!r}")
    return Entry(fingerprint, count, **described)


@dataclass(frozen=True)
class BaselineOutcome:
    reported: list[Finding]
    hidden: int
    #: fingerprints in scope of the run with fewer findings now than recorded
    stale: int


def apply_baseline(findings: Sequence[Finding], entries: Iterable[Entry], in_scope: Callable[[Entry], bool]) -> BaselineOutcome:
    """Hide, per fingerprint, the first ``count`` findings in sorted order.

    Entries outside the run (*in_scope* false: another path, a rule not
    selected) are never stale: a hook that lints two files must not call the
    rest of the baseline out of date.
    """
    entries = list(entries)
    remaining: Counter[str] = Counter()
    for entry in entries:
        remaining[entry.fingerprint] += entry.count
    reported: list[Finding] = []
    for finding in sorted(findings, key=Finding.sort_key):
        if remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
        else:
            reported.append(finding)
    stale = {e.fingerprint for e in entries if remaining[e.fingerprint] > 0 and in_scope(e)}
    return BaselineOutcome(reported, len(findings) - len(reported), len(stale))


def run_scope(result: LintResult, requested: Sequence[str]) -> Callable[[Entry], bool]:
    """Whether an entry is one the run could have found again.

    Its rule must be selected; a project rule's entry needs project rules to
    have run, a file rule's entry a path at or under one of *requested* (paths
    as shown, relative to the current directory, like the entries' paths).
    """
    project_rules_ran = any(result.applied[code] for code in result.selected if result.rules[code].scope == Scope.PROJECT)
    prefixes = [os.path.normpath(p).replace(os.sep, "/") for p in requested]

    def in_scope(entry: Entry) -> bool:
        if entry.code not in result.selected or entry.code not in result.rules:
            return False
        if result.rules[entry.code].scope == Scope.PROJECT:
            return project_rules_ran
        return any(p == "." or entry.path == p or entry.path.startswith(p + "/") for p in prefixes)

    return in_scope

