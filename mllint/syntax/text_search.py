"""Fast text pre-filters: regular expressions run over whole files before any parsing.

These searches run on every file of a project, so their cost is paid on
megabytes of text. CPython's ``re`` skips quickly to a position where a match
can start only when it knows the pattern's possible first characters; a
leading ``\\b`` (or ``(?i)``) hides them and makes the search try every
position, about 3-8x slower. ``WordSearch`` keeps the exact pattern but
searches first with the same pattern without its ``\\b`` assertions, which can
only match more (an assertion removed widens a pattern), so the exact pattern
runs only on the few files where the fast one found something.
"""

from __future__ import annotations

import re


class WordSearch:
    """``search(text)`` is ``exact.search(text) is not None``, computed faster.

    The exact pattern cannot match before the first match of the wide one, so it
    starts searching there (its ``\\b`` still sees the character before)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.exact = re.compile(pattern, flags)
        self._wide = re.compile(pattern.replace(r"\b", ""), flags)

    def search(self, text: str) -> bool:
        wide = self._wide.search(text)
        return wide is not None and self.exact.search(text, wide.start()) is not None


def mentions_any(text: str, words: tuple[str, ...]) -> bool:
    """Whether the text holds one of *words* in any letter case (each is given in
    lower case): a gate in front of a case-insensitive pattern, which ``re``
    cannot search quickly."""
    lowered = text.lower()
    return any(word in lowered for word in words)
