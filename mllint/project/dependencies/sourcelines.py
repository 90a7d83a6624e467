"""Line numbers in TOML and INI text.

``tomllib`` and ``configparser`` give values without positions, but findings must
point at a line, so requirements are located again in the raw text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_HEADER = re.compile(r"^\s*\[\[?([^\[\]]*)\]\]?\s*(?:[#;].*)?$")
_HEADER_KEYS = re.compile(r"[A-Za-z0-9_.\"' -]+")


def _header_keys(line: str) -> list[str] | None:
    """Dotted keys of a ``[a.b]`` / ``[[a.b]]`` header line, None for any other line.

    Written without nested quantifiers: these patterns run on every line of
    untrusted files, and the obvious single regex backtracks catastrophically.
    """
    header = _HEADER.match(line)
    if not header or not _HEADER_KEYS.fullmatch(header.group(1)):
        return None
    return [part.strip().strip("\"'") for part in header.group(1).split(".")]


class SourceLines:
    """Line lookups in a file's text, for formats whose parsers give no positions."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()

    def table(self, dotted: str) -> int:
        """Line of a ``[a.b.c]`` header (quotes and spaces tolerated), 0 if absent."""
        wanted = dotted.split(".")
        for number, line in enumerate(self._lines, 1):
            if _header_keys(line) == wanted:
                return number
        return 0

    def key(self, key: str, start: int, separators: str = "=") -> int:
        """Line of ``key =`` inside the section starting at *start* (whole file if 0)."""
        pattern = re.compile(rf"^\s*(?:\"{re.escape(key)}\"|'{re.escape(key)}'|{re.escape(key)})\s*[{separators}]")
        for number in range(max(start, 1), len(self._lines) + 1):
            line = self._lines[number - 1]
            if number > start > 0 and _header_keys(line) is not None:
                return 0
            if pattern.match(line):
                return number
        return 0

    def search_header(self, section: str) -> int:
        """Line of an INI ``[section]`` header, 0 if absent."""
        pattern = re.compile(rf"^\s*\[\s*{re.escape(section)}\s*\]")
        return next((n for n, line in enumerate(self._lines, 1) if pattern.match(line)), 0)

    def find(self, needles: Iterable[str], start: int) -> int:
        """First line at or after *start* containing any needle, 0 if none."""
        needles = [n for n in needles if n]
        for number in range(max(start, 1), len(self._lines) + 1):
            if any(n in self._lines[number - 1] for n in needles):
                return number
        return 0
