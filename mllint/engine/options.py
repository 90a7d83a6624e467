"""Options of rules and analyses: how they are declared and how a value written
in a configuration file becomes the value code sees.

A leaf module: the configuration loader validates with it, contexts resolve
defaults with it, and rules and analyses declare their options with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


class OptionError(ValueError):
    """A value of the wrong kind; ``str()`` says what was expected."""


@dataclass(frozen=True)
class Option:
    """A configurable option (``[tool.mllint.rules.<code>]`` or ``[tool.mllint.analysis.<name>]``).

    ``kind`` is one of "int", "bool", "str", "str-list", "size" (a byte size
    such as ``"5MiB"``); configuration validation and ``mllint explain`` use it.
    """

    default: Any
    kind: str
    help: str


_SIZE = re.compile(r"(?i)\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*")
_UNITS = {None: 1, "b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2, "gb": 1000**3, "gib": 1024**3}


def convert_option(raw: Any, kind: str) -> Any:
    """The value of *raw* as an option of *kind*; raises OptionError when it is not one."""
    if kind == "bool" and isinstance(raw, bool):
        return raw
    if kind == "int" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if kind == "str" and isinstance(raw, str):
        return raw
    if kind == "str-list":
        if isinstance(raw, str) or not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise OptionError("expected a list of strings")
        return raw
    if kind == "size":
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            return raw
        match = _SIZE.fullmatch(raw) if isinstance(raw, str) else None
        if match:
            unit = match.group(2).lower() if match.group(2) else None
            return int(float(match.group(1)) * _UNITS[unit])
        raise OptionError(f'expected a size such as "5MiB", got {raw!r}')
    raise OptionError(f"expected {kind}, got {type(raw).__name__} {raw!r}")


def defaults(options: dict[str, Option]) -> dict[str, Any]:
    """Every option's default, converted like a configured value (``"1MiB"`` -> 1048576)."""
    return {name: convert_option(option.default, option.kind) for name, option in options.items()}
