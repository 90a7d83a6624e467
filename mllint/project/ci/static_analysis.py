"""Which linters and type checkers a project configures or runs, and where.

Sources, best first: pyproject ``[tool.*]`` tables, dedicated config files,
setup.cfg/tox.ini sections, pre-commit hooks, task runners and CI commands
(including GitHub actions named after a tool). Commands are followed through
the same indirections as test detection (``mllint.project.ci.resolver``).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from mllint.project.ci.commands import Argv, _positional, _program
from mllint.project.ci.configs import CIConfig, CIFacts, collect_ci_facts
from mllint.project.ci.resolver import _MAKEFILE_NAMES, _Resolver
from mllint.project.ci.runners import (
    _dig,
    _nox_sessions,
    _parse_toml,
    _pyproject_script_commands,
)


def static_analysis_tools(
    root: Path, files: Iterable[str], ci: CIFacts | None = None
) -> dict[str, str]:
    """Map each configured linter/type checker to the file that configures or runs it.

    Tools: ruff, flake8, pylint, mypy, pyright (incl. basedpyright), pyre.
    Formatters (black, isort, ``ruff format``) are not static analysis. Sources,
    in order of preference: ``[tool.*]`` tables of pyproject.toml, dedicated
    config files, setup.cfg/tox.ini sections, pre-commit hooks, commands of task
    runners (tox, nox, Makefile, hatch/pdm scripts) and finally CI commands.
    """
    resolver = _Resolver(root, files)
    if ci is None:
        ci = collect_ci_facts(root, resolver.files)
    found: dict[str, str] = {}
    for tool, path in _configured_tools(resolver):
        found.setdefault(tool, path)
    for config in ci.configs:
        for tool in _tools_in_config(resolver, config):
            found.setdefault(tool, config.path)
    return found


# -------------------------------------------------------- classifying programs

_ANALYSIS_PROGRAMS = {
    "ruff": "ruff", "flake8": "flake8", "pflake8": "flake8", "flakeheaven": "flake8",
    "flakehell": "flake8", "pylint": "pylint", "mypy": "mypy", "dmypy": "mypy",
    "pyright": "pyright", "basedpyright": "pyright", "pyre": "pyre",
}
_NOT_ANALYSIS_SUBCOMMANDS = {"format", "version", "help", "rule", "config", "linter", "clean",
                             "server", "init", "kill", "stop", "install-types"}


def _leaf_analysis_tool(argv: Argv) -> str | None:
    tool = _ANALYSIS_PROGRAMS.get(_program(argv))
    args = argv[1:]
    if tool is None or {"--version", "-V", "--help", "-h"}.intersection(args):
        return None
    subcommand = _positional(args)[1]
    return None if subcommand in _NOT_ANALYSIS_SUBCOMMANDS else tool


def _tool_in_action(ref: str) -> str | None:
    """Which analysis tool a GitHub action (``astral-sh/ruff-action@v1``) runs."""
    name = ref.split("@", 1)[0].lower()
    if name.startswith(("./", "docker://")):
        return None
    for needle, tool in (("ruff", "ruff"), ("flake8", "flake8"), ("pylint", "pylint"),
                         ("mypy", "mypy"), ("pyright", "pyright"), ("pyre", "pyre")):
        if needle in name:
            return tool
    return None


# ------------------------------------------------------------ static analysis

_DEDICATED_CONFIGS = {
    ".flake8": "flake8", "mypy.ini": "mypy", ".mypy.ini": "mypy", ".pylintrc": "pylint",
    "pylintrc": "pylint", "pyrightconfig.json": "pyright", "ruff.toml": "ruff",
    ".ruff.toml": "ruff", ".pyre_configuration": "pyre",
}
_PYPROJECT_TABLES = {"ruff": "ruff", "mypy": "mypy", "pylint": "pylint", "pyright": "pyright",
                     "basedpyright": "pyright", "flake8": "flake8"}
"""``[tool.flake8]`` is read by the Flake8-pyproject plugin; flake8 itself ignores pyproject."""
#: A section header, on one line: ``\s`` or ``[^\]]`` running over line breaks
#: would rescan the rest of the file from every line start (blank lines, or
#: ``[mypy-`` lines that never close).
_INI_SECTION = re.compile(
    r"^[ \t]*\[[ \t]*(flake8|mypy|pylint|tool:pylint)(?:[-:. \t][^\]\n]*)?\]", re.MULTILINE | re.IGNORECASE
)
_PRE_COMMIT_HOOKS = (("ruff-format", None), ("ruff", "ruff"), ("flake8", "flake8"),
                     ("pylint", "pylint"), ("mypy", "mypy"), ("basedpyright", "pyright"),
                     ("pyright", "pyright"), ("pyre", "pyre"))


def _configured_tools(resolver: _Resolver) -> Iterator[tuple[str, str]]:
    """(tool, path) from config files and task runners, best sources first."""
    by_name: dict[str, list[str]] = {}
    for path in sorted(resolver.files, key=lambda p: (p.count("/"), p)):
        by_name.setdefault(posixpath.basename(path), []).append(path)
    for path in by_name.get("pyproject.toml", []):
        tool_table = _dig(_parse_toml(resolver.read(path)), "tool")
        if isinstance(tool_table, dict):
            tables = (tool for key, tool in _PYPROJECT_TABLES.items() if key in tool_table)
            yield from ((tool, path) for tool in tables)
    for name, tool in _DEDICATED_CONFIGS.items():
        yield from ((tool, path) for path in by_name.get(name, []))
    for path in by_name.get("setup.cfg", []) + by_name.get("tox.ini", []):
        for match in _INI_SECTION.finditer(resolver.read(path) or ""):
            section = match.group(1).lower()
            yield ("pylint" if "pylint" in section else section), path
    for path in by_name.get(".pre-commit-config.yaml", []):
        yield from ((tool, path) for tool in _pre_commit_tools(resolver, path))
    yield from _task_runner_tools(resolver)


def _pre_commit_tools(resolver: _Resolver, path: str) -> Iterator[str]:
    try:
        config = yaml.safe_load(resolver.read(path) or "")
    except (yaml.YAMLError, RecursionError, ValueError):
        return
    repos = config.get("repos") if isinstance(config, dict) else None
    for repo in repos if isinstance(repos, list) else []:
        hooks = repo.get("hooks") if isinstance(repo, dict) else None
        for hook in hooks if isinstance(hooks, list) else []:
            tool = _hook_tool(resolver, hook) if isinstance(hook, dict) else None
            if tool is not None:
                yield tool


def _hook_tool(resolver: _Resolver, hook: dict[str, Any]) -> str | None:
    """The tool a hook runs: known hook ids first, else what its ``entry`` runs."""
    hook_id = str(hook.get("id", "")).lower()
    for prefix, tool in _PRE_COMMIT_HOOKS:
        if hook_id.startswith(prefix):
            return tool
    entry = hook.get("entry")
    return next(_analysis_tools(resolver, [entry]), None) if isinstance(entry, str) else None


def _analysis_tools(resolver: _Resolver, commands: Iterable[str], depth: int = 0) -> Iterator[str]:
    """Analysis tools the shell *commands* run, following indirections."""
    for command in commands:
        for leaf in resolver.leaves(command, depth):
            tool = _leaf_analysis_tool(leaf)
            if tool is not None:
                yield tool


def _task_runner_tools(resolver: _Resolver) -> Iterator[tuple[str, str]]:
    """Tools run by tox environments, nox sessions, Makefile targets and hatch/pdm scripts."""
    sources: list[tuple[str, list[str]]] = []
    for tox_path, environments in resolver.tox_sources():
        sources.append((tox_path, [c for commands in environments.values() for c in commands]))
    if "noxfile.py" in resolver.files:
        sessions = _nox_sessions(resolver.read("noxfile.py") or "")
        runs = [shlex.join(run) for session_runs in sessions.values() for run in session_runs]
        sources.append(("noxfile.py", runs))
    for name in _MAKEFILE_NAMES:
        makefile = resolver.makefile(name, ".")
        if makefile is not None:
            recipes = [c for rule in makefile.rules.values() for c in makefile.commands(rule)]
            sources.append((name, recipes))
    tool_table = _dig(resolver.pyproject() or {}, "tool")
    scripts = _pyproject_script_commands(tool_table if isinstance(tool_table, dict) else {})
    if scripts:
        sources.append(("pyproject.toml", scripts))
    for path, commands in sources:
        yield from ((tool, path) for tool in _analysis_tools(resolver, commands, depth=1))



def _tools_in_config(resolver: _Resolver, config: CIConfig) -> Iterator[str]:
    yield from _analysis_tools(resolver, (command for _, command in config.commands))
    for _, ref in config.uses:
        tool = _tool_in_action(ref)
        if tool is not None:
            yield tool
