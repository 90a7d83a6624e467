"""conda environment files (``environment*.yml``, ``conda.yaml``, ``env.yml``...):
conda match-specs and their ``pip:`` section; the environments of MLflow
projects (the ``conda_env`` or ``python_env`` an ``MLproject`` names); and the
build environment of a Replicate Cog service (``cog.yaml``).

The YAML is composed, not loaded, so every requirement keeps its line number.
"""

from __future__ import annotations

import re

import yaml

from mllint.project.dependencies.accumulator import Collector
from mllint.project.dependencies.requirements import (
    PipLines,
    read_pip_line,
    resolve_include,
    strip_comment,
    warn_bad_includes,
)
from mllint.project.dependencies.specs import BARE_VERSION, Spec, normalize_name


def _conda_pinned(constraint: str) -> bool:
    """Exactness of a conda match-spec version part (see the package docstring)."""
    if not constraint or any(c in constraint for c in "*<>!|,~"):
        return False
    if constraint.startswith("=="):
        return bool(constraint[2:].strip())
    if constraint.startswith("="):
        version, _, build = constraint[1:].partition("=")
        return bool(build.strip()) or len(version.strip().split(".")) >= 3
    return bool(BARE_VERSION.fullmatch(constraint.split()[0]))


def _yaml_value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """Value node of *key* in a YAML mapping node, None if absent or not a mapping."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def _compose(collector: Collector, path: str, text: str) -> yaml.Node | None:
    """The YAML node tree of a file, None (with a warning) when it is not YAML."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        collector.warn(path, f"invalid YAML ({' '.join(str(exc).split())})")
    except RecursionError:
        collector.warn(path, "nested too deeply to be read")
    return None


def mlproject_environments(collector: Collector, mlprojects: list[str]) -> dict[str, str]:
    """The environment files that MLflow ``MLproject`` files name, with the reader
    each needs (``conda`` or ``python-env``); paths are relative to the project root."""
    named: dict[str, str] = {}
    for path in mlprojects:
        text = collector.read(path)
        document = _compose(collector, path, text) if text is not None else None
        for key, kind in (("conda_env", "conda"), ("python_env", "python-env")):
            target = _yaml_value(document, key)
            resolved = resolve_include(path, str(target.value)) if isinstance(target, yaml.ScalarNode) else None
            if resolved is not None:
                named[resolved] = kind
    return named


def read_python_env(collector: Collector, path: str, text: str) -> None:
    """Reader for MLflow's ``python_env.yaml``: ``python`` and pip ``dependencies``."""
    _python_and_pip(collector, path, _compose(collector, path, text), "python", "dependencies")


def read_cog(collector: Collector, path: str, text: str) -> None:
    """Reader for Replicate's ``cog.yaml``: its ``build`` section's ``python_version``,
    ``python_packages`` (pip lines, as an MLflow ``python_env.yaml`` lists them) and the
    ``python_requirements`` file it installs."""
    build = _yaml_value(_compose(collector, path, text), "build")
    _python_and_pip(collector, path, build, "python_version", "python_packages")
    requirements = _yaml_value(build, "python_requirements")
    if isinstance(requirements, yaml.ScalarNode):
        resolved = resolve_include(path, str(requirements.value))
        if resolved is not None:
            collector.seeds.append(resolved)


def _python_and_pip(collector: Collector, path: str, mapping: yaml.Node | None, python_key: str, pip_key: str) -> None:
    """The Python version and the list of pip lines a YAML mapping holds under the given keys."""
    python = _yaml_value(mapping, python_key)
    if isinstance(python, yaml.ScalarNode) and str(python.value).strip():
        collector.python_at(path, python.start_mark.line + 1)
    packages = _yaml_value(mapping, pip_key)
    if isinstance(packages, yaml.SequenceNode):
        collector.declare(path)
        collector.conda_pins[path] = _conda_pip(collector, path, packages)


def read_conda(collector: Collector, path: str, text: str) -> None:
    """Reader for a conda environment file; records whether every entry is pinned."""
    document = _compose(collector, path, text)
    dependencies = _yaml_value(document, "dependencies")
    if dependencies is None:
        return
    collector.declare(path)
    if not isinstance(dependencies, yaml.SequenceNode):
        collector.warn(path, f"line {dependencies.start_mark.line + 1}: dependencies is not a list")
        return
    pins: list[bool] = []
    for item in dependencies.value:
        if isinstance(item, yaml.ScalarNode):
            pins.extend(_conda_item(collector, path, item))
        pip = _yaml_value(item, "pip")
        if isinstance(pip, yaml.SequenceNode):
            pins.extend(_conda_pip(collector, path, pip))
    collector.conda_pins[path] = pins


def _conda_item(collector: Collector, path: str, node: yaml.ScalarNode) -> list[bool]:
    text = str(node.value).strip()
    line = node.start_mark.line + 1
    match = re.match(r"^(?:[^:\s]+::)?([A-Za-z0-9_.-]+)\s*(?:\[[^\]]*\])?\s*(.*)$", text)
    if not match:
        collector.add(path, line, text, Spec(None, False), "conda")
        return [False]
    name, constraint = normalize_name(match.group(1)), match.group(2).strip()
    if name == "python":
        if constraint:
            collector.python_at(path, line)
        return []
    if name == "pip":
        return []
    pinned = _conda_pinned(constraint)
    collector.add(path, line, text, Spec(name, pinned), "conda")
    return [pinned]


def _conda_pip(collector: Collector, path: str, pip: yaml.SequenceNode) -> list[bool]:
    lines = PipLines()
    for item in pip.value:
        if isinstance(item, yaml.ScalarNode):
            text = " ".join(strip_comment(str(item.value)).split())
            if text:
                read_pip_line(path, item.start_mark.line + 1, text, lines)
    warn_bad_includes(collector, path, lines)
    collector.seeds.extend(lines.includes)
    collector.conda_includes.setdefault(path, []).extend(lines.includes)
    for entry in lines.entries:
        collector.add(path, entry.line, entry.text, entry.spec, "conda")
    return [entry.spec.pinned for entry in lines.entries]
