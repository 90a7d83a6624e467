"""Finding CI configuration files and extracting their shell commands with line numbers.

Each supported CI system (GitHub Actions, GitLab, Azure, CircleCI, Bitbucket,
Travis, Buildkite, Jenkins) keeps its commands under different keys; this
module knows where, reports each command with the physical line it starts on
(so findings point at it) and asks the resolver whether any of them runs tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from mllint.project.ci.commands import _logical_commands
from mllint.project.ci.resolver import _Resolver
from mllint.project.ci.yaml_nodes import compose, mapping_items, scalars


@dataclass(frozen=True)
class CIConfig:
    """One CI configuration file and what its jobs run."""

    path: str
    system: str
    runs_tests: bool
    test_command: str | None
    test_line: int | None
    commands: list[tuple[int, str]]
    uses: list[tuple[int, str]] = field(default_factory=list)
    """GitHub Actions ``uses:`` references (line, ref): not followed, but they name tools."""


@dataclass
class CIFacts:
    """All CI configurations of a project, plus problems met while reading them."""

    configs: list[CIConfig]
    warnings: list[str]


def collect_ci_facts(root: Path, files: Iterable[str]) -> CIFacts:
    """Find the CI configurations among *files* and decide whether each runs tests."""
    resolver = _Resolver(root, files)
    configs: list[CIConfig] = []
    warnings: list[str] = []
    for path in sorted(resolver.files):
        system = ci_system(path)
        if system is not None:
            configs.append(_read_config(resolver, path, system, warnings))
    return CIFacts(configs=configs, warnings=warnings)


def ci_system(path: str) -> str | None:
    """The CI system a repository path configures, or None when it is no CI file."""
    p = PurePosixPath(path)
    parent, name = p.parent.as_posix(), p.name
    yaml_file = p.suffix in (".yml", ".yaml")
    if parent == ".github/workflows" and yaml_file:
        return "github"
    if name == "Jenkinsfile":
        return "jenkins"
    if parent == ".":
        return _ROOT_CI_FILES.get(name)
    if yaml_file and parent in _CI_DIRECTORIES:
        system, names = _CI_DIRECTORIES[parent]
        return system if names is None or name in names else None
    return None


# ---------------------------------------------------------------- CI file kinds


_ROOT_CI_FILES = {
    ".gitlab-ci.yml": "gitlab",
    ".gitlab-ci.yaml": "gitlab",
    "azure-pipelines.yml": "azure",
    "azure-pipelines.yaml": "azure",
    "bitbucket-pipelines.yml": "bitbucket",
    ".travis.yml": "travis",
    "buildkite.yml": "buildkite",
    "buildkite.yaml": "buildkite",
}
_CI_DIRECTORIES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    ".azure-pipelines": ("azure", None),
    ".circleci": ("circleci", ("config.yml", "config.yaml")),
    ".buildkite": ("buildkite", None),
}

# Mapping keys whose values are shell commands, per CI system. Nested mappings
# are walked too, so `run: {command: ...}` (CircleCI) and task `inputs: {script: ...}`
# (Azure) are found without per-system schemas.
_COMMAND_KEYS = {
    "github": {"run"},
    "gitlab": {"script", "before_script", "after_script"},
    "azure": {"script", "bash", "powershell", "pwsh", "inlineScript"},
    "circleci": {"run", "command"},
    "bitbucket": {"script", "after-script"},
    "travis": {
        "script", "install", "before_install", "before_script",
        "after_success", "after_failure", "after_script", "before_deploy",
    },
    "buildkite": {"command", "commands"},
}


# ------------------------------------------------------------- reading configs


def _read_config(resolver: _Resolver, path: str, system: str, warnings: list[str]) -> CIConfig:
    text = resolver.read(path, warnings)
    commands: list[tuple[int, str]] = []
    uses: list[tuple[int, str]] = []
    if text is not None:
        if system == "jenkins":
            commands = _jenkins_commands(text)
        else:
            commands, uses = _yaml_commands(text, system, path, warnings)
    test_line, test_command = next(
        ((line, cmd) for line, cmd in commands if resolver.runs_tests(cmd)), (None, None)
    )
    return CIConfig(
        path=path,
        system=system,
        runs_tests=test_command is not None,
        test_command=test_command,
        test_line=test_line,
        commands=commands,
        uses=uses,
    )


def _yaml_commands(
    text: str, system: str, path: str, warnings: list[str]
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Shell commands (with 1-based physical lines) and ``uses:`` refs of a YAML CI file."""
    try:
        documents = compose(text)
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        warnings.append(f"{path}: not valid YAML ({_yaml_problem(exc)}); commands not read")
        return [], []
    source = text.splitlines()
    keys = _COMMAND_KEYS[system]
    physical: list[tuple[int, str]] = []
    uses: list[tuple[int, str]] = []
    read: set[int] = set()
    for key, value in mapping_items(documents):
        if key in keys:
            for scalar in scalars(value, read):
                physical.extend(_scalar_lines(scalar, source))
        elif key == "uses" and system == "github" and isinstance(value, yaml.ScalarNode):
            uses.append((value.start_mark.line + 1, value.value))
    return _logical_commands(sorted(set(physical))), sorted(set(uses))


