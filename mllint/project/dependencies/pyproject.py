"""``pyproject.toml``: PEP 621 ``[project]``, PEP 735 ``[dependency-groups]``, and the
uv, PDM, Poetry and setuptools-dynamic tables of ``[tool]``.
"""

from __future__ import annotations

from typing import Any

from mllint.project.dependencies.accumulator import Collector
from mllint.project.dependencies.keyed import keyed_deps
from mllint.project.dependencies.requirements import seed_files
from mllint.project.dependencies.sourcelines import SourceLines
from mllint.project.dependencies.specs import parse_spec


def _quoted_forms(value: str) -> list[str]:
    """How a string may appear in TOML source."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return [f'"{value}"', f"'{value}'", f'"{escaped}"']


def read_pyproject(collector: Collector, path: str, text: str) -> None:
    """Reader for ``pyproject.toml``."""
    data = collector.toml(path, text)
    if data is None:
        return
    lines = SourceLines(text)
    project = data.get("project")
    if isinstance(project, dict):
        _pep621(collector, path, project, lines)
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        collector.declare(path)
        _string_groups(collector, path, groups, lines, lines.table("dependency-groups"), "pyproject")
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    uv = tool.get("uv")
    if isinstance(uv, dict) and "dev-dependencies" in uv:
        collector.declare(path)
        anchor = lines.key("dev-dependencies", lines.table("tool.uv"))
        _string_array(collector, path, uv["dev-dependencies"], lines, anchor, "pyproject")
    pdm = tool.get("pdm")
    if isinstance(pdm, dict) and isinstance(pdm.get("dev-dependencies"), dict):
        collector.declare(path)
        anchor = lines.table("tool.pdm.dev-dependencies")
        _string_groups(collector, path, pdm["dev-dependencies"], lines, anchor, "pdm")
    poetry = tool.get("poetry")
    if isinstance(poetry, dict):
        _poetry(collector, path, poetry, lines)
    _setuptools_dynamic(collector, path, tool.get("setuptools"))


def _pep621(collector: Collector, path: str, project: dict[str, Any], lines: SourceLines) -> None:
    start = lines.table("project")
    if isinstance(project.get("requires-python"), str) and project["requires-python"].strip():
        collector.python_at(path, lines.key("requires-python", start))
    if "dependencies" in project:
        collector.declare(path)
        anchor = lines.key("dependencies", start) or start
        _string_array(collector, path, project["dependencies"], lines, anchor, "pyproject")
    optional = project.get("optional-dependencies")
    if isinstance(optional, dict):
        collector.declare(path)
        anchor = lines.table("project.optional-dependencies") or lines.key("optional-dependencies", start)
        _string_groups(collector, path, optional, lines, anchor, "pyproject")
    if isinstance(project.get("dynamic"), list) and "dependencies" in project["dynamic"]:
        collector.declare(path)


def _string_groups(
    collector: Collector, path: str, groups: dict[str, Any], lines: SourceLines, anchor: int, source: str
) -> None:
    for group, items in groups.items():
        _string_array(collector, path, items, lines, lines.key(str(group), anchor) or anchor, source)


def _string_array(collector: Collector, path: str, items: Any, lines: SourceLines, anchor: int, source: str) -> None:
    """PEP 508 strings of one TOML array; each located after the previous one."""
    if not isinstance(items, list):
        collector.warn(path, f"line {anchor}: expected a list of requirement strings")
        return
    cursor = anchor
    for item in items:
        if not isinstance(item, str):
            continue  # e.g. {include-group = "..."} in dependency-groups
        spec = parse_spec(item)
        line = lines.find(_quoted_forms(item), cursor)
        cursor = line or cursor
        if spec is not None:
            collector.add(path, line or anchor, item, spec, source)


def _poetry(collector: Collector, path: str, poetry: dict[str, Any], lines: SourceLines) -> None:
    tables = [("tool.poetry.dependencies", poetry.get("dependencies"))]
    tables.append(("tool.poetry.dev-dependencies", poetry.get("dev-dependencies")))
    groups = poetry.get("group")
    if isinstance(groups, dict):
        for name, group in groups.items():
            if isinstance(group, dict):
                tables.append((f"tool.poetry.group.{name}.dependencies", group.get("dependencies")))
    for table, deps in tables:
        if isinstance(deps, dict):
            collector.declare(path)
            keyed_deps(collector, path, table, deps, lines, "poetry", python_key="python")


def _setuptools_dynamic(collector: Collector, path: str, setuptools: Any) -> None:
    """``[tool.setuptools.dynamic] dependencies = {file = [...]}`` points at requirements files."""
    dynamic = setuptools.get("dynamic") if isinstance(setuptools, dict) else None
    if not isinstance(dynamic, dict):
        return
    directives = [dynamic.get("dependencies")]
    optional = dynamic.get("optional-dependencies")
    if isinstance(optional, dict):
        directives.extend(optional.values())
    for directive in directives:
        if isinstance(directive, dict) and "file" in directive:
            targets = directive["file"]
            targets = [targets] if isinstance(targets, str) else targets
            collector.declare(path)
            seed_files(collector, path, [t for t in targets if isinstance(t, str)])
