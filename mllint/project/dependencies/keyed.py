"""``name = constraint`` dependency tables, the form Poetry and Pipfile share.

Their values are bare versions (``"1.2.3"`` meaning ``==1.2.3``), Poetry
constraints, or tables naming a path, VCS ref, URL or version.
"""

from __future__ import annotations

from typing import Any

from mllint.project.dependencies.accumulator import Collector
from mllint.project.dependencies.sourcelines import SourceLines
from mllint.project.dependencies.specs import (
    FULL_COMMIT,
    URL_SCHEME,
    Spec,
    bare_version_pinned,
    normalize_name,
    url_pinned,
)


def _inline(value: Any) -> str:
    """A compact TOML-like rendering of a Poetry/Pipfile value for ``Requirement.text``."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return str(value)


def _keyed_value_pinned(value: Any) -> bool | None:
    """Poetry/Pipfile dependency value: pinned?, or None for a local path (not a requirement).

    A list is Poetry's multiple-constraints form: pinned only if every entry is.
    """
    if isinstance(value, str):
        return bare_version_pinned(value)
    if isinstance(value, list):
        pins = [_keyed_value_pinned(v) for v in value]
        return all(pins) if any(p is not None for p in pins) else None
    if not isinstance(value, dict):
        return False
    if "path" in value:
        return None
    if "git" in value or "hg" in value:
        ref = value.get("rev", value.get("ref"))
        return isinstance(ref, str) and bool(FULL_COMMIT.fullmatch(ref))
    for key in ("url", "file"):
        if isinstance(value.get(key), str):
            target = value[key]
            if not URL_SCHEME.match(target) or target.startswith("file:"):
                return None
            return url_pinned(target)
    version = value.get("version")
    return isinstance(version, str) and bare_version_pinned(version)


def keyed_deps(
    collector: Collector,
    path: str,
    table: str,
    deps: dict[str, Any],
    lines: SourceLines,
    source: str,
    python_key: str | None,
) -> None:
    """Poetry/Pipfile style ``name = constraint`` tables."""
    start = lines.table(table)
    for name, value in deps.items():
        line = lines.key(name, start) or lines.table(f"{table}.{name}") or start
        if python_key is not None and name.lower() == python_key:
            collector.python_at(path, line)
            continue
        pinned = _keyed_value_pinned(value)
        if pinned is not None:
            collector.add(path, line, f"{name} = {_inline(value)}", Spec(normalize_name(name), pinned), source)
