"""Pipenv's ``Pipfile``: ``[packages]``, ``[dev-packages]`` and ``[requires]``."""

from __future__ import annotations

from mllint.project.dependencies.accumulator import Collector
from mllint.project.dependencies.keyed import keyed_deps
from mllint.project.dependencies.sourcelines import SourceLines


def read_pipfile(collector: Collector, path: str, text: str) -> None:
    """Reader for ``Pipfile``."""
    data = collector.toml(path, text)
    if data is None:
        return
    collector.declare(path)
    lines = SourceLines(text)
    for table in ("packages", "dev-packages"):
        if isinstance(data.get(table), dict):
            keyed_deps(collector, path, table, data[table], lines, "pipfile", python_key=None)
    requires = data.get("requires")
    if isinstance(requires, dict):
        start = lines.table("requires")
        for key in ("python_version", "python_full_version"):
            if key in requires:
                collector.python_at(path, lines.key(key, start))
                break
