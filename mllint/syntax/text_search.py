"""Fast text pre-filters: regular expressions run over whole files before any parsing.

These searches run on every file of a project, so their cost is paid on
megabytes of text. CPython's ``re`` skips quickly to a position where a match
can start only when it knows the pattern's possible first characters; a
leading ``\\b`` (or ``(?i)``) hides them and makes the search try every
position, about 3-8x slower; so does an alternation of words with different
first letters. ``WordSearch`` keeps the exact pattern but searches its
alternatives one by one (plain words as substrings), each first without its
``\\b`` assertions, which can only match more (an assertion removed widens a
pattern), so an exact pattern runs only where its fast form found something.
"""

from __future__ import annotations

import re
from collections.abc import Iterator


class WordSearch:
    """``search(text)`` is ``exact.search(text) is not None``, computed faster.

    The pattern's top-level alternatives are searched one by one: a text matches
    an alternation where it matches one of them. A plain word is a substring
    test; any other alternative is searched alone, so that ``re`` skips to its
    literal head, and first without its ``\\b``: the exact alternative cannot match
    before the first match of the wide one, so it starts searching there (its
    ``\\b`` still sees the character before)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.exact = re.compile(pattern, flags)
        # A global inline flag applies to every alternative: such a pattern is searched whole.
        alternatives = [pattern] if _GLOBAL_FLAGS.match(pattern) else _alternatives(pattern)
        plain = [] if flags & re.IGNORECASE else [part for part in alternatives if part and re.escape(part) == part]
        self._words = tuple(plain)
        self._patterns = tuple(
            (re.compile(part.replace(r"\b", ""), flags), re.compile(part, flags)) for part in alternatives if part not in plain
        )

    def search(self, text: str) -> bool:
        if any(word in text for word in self._words):
            return True
        for wide, exact in self._patterns:
            found = wide.search(text)
            if found is not None and exact.search(text, found.start()) is not None:
                return True
        return False


class LineStartSearch:
    """``re.compile(r"^[ \t]*" + pattern, re.MULTILINE).findall(text)``, computed faster.

    With ``^`` in multi-line mode, ``re`` tries the pattern at every position of
    the text; here *pattern* (which starts with a literal) is searched alone, and
    a match counts where only spaces and tabs precede it on its line. Where one
    counts, the next is searched from its end, as ``findall`` does; no match of
    the original can start on a line where a counted one ends before its head."""

    def __init__(self, pattern: str) -> None:
        self._pattern = re.compile(pattern)
        if self._pattern.groups > 1:
            raise ValueError("findall would give tuples: one group at most")

    def findall(self, text: str) -> list[str]:
        return [match.group(1) if self._pattern.groups else text[line:match.end()] for line, match in self._matches(text)]

    def search(self, text: str) -> bool:
        """Whether ``re.search(r"^[ \t]*" + pattern, text, re.MULTILINE)`` finds something."""
        return next(self._matches(text), None) is not None

    def _matches(self, text: str) -> Iterator[tuple[int, re.Match[str]]]:
        """(where its line starts, the match of *pattern*) of each match that counts."""
        search, position = self._pattern.search, 0
        while (match := search(text, position)) is not None:
            start = match.start()
            line = text.rfind("\n", 0, start) + 1
            if not text[line:start].strip(" \t"):
                yield line, match
                position = max(match.end(), start + 1)
            else:
                position = start + 1


_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of *pattern*: split at ``|`` outside groups,
    character classes and escapes."""
    parts, depth, start, index, in_class = [], 0, 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[index + 1:index + 2] == "^":
                index += 1
            if pattern[index + 1:index + 2] == "]":  # a leading ] is a member
                index += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
        index += 1
    parts.append(pattern[start:])
    return parts


def mentions_any(text: str, words: tuple[str, ...]) -> bool:
    """Whether the text holds one of *words* in any letter case (each is given in
    lower case): a gate in front of a case-insensitive pattern, which ``re``
    cannot search quickly."""
    lowered = text.lower()
    return any(word in lowered for word in words)


def finditer_near(pattern: re.Pattern[str], text: str, words: tuple[str, ...], reach: int) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern every match of which holds one of
    *words* (given in lower case, matched in any), starting at most *reach*
    characters after the match does. The pattern is tried only at the positions
    up to *reach* before an occurrence of a word, which ``str.find`` skips ahead
    to: a pattern ignoring case, or led by a look-behind, is tried by ``re`` at
    every position (a megabyte of notebook output took a tenth of a second).
    Outside ASCII, where ``str.lower`` and ``re`` disagree on letter case, the
    text is searched whole."""
    if not text.isascii():
        yield from pattern.finditer(text)
        return
    lowered = text.lower()
    occurrences = []
    for word in words:
        found = lowered.find(word)
        while found != -1:
            occurrences.append(found)
            found = lowered.find(word, found + 1)
    position = tried = 0  # where the next match may start; the first position not tried yet
    for occurrence in sorted(occurrences):
        for start in range(max(position, tried, occurrence - reach), occurrence + 1):
            match = pattern.match(text, start)
            if match is not None:
                yield match
                position, tried = max(match.end(), start + 1), start + 1
                break
        else:
            tried = max(tried, occurrence + 1)


def word_starts(text: str, word: str) -> Iterator[int]:
    """The starts of the matches of ``\\b<word>\\b`` in *text*, for a *word* of
    word characters, found with ``str.find``: ``re`` tries a pattern led by
    ``\\b`` at every position. A character is a word character where ``re``
    says so: a letter or digit in any script, or ``_``."""
    found = text.find(word)
    while found != -1:
        end = found + len(word)
        before = text[found - 1] if found else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            yield found
        found = text.find(word, found + 1)
