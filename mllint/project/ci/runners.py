"""Reading task-runner files: tox, nox, Makefiles and hatch/pdm scripts.

CI jobs rarely call test runners directly; they call ``tox``, ``nox``,
``make test`` or ``hatch run test``. The resolver (``mllint.project.ci.resolver``)
follows those calls with the commands parsed here, and static analysis
(``mllint.project.ci.static_analysis``) reads the same files for linters. Nothing is
executed: noxfiles are parsed with ``ast``, the rest as INI, TOML or text.
"""

from __future__ import annotations

import ast
import configparser
import re
import shlex
import sys
from dataclasses import dataclass, field
from typing import Any

from mllint.project.ci.commands import Argv, _join_continuations, _logical_commands

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _parse_toml(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return None


# ------------------------------------------------------------------- tox files

_TOX_SETUP_CFG = re.compile(r"^\[tox:tox\]", re.MULTILINE)
_TOX_FACTOR = re.compile(r"^!?[\w.{}-]+(?:,!?[\w.{}-]+)*:\s+")


def _tox_ini_commands(text: str) -> dict[str, list[str]]:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return {}
    environments: dict[str, list[str]] = {}
    for section in parser.sections():
        if section != "testenv" and not section.startswith("testenv:"):
            continue
        raw = parser.get(section, "commands", fallback="")
        lines = [(n, _TOX_FACTOR.sub("", line.strip())) for n, line in enumerate(raw.splitlines())]
        commands = [_tox_command(command) for _, command in _logical_commands(lines)]
        environments[section.partition(":")[2]] = commands
    return environments


def _tox_toml_commands(table: dict[str, Any]) -> dict[str, list[str]]:
    environments: dict[str, list[str]] = {}
    tables = {"": table.get("env_run_base")}
    envs = table.get("env")
    if isinstance(envs, dict):
        tables.update(envs)
    for name, env in tables.items():
        commands = env.get("commands") if isinstance(env, dict) else None
        if isinstance(commands, list):
            environments[name] = [
                _tox_command(shlex.join(part for part in command if isinstance(part, str)))
                for command in commands
                if isinstance(command, list)
            ]
    return environments


def _tox_command(command: str) -> str:
    """Normalise tox substitutions so the command reads like a shell line."""
    command = command.lstrip("-! ").replace("{envpython}", "python").replace("{envbindir}/", "")
    return re.sub(r"\{posargs[^}]*\}", "", command)


def _select_tox_commands(
    environments: dict[str, list[str]], selected: set[str] | None
) -> list[str]:
    """Commands of the selected environments; unnamed ones (``py311``) use ``[testenv]``."""
    if selected is None:
        return [command for commands in environments.values() for command in commands]
    chosen: list[str] = []
    for env in selected:
        chosen.extend(environments.get(env) or environments.get("", []))
    return chosen


# -------------------------------------------------------------------- noxfile


def _nox_sessions(text: str) -> dict[str, list[Argv]]:
    """``session.run(...)`` argument lists per nox session (string literals only)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return {"*": [_literal_args(m.group(1)) for m in re.finditer(r"\.run\(([^)]*)\)", text)]}
    sessions: dict[str, list[Argv]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = _nox_session_name(node)
            if name is not None:
                sessions[name] = [argv for argv in map(_run_call_args, ast.walk(node)) if argv]
    return sessions


def _nox_session_name(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (isinstance(target, ast.Attribute) and target.attr == "session") or (
            isinstance(target, ast.Name) and target.id == "session"
        ):
            if isinstance(decorator, ast.Call):
                for keyword in decorator.keywords:
                    if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                        return str(keyword.value.value)
            return function.name
    return None


def _run_call_args(node: ast.AST) -> Argv:
    """Leading string-literal arguments of a ``session.run(...)`` call."""
    call = node if isinstance(node, ast.Call) else None
    if call is None or not (isinstance(call.func, ast.Attribute) and call.func.attr == "run"):
        return []
    argv: Argv = []
    for arg in call.args:
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            break
        argv.append(arg.value)
    return argv


def _literal_args(source: str) -> Argv:
    return re.findall(r"""["']([^"']*)["']""", source)


# ------------------------------------------------------------------- Makefile

_MAKE_VARIABLE = re.compile(
    r"^(?:export\s+|override\s+)?([A-Za-z_][\w.-]*)\s*(::?=|:::=|\?=|\+=|!=|=)\s*(.*)$"
)
_MAKE_RULE = re.compile(r"^([^:=#\t][^:=#]*)::?(?!=)(.*)$")
_MAKE_REFERENCE = re.compile(r"\$[({]([^(){}$]*)[)}]")
_MAKE_CONDITIONAL = re.compile(r"^(?:ifeq|ifneq|ifdef|ifndef|else|endif)\b")


@dataclass
class _Rule:
    dependencies: list[str] = field(default_factory=list)
    recipe: list[str] = field(default_factory=list)


@dataclass
class _Makefile:
    rules: dict[str, _Rule]
    variables: dict[str, str]
    default: list[str]

    @classmethod
    def parse(cls, text: str) -> _Makefile:
        """Targets, dependencies, recipes and simple variables; conditionals are ignored."""
        rules: dict[str, _Rule] = {}
        variables: dict[str, str] = {}
        default: list[str] = []
        current: list[_Rule] = []
        in_define = False
        for _, line in _join_continuations(enumerate(text.splitlines(), 1)):
            stripped = line.strip()
            if in_define:
                in_define = stripped != "endef"
                continue
            if _MAKE_CONDITIONAL.match(stripped):
                continue  # both branches are read; a conditional does not end a recipe
            if line[:1] in ("\t", " ") and current and stripped:
                if not stripped.startswith("#"):
                    for rule in current:
                        rule.recipe.append(stripped)
                continue
            if not stripped or stripped.startswith("#"):
                continue
            current = []
            if stripped.startswith("define "):
                in_define = True
            elif (variable := _MAKE_VARIABLE.match(stripped)) is not None:
                name, operator, value = variable.groups()
                if operator == "+=":
                    variables[name] = f"{variables.get(name, '')} {value}".strip()
                elif operator == "?=":
                    variables.setdefault(name, value)
                elif operator != "!=":
                    variables[name] = value
            elif (rule_match := _MAKE_RULE.match(stripped)) is not None:
                targets, rest = rule_match.groups()
                prerequisites, _, inline = rest.partition(";")
                if "=" in prerequisites:
                    continue  # target-specific variable
                for target in targets.split():
                    rule = rules.setdefault(target, _Rule())
                    rule.dependencies.extend(d for d in prerequisites.replace("|", " ").split())
                    if inline.strip():
                        rule.recipe.append(inline.strip())
                    current.append(rule)
                    if not default and not target.startswith(".") and "%" not in target:
                        default.append(target)
        return cls(rules=rules, variables=variables, default=default)

    def commands(self, rule: _Rule) -> list[str]:
        """A rule's recipe as shell lines: variables expanded, ``@``/``-``/``+`` dropped."""
        return [self.expand(line).lstrip("@-+ \t") for line in rule.recipe]

    def expand(self, line: str) -> str:
        """Substitute ``$(VAR)``; unknown ones are guessed from their names (``$(PYTHON)``)."""
        line = line.replace("$$", "\0")
        for _ in range(8):
            replaced = _MAKE_REFERENCE.sub(lambda m: self._value(m.group(1)), line)
            if replaced == line:
                break
            line = replaced
        return line.replace("\0", "$")

    def _value(self, name: str) -> str:
        if name in self.variables:
            return self.variables[name]
        upper = name.upper()
        if " " in name:
            return ""  # a function such as $(shell ...) or $(wildcard ...)
        for needle, guess in (("MAKE", "make"), ("PYTEST", "pytest"), ("PYTHON", "python")):
            if needle in upper:
                return guess
        return "python" if upper == "PY" else ""


# ------------------------------------------------------- hatch and pdm scripts


def _pyproject_script_commands(tool: dict[str, Any]) -> list[str]:
    """Every command of every hatch environment script and pdm script."""
    envs = _dig(tool, "hatch", "envs")
    tables = [_dig(env, "scripts") for env in envs.values()] if isinstance(envs, dict) else []
    tables.append(_dig(tool, "pdm", "scripts"))
    return [
        command
        for table in tables
        if isinstance(table, dict)
        for value in table.values()
        for command in _script_commands(value)
    ]


def _script_commands(value: Any) -> list[str]:
    """Shell lines of a hatch script (string or list), pdm script or pixi task (string or table).

    pdm ``cmd`` lists are argv lists; ``composite`` items name other scripts or
    commands, which ``pdm run`` resolves either way.
    """
    if isinstance(value, dict):
        if isinstance(value.get("composite"), list):
            return [f"pdm run {item}" for item in value["composite"] if isinstance(item, str)]
        depends = value.get("depends-on", value.get("depends_on"))
        if isinstance(depends, list) and "cmd" not in value:  # a pixi task that only runs others
            return [f"pixi run {item}" for item in depends if isinstance(item, str)]
        command = value.get("cmd", value.get("shell"))
        if isinstance(command, list) and all(isinstance(part, str) for part in command):
            return [shlex.join(command)]
        value = command
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []
