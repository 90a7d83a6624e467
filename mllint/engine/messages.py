"""How messages quote things (literals, sizes, a rule's crash), so that every message reads alike."""

from __future__ import annotations

import traceback


def human_size(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


def shown(text: str, limit: int = 60) -> str:
    """A literal as quoted in a message: one line, at most *limit* characters."""
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_crash(exc: BaseException) -> str:
    """``ValueError: msg (rules.py:12)``: enough to file a bug, no traceback."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"
