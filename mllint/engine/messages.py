"""How rules quote things in their messages, so that every message reads alike."""

from __future__ import annotations


def human_size(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


def shown(text: str, limit: int = 60) -> str:
    """A literal as quoted in a message: one line, at most *limit* characters."""
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