_SEARCH_WINDOW = 50
"""Lines searched ahead for each line of a folded scalar (keeps huge scalars linear)."""


def _scalar_lines(node: yaml.ScalarNode, source: list[str]) -> list[tuple[int, str]]:
    """Split a scalar into lines, each with the 1-based physical line it came from."""
    lines = node.value.split("\n")
    start = node.start_mark.line  # 0-based line of the scalar's first character/indicator
    if node.style == "|":
        # Literal blocks keep every line: content starts on the line after the `|`.
        return [(start + 2 + offset, line) for offset, line in enumerate(lines)]
    first = start + 1 if node.style == ">" else start
    if len(node.value.rstrip("\n").split("\n")) == 1:
        return [(first + 1, node.value.strip())]
    # Folded or multi-line flow scalars: locate each line in the source text.
    located: list[tuple[int, str]] = []
    cursor = first
    for line in lines:
        stripped = line.strip()
        window_end = min(node.end_mark.line + 1, len(source), cursor + _SEARCH_WINDOW)
        for index in range(cursor, window_end):
            candidate = source[index].strip()
            if candidate and (stripped == candidate or stripped.startswith(candidate)):
                cursor = index
                break
        located.append((cursor + 1, line))
    return located


_JENKINS_STEP = re.compile(
    r"""(?<![\w./-])(?:sh|bat|powershell|pwsh)(?:\s+|\s*\(\s*)"""
    # named arguments before the script: `sh label: 'unit', script: '...'`
    r"""(?:(?:label|returnStdout|returnStatus|encoding)\s*:\s*(?:'[^']*'|"[^"]*"|[\w.]+)\s*,\s*)*"""
    r"""(?:script\s*:\s*)?('''|\"\"\"|'|")"""
)


def _jenkins_commands(text: str) -> list[tuple[int, str]]:
    """Shell commands of ``sh``/``bat``/``powershell`` steps in a Jenkinsfile (Groovy)."""
    physical: list[tuple[int, str]] = []
    position = 0
    while (match := _JENKINS_STEP.search(text, position)) is not None:
        quote = match.group(1)
        body_start = match.end()
        line_start = text.rfind("\n", 0, match.start()) + 1
        end = _closing_quote(text, body_start, quote)
        position = max(end, body_start)
        if text[line_start : match.start()].lstrip().startswith(("//", "*", "/*")):
            continue
        first_line = text.count("\n", 0, body_start) + 1
        for offset, line in enumerate(text[body_start:end].split("\n")):
            physical.append((first_line + offset, line))
    return _logical_commands(physical)


def _closing_quote(text: str, start: int, quote: str) -> int:
    if len(quote) == 3:
        end = text.find(quote, start)
        return len(text) if end < 0 else end
    index = start
    while index < len(text) and text[index] not in (quote, "\n"):
        index += 2 if text[index] == "\\" else 1
    return min(index, len(text))


def _yaml_problem(exc: BaseException) -> str:
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} at line {mark.line + 1}"
    return problem or type(exc).__name__
