"""Inline suppression comments.

Recognised forms (selectors are codes, code prefixes or rule names):

- ``# mllint: ignore[ML201, random-state-unset]`` on the reported line;
- ``# mllint: ignore`` (bare) on the reported line: every rule;
- ``# mllint: ignore-file[ML101]`` / ``# mllint: ignore-file`` anywhere: the whole file;
- ``# noqa: ML201`` for habit; only its ML codes are ours, a bare ``# noqa``
  belongs to other linters and is left alone;
- another security linter's suppression of the same finding on the reported
  line: ``# noqa: S301`` (ruff's flake8-bandit), ``# nosec`` or ``# nosec B301``
  (bandit), ``# noqa: TOR102`` (TorchFix) for a pickle-based load (ML601), and
  likewise for hard-coded secrets (ML602) and unverified TLS (ML604): the team
  has reviewed that line already (``FOREIGN_EQUIVALENTS``). These are never
  reported as unused: they belong to the other tool.

In a notebook a suppression comment on a line of its own applies to its whole
cell, so cell-level findings (outputs, execution order) can be suppressed.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Callable

_MLLINT = re.compile(r"#\s*mllint\s*:\s*(?P<kind>ignore-file|ignore)\b(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
_NOQA = re.compile(r"#\s*noqa\s*:\s*(?P<codes>[A-Za-z0-9_,\s-]+)", re.IGNORECASE)
_ML_CODE = re.compile(r"ML\d{1,3}\b", re.IGNORECASE)
#: Bandit's suppression, bare (every bandit test) or naming tests: ``# nosec B301, B506``.
_NOSEC = re.compile(r"#\s*nosec\b:?(?P<codes>(?:[\s,]*B\d{3}\b)*)", re.IGNORECASE)
#: Codes of other security linters whose finding is ours: ruff's flake8-bandit (S),
#: bandit (B) and TorchFix (TOR). A line suppressing one of them for that tool has
#: been reviewed for what our rule reports there.
FOREIGN_EQUIVALENTS: dict[str, str] = {
    **dict.fromkeys(("S301", "S302", "S506", "S614", "B301", "B302", "B506", "B614", "TOR102"), "ML601"),
    **dict.fromkeys(("S105", "S106", "S107", "B105", "B106", "B107"), "ML602"),
    **dict.fromkeys(("S501", "B501"), "ML604"),
}
#: What a bare ``# nosec`` covers of ours: bandit's tests for these findings.
_NOSEC_ALL = tuple(sorted(set(FOREIGN_EQUIVALENTS.values())))
_FOREIGN_CODE = re.compile(r"\b(?:" + "|".join(FOREIGN_EQUIVALENTS) + r")\b", re.IGNORECASE)


@dataclass
class Suppression:
    line: int  # 1-based line of the comment
    column: int  # 1-based column of the comment
    selectors: tuple[str, ...] | None  # None: every rule
    file_wide: bool = False
    own_line: bool = False
    text: str = ""
    codes: frozenset[str] | None = None  # resolved selectors
    used: bool = False
    #: another linter's suppression (``FOREIGN_EQUIVALENTS``): never reported as unused
    foreign: bool = False


@dataclass
class Suppressions:
    items: list[Suppression] = field(default_factory=list)

    def resolve(self, expand: Callable[[str], frozenset[str]]) -> None:
        """Turn selectors into codes; an unknown selector matches nothing."""
        for item in self.items:
            if item.selectors is not None:
                codes: set[str] = set()
                for selector in item.selectors:
                    codes |= expand(selector)
                item.codes = frozenset(codes)

    def suppresses(self, code: str, line: int, cell_lines: range | None = None) -> bool:
        """Whether a finding of *code* at *line* is suppressed; marks what matched.

        *cell_lines* is the line range of the finding's notebook cell, if any.
        """
        hit = False
        for item in self.items:
            if item.codes is not None and code not in item.codes:
                continue
            applies = (
                item.file_wide
                or item.line == line
                or (cell_lines is not None and item.own_line and item.line in cell_lines)
            )
            if applies:
                item.used = True
                hit = True
        return hit

    def unused(self) -> list[Suppression]:
        return [item for item in self.items if not item.used and not item.foreign]


def _may_suppress(text: str) -> bool:
    """Whether a comment of *text* may hold a suppression: the patterns match the
    whole text wherever they match one of its comments. Libraries write
    ``# noqa: E501`` for other linters in one file in ten; tokenizing those
    (Python's tokenizer, pure Python on 3.11) took a second of a 2,000-file run."""
    return (_MLLINT.search(text) is not None or "nosec" in text
            or any(_ML_CODE.search(codes) or _FOREIGN_CODE.search(codes) for codes in map(_codes, _NOQA.finditer(text))))


def _codes(match: re.Match[str]) -> str:
    return match.group("codes")


def _comments(text: str) -> list[tuple[int, int, str, bool]]:
    """(line, column, comment, own_line) for every comment token.

    The tokenizer is trusted up to its first error; from the line of that error
    on, lines are scanned for ``#`` (the file then has a syntax error, so false
    matches inside strings do not matter). Stopping there also bounds the time:
    Python 3.10/3.11's pure-Python tokenizer rescans the rest of a line from every
    error token, hours on a long line of unterminated quotes.
    """
    found: list[tuple[int, int, str, bool]] = []
    resume: int | None = None  # 1-based line from which the line scan takes over
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.ERRORTOKEN:
                resume = tok.start[0]
                break
            if tok.type == tokenize.COMMENT:
                line, col = tok.start
                found.append((line, col + 1, tok.string, tok.line[:col].strip() == ""))
    except tokenize.TokenError as error:  # EOF in a multi-line string (from its start) or statement
        resume = error.args[1][0]
    except SyntaxError as error:  # inconsistent dedent
        resume = error.lineno or 1
    if resume is None:
        return found
    found = [comment for comment in found if comment[0] < resume]
    for number, raw in enumerate(io.StringIO(text).readlines()[resume - 1:], start=resume):
        index = raw.find("#")
        if index >= 0:
            found.append((number, index + 1, raw[index:].rstrip("\r\n"), raw[:index].strip() == ""))
    return found


def parse_suppressions(text: str) -> Suppressions:
    result = Suppressions()
    if not _may_suppress(text):
        return result
    for line, column, comment, own_line in _comments(text):
        for match in _MLLINT.finditer(comment):
            codes = match.group("codes")
            selectors = None if codes is None else tuple(s.strip() for s in codes.split(",") if s.strip())
            result.items.append(
                Suppression(
                    line,
                    column + match.start(),
                    selectors,
                    file_wide=match.group("kind").lower() == "ignore-file",
                    own_line=own_line,
                    text=match.group(0),
                )
            )
        noqa = _NOQA.search(comment)
        if noqa:
            codes = tuple(c.upper() for c in _ML_CODE.findall(noqa.group("codes")))
            if codes:
                result.items.append(Suppression(line, column + noqa.start(), codes, own_line=own_line, text=noqa.group(0).strip()))
            ours = _equivalents(_FOREIGN_CODE.findall(noqa.group("codes")))
            if ours:
                result.items.append(Suppression(line, column + noqa.start(), ours, own_line=own_line, text=noqa.group(0).strip(), foreign=True))
        nosec = _NOSEC.search(comment)
        if nosec:
            named = re.findall(r"B\d{3}", nosec.group("codes"), re.IGNORECASE)
            ours = _equivalents(named) if named else _NOSEC_ALL
            if ours:
                result.items.append(Suppression(line, column + nosec.start(), ours, own_line=own_line, text=nosec.group(0).strip(), foreign=True))
    return result


def _equivalents(codes: list[str]) -> tuple[str, ...]:
    """Our codes for other linters' codes (``FOREIGN_EQUIVALENTS``)."""
    return tuple(sorted({FOREIGN_EQUIVALENTS[code.upper()] for code in codes if code.upper() in FOREIGN_EQUIVALENTS}))
