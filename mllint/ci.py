"""Facts about continuous integration and static analysis (rules ML404, ML405).

Rules need two answers: *which CI configurations exist and does any job run the
tests?* and *which linters or type checkers are configured, and where?*. Both
are answered here without executing anything: CI files are parsed as YAML (or
scanned as text for Jenkinsfiles) and every shell command is followed through
the usual indirections - task runners (``tox``, ``nox``, ``make``, ``hatch``,
``pdm``, ``poetry``/``uv`` run), interpreters (``python -m``, ``coverage run``,
``bash -c``) and scripts kept in the repository - down to the programs that
finally run ("leaves"). A command runs tests when one of its leaves is a test
runner; a tool is used when one of its leaves is that tool.

Deliberate limits (documented so rules can word their messages honestly):
GitHub reusable workflows and composite actions (``uses:``), GitLab
``include:``, Azure ``template:`` and CircleCI orbs are not followed;
``working-directory`` settings are ignored (commands are resolved from the
repository root unless a ``cd`` precedes them on the same line). Indirections
are followed at most ``MAX_DEPTH`` levels deep.
"""

from __future__ import annotations

import ast
import configparser
import posixpath
import re
import shlex
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 4
"""How many indirections (script -> make target -> dependency -> ...) are followed."""
MAX_EXPANSIONS = 2000
"""How many commands one CI command may expand to before the rest is taken as written."""

Argv = list[str]

# --------------------------------------------------------------------------- API


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
    """Shell commands (with 1-based physical lines) and ``uses:`` refs of a YAML CI file.

    ``yaml.compose`` keeps node positions and never constructs values, so custom
    tags (GitLab ``!reference``) cannot fail and GitHub's ``on:`` stays a string.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        documents = [doc for doc in yaml.compose_all(text, Loader=loader) if doc is not None]
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        warnings.append(f"{path}: not valid YAML ({_yaml_problem(exc)}); commands not read")
        return [], []
    source = text.splitlines()
    keys = _COMMAND_KEYS[system]
    physical: list[tuple[int, str]] = []
    uses: list[tuple[int, str]] = []
    for key, value in _mapping_items(documents):
        if key in keys:
            for scalar in _scalars(value):
                physical.extend(_scalar_lines(scalar, source))
        elif key == "uses" and system == "github" and isinstance(value, yaml.ScalarNode):
            uses.append((value.start_mark.line + 1, value.value))
    return _logical_commands(sorted(set(physical))), sorted(set(uses))


def _mapping_items(roots: list[yaml.Node]) -> Iterator[tuple[str, yaml.Node]]:
    """Every (key, value node) pair of every mapping in the trees, in document order."""
    stack = list(reversed(roots))
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    yield key.value, value
            stack.extend(reversed([value for _, value in node.value]))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))


def _scalars(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
    """The scalars of a command value: a string, or a (nested) list of strings."""
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode) and node.tag != "!reference":
        for item in node.value:
            yield from _scalars(item)


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


def _logical_commands(physical: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """Shell lines with continuations joined, without blank and comment lines."""
    stripped = ((line, text.strip()) for line, text in _join_continuations(physical))
    return [(line, text) for line, text in stripped if text and not _is_comment(text)]


def _join_continuations(physical: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join each line ending in a backslash with the next; keep the first line's number."""
    joined: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for line, raw in physical:
        text = raw.rstrip()
        if pending is not None:
            line, text = pending[0], f"{pending[1]} {text.strip()}"
            pending = None
        if text.endswith("\\"):
            pending = (line, text[:-1].rstrip())
        else:
            joined.append((line, text))
    if pending is not None:
        joined.append(pending)
    return joined


def _is_comment(text: str) -> bool:
    lowered = text.lower()
    return text.startswith(("#", "::", "//")) or lowered == "rem" or lowered.startswith("rem ")


def _yaml_problem(exc: BaseException) -> str:
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} at line {mark.line + 1}"
    return problem or type(exc).__name__


# ------------------------------------------------------------ shell splitting


_SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", ";;", "|&"}
_SHELL_KEYWORDS = {"then", "do", "else", "elif", "if", "while", "until", "!", "{", "}", "time",
                   "exec", "nohup", "command", "builtin", "sudo", "env"}
_WRAPPERS_WITH_ARG = {"timeout"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def _segments(command: str) -> list[Argv]:
    """Split a shell line into simple commands (``a && b; c | d`` -> three or four argvs)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: fall back to whitespace splitting
        tokens = command.split()
    segments: list[Argv] = [[]]
    for token in tokens:
        if token.startswith("#"):
            break
        if token in _SEPARATORS:
            segments.append([])
        else:
            segments[-1].append(token)
    return [_unwrap(segment) for segment in segments if segment]


def _unwrap(argv: Argv) -> Argv:
    """Drop what precedes the real program: ``FOO=1``, ``then``, ``sudo -E``, ``timeout 5m``."""
    index = 0
    while index < len(argv):
        word = argv[index]
        name = posixpath.basename(word)
        if name in _SHELL_KEYWORDS or _ASSIGNMENT.match(word):
            index += 1
        elif name in _WRAPPERS_WITH_ARG:
            index += 2
        elif name == "xvfb-run":
            index += 1
            while index < len(argv) and argv[index].startswith("-"):
                index += 1
        elif index > 0 and word.startswith("-") and _program(argv[index - 1 :]) in ("sudo", "env"):
            index += 1  # an option of sudo/env, e.g. `sudo -E`
        else:
            break
    return argv[index:]


def _program(argv: Argv) -> str:
    name = posixpath.basename(argv[0].replace("\\", "/")).lower()
    return name[:-4] if name.endswith(".exe") else name


def _positional(args: Argv, with_value: frozenset[str] = frozenset()) -> tuple[int, str | None]:
    """Index and value of the first non-option argument, skipping option values."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            return (index + 1, args[index + 1]) if index + 1 < len(args) else (index + 1, None)
        if arg in with_value:
            index += 2
        elif arg.startswith("-"):
            index += 1
        else:
            return index, arg
    return index, None


# --------------------------------------------------------------- classifying

_TEST_RUNNERS = {"pytest", "py.test", "unittest", "nose2", "nosetests", "green", "trial",
                 "stestr", "ward", "tox", "nox"}
_INFO_FLAGS = {"--version", "-V", "--help", "-h", "--collect-only", "--co", "--fixtures",
               "--markers"}
"""Options that make a test runner report something instead of running tests."""
_TEST_LEAF: Argv = ["pytest"]
"""Stands for "tests run here" when an indirection (a script, a Makefile without
the target's recipe) proves it without yielding a concrete command."""

_ANALYSIS_PROGRAMS = {
    "ruff": "ruff", "flake8": "flake8", "pflake8": "flake8", "flakeheaven": "flake8",
    "flakehell": "flake8", "pylint": "pylint", "mypy": "mypy", "dmypy": "mypy",
    "pyright": "pyright", "basedpyright": "pyright", "pyre": "pyre",
}
_NOT_ANALYSIS_SUBCOMMANDS = {"format", "version", "help", "rule", "config", "linter", "clean",
                             "server", "init", "kill", "stop", "install-types"}


def _leaf_runs_tests(argv: Argv) -> bool:
    program = _program(argv)
    args = argv[1:]
    if _INFO_FLAGS.intersection(args):
        return False
    if program in _TEST_RUNNERS:
        return True
    if program == "hatch":
        return _positional(args, frozenset({"-e", "--env"}))[1] == "test"
    return False


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


# ------------------------------------------------------------------ resolving


_PYTHON = re.compile(r"^(?:python|pypy)(?:\d+(?:\.\d+)*)?w?$|^py$|^\{envpython\}$")
_PYTHON_RUNS_TESTS = re.compile(
    r"\bpytest\.main\s*\(|\bunittest\.main\s*\(|\bTextTestRunner\b|\bunittest\.TestProgram\b"
    r"|[\"'](?:py\.test|pytest)[\"']|[\"']-m[\"']\s*,\s*[\"'](?:pytest|unittest)[\"']"
)
_SHELLS = {"bash", "sh", "zsh", "dash", "ksh"}
_POWERSHELLS = {"pwsh", "powershell"}
_SCRIPT_SUFFIXES = (".sh", ".bash", ".py", ".ps1", ".bat", ".cmd")
_RUNNER_VALUE_OPTIONS = frozenset({
    "-n", "--name", "-p", "--prefix", "-e", "--env", "--environment", "--with", "--python",
    "--extra", "--group", "--spec", "--directory", "--project", "--package", "--from",
    "--env-file", "--index-url", "-C", "--manifest-path",
})
_SCRIPT_RUNNERS = {"hatch", "pdm", "rye", "pixi", "pipenv"}
_RUNNERS = {"poetry", "uv", "pdm", "pipenv", "hatch", "rye", "pixi", "conda", "mamba",
            "micromamba", "pipx"}
_DIRECT_RUNNERS = {"uvx", "npx"}
_TOX_INFO_COMMANDS = {"list", "l", "config", "c", "quickstart", "q", "legacy", "le", "depends",
                      "de"}
_TOX_INFO_FLAGS = {"-l", "--listenvs", "-a", "--listenvs-all", "--showconfig"}
_TOX_VALUE_OPTIONS = frozenset({"-e", "--env", "-c", "--conf", "--workdir", "--root", "-m",
                                "--labels", "-f", "--factors", "-x", "--override"})
_NOX_INFO = {"-l", "--list", "--list-sessions"}
_MAKE_INFO = {"-n", "--dry-run", "--just-print", "--recon", "-q", "--question"}
_TEST_TARGETS = {"test", "tests", "check"}
_MAKE_VALUE_OPTIONS = frozenset({"-C", "--directory", "-f", "--file", "--makefile", "-o", "-W",
                                 "-I"})
_MAKEFILE_NAMES = ["GNUmakefile", "makefile", "Makefile"]


class _Resolver:
    """Follows commands through runners, scripts and config files down to leaves.

    Holds the file set and a read cache so each helper file (Makefile, tox.ini,
    noxfile.py, pyproject.toml, scripts) is read at most once.
    """

    def __init__(self, root: Path, files: Iterable[str]) -> None:
        self.root = root
        self.files = frozenset(files)
        self._texts: dict[str, str | None] = {}
        self._makefiles: dict[str, _Makefile | None] = {}
        self._pyprojects: dict[str, dict[str, Any] | None] = {}
        self._budget = MAX_EXPANSIONS

    # ---- files

    def read(self, rel: str, warnings: list[str] | None = None) -> str | None:
        """Text of a repository file (UTF-8, undecodable bytes replaced), or None."""
        if rel in self._texts:
            return self._texts[rel]
        text: str | None = None
        problem: str | None = None
        if rel in self.files:
            try:
                path = self.root / rel
                if not path.resolve().is_relative_to(self.root.resolve()):
                    raise OSError(f"{rel} points outside the project")
                with path.open("rb") as handle:
                    data = handle.read(MAX_FILE_BYTES + 1)
                if len(data) > MAX_FILE_BYTES:
                    problem = f"larger than {MAX_FILE_BYTES} bytes; not read"
                else:
                    try:
                        text = data.decode("utf-8-sig")
                    except UnicodeDecodeError:
                        text = data.decode("utf-8", "replace")
                        problem = "not valid UTF-8; undecodable bytes replaced"
            except (OSError, RuntimeError) as exc:  # RuntimeError: symlink loop on 3.10-3.12
                problem = f"cannot be read ({exc})"
        if problem and warnings is not None:
            warnings.append(f"{rel}: {problem}")
        self._texts[rel] = text
        return text

    def locate(self, path: str, cwd: str) -> str | None:
        """A command's path argument as a repository file, if it is one."""
        joined = posixpath.normpath(posixpath.join(cwd, path.replace("\\", "/")))
        if joined.startswith("../") or joined == ".." or posixpath.isabs(joined):
            return None
        return joined if joined in self.files else None

    def pyproject(self, cwd: str = ".") -> dict[str, Any] | None:
        rel = self.locate("pyproject.toml", cwd)
        if rel is None:
            return None
        if rel not in self._pyprojects:
            self._pyprojects[rel] = _parse_toml(self.read(rel))
        return self._pyprojects[rel]

    # ---- public questions

    def runs_tests(self, command: str) -> bool:
        return any(_leaf_runs_tests(leaf) for leaf in self.leaves(command))

    def leaves(self, command: str, depth: int = 0) -> Iterator[Argv]:
        """The programs a shell line finally runs, following indirections.

        Each question gets a fresh expansion budget: scripts calling scripts
        calling scripts would otherwise multiply without bound.
        """
        self._budget = MAX_EXPANSIONS
        return self._leaves(command, depth, ".")

    def _leaves(self, command: str, depth: int, cwd: str) -> Iterator[Argv]:
        for argv in _segments(command):
            if not argv:
                continue
            if argv[0] == "cd":
                cwd = posixpath.normpath(posixpath.join(cwd, argv[1])) if len(argv) > 1 else "."
                continue
            yield from self._argv_leaves(argv, depth, cwd)

    def _argv_leaves(self, argv: Argv, depth: int, cwd: str) -> Iterator[Argv]:
        program = _program(argv)
        self._budget -= 1
        if depth > MAX_DEPTH or self._budget < 0:
            yield argv
        elif _PYTHON.match(program):
            yield from self._python(argv, depth, cwd)
        elif program in _SHELLS or program in _POWERSHELLS:
            yield from self._shell(argv, depth, cwd)
        elif program == "tox":
            yield from self._tox(argv, depth, cwd)
        elif program == "nox":
            yield from self._nox(argv, depth, cwd)
        elif program in ("make", "gmake", "mingw32-make"):
            yield from self._make(argv, depth, cwd)
        elif program == "coverage":
            yield from self._coverage(argv, depth, cwd)
        elif program in _RUNNERS or program in _DIRECT_RUNNERS:
            yield from self._runner(argv, depth, cwd)
        elif "/" in argv[0] or program.endswith(_SCRIPT_SUFFIXES):
            yield from self._script(argv[0], argv[1:], depth, cwd)
        else:
            yield argv

    # ---- interpreters

    def _python(self, argv: Argv, depth: int, cwd: str) -> Iterator[Argv]:
        args = argv[1:]
        index = 0
        while index < len(args):
            arg = args[index]
            if arg.startswith("-m"):  # `-m pytest` or `-mpytest`
                module_argv = args[index + 1 :] if arg == "-m" else [arg[2:], *args[index + 1 :]]
                if module_argv:
                    yield from self._argv_leaves(module_argv, depth, cwd)
                return
            if arg == "-c":
                code = args[index + 1] if index + 1 < len(args) else ""
                yield _TEST_LEAF if _PYTHON_RUNS_TESTS.search(code) else argv
                return
            if arg in ("-W", "-X", "-Q"):
                index += 2
            elif arg.startswith("-"):
                index += 1
            else:
                rest = args[index + 1 :]
                name = posixpath.basename(arg)
                django_tests = name == "manage.py" and rest[:1] == ["test"]
                if (name == "setup.py" and "test" in rest) or django_tests:
                    yield _TEST_LEAF
                else:
                    yield from self._script(arg, rest, depth, cwd, python=True)
                return
        yield argv

    def _shell(self, argv: Argv, depth: int, cwd: str) -> Iterator[Argv]:
        """``bash -c "cmd"``, ``sh script.sh``, ``pwsh -Command ...``, ``pwsh -File x.ps1``."""
        powershell = _program(argv) in _POWERSHELLS
        args = argv[1:]
        index = 0
        while index < len(args):
            option = args[index].lower()
            if option in ("-c", "-command"):
                # PowerShell joins everything after -Command; POSIX shells take one argument.
                command = args[index + 1 :] if powershell else args[index + 1 : index + 2]
                yield from self._leaves(" ".join(command), depth, cwd)
                return
            if powershell and option in ("-file", "-f"):
                index += 1
            elif option in ("-o", "+o", "-executionpolicy"):
                index += 2
            elif option.startswith(("-", "+")):
                index += 1
            else:
                yield from self._script(args[index], args[index + 1 :], depth, cwd)
                return
        yield argv

    def _script(
        self, path: str, rest: Argv, depth: int, cwd: str, python: bool = False
    ) -> Iterator[Argv]:
        """A script kept in the repository: read it instead of running it."""
        rel = self.locate(path, cwd)
        text = self.read(rel) if rel is not None else None
        if text is None:
            yield [path, *rest]
            return
        first = text.split("\n", 1)[0]
        if python or rel.endswith(".py") or (first.startswith("#!") and "python" in first):
            code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
            yield _TEST_LEAF if _PYTHON_RUNS_TESTS.search("\n".join(code)) else [path, *rest]
            return
        for _, command in _logical_commands(list(enumerate(text.splitlines(), 1))):
            yield from self._leaves(command, depth + 1, cwd)

    def _coverage(self, argv: Argv, depth: int, cwd: str) -> Iterator[Argv]:
        args = argv[1:]
        if args[:1] != ["run"]:
            yield argv
            return
        options = frozenset({"--source", "--rcfile", "--omit", "--include", "--data-file",
                             "--concurrency", "--context"})
        index = 1
        while index < len(args) and args[index].startswith("-") and args[index] != "-m":
            index += 2 if args[index] in options else 1
        yield from self._python(["python", *args[index:]], depth, cwd)

    # ---- environment and script runners

    def _runner(self, argv: Argv, depth: int, cwd: str) -> Iterator[Argv]:
        program = _program(argv)
        args = argv[1:]
        if program in _DIRECT_RUNNERS:
            start, name = _positional(args, _RUNNER_VALUE_OPTIONS)
        else:
            sub_index, subcommand = _positional(args, _RUNNER_VALUE_OPTIONS)
            if subcommand == "tool" and args[sub_index + 1 : sub_index + 2] == ["run"]:
                sub_index += 1
                subcommand = "run"
            if subcommand != "run":
                yield argv
                return
            offset, name = _positional(args[sub_index + 1 :], _RUNNER_VALUE_OPTIONS)
            start = sub_index + 1 + offset
        if name is None:
            yield argv
            return
        rest = args[start + 1 :]
        scripts = self._project_script(program, name, cwd)
        if scripts is not None:
            extra = "".join(f" {shlex.quote(arg)}" for arg in rest)
            for command in scripts:
                yield from self._leaves(command + extra, depth + 1, cwd)
            return
        # An undefined script name: `hatch run test:cov` / `pdm run tests` are taken
        # at their word; otherwise the name is a program in the environment.
        environment, _, command = name.rpartition(":") if program == "hatch" else ("", "", name)
        if program in _SCRIPT_RUNNERS and "test" in (environment[:4], command[:4]):
            yield _TEST_LEAF
        yield from self._argv_leaves([command, *rest], depth, cwd)

    def _project_script(self, runner: str, name: str, cwd: str) -> list[str] | None:
        """Commands of a hatch or pdm script defined in pyproject.toml, None if undefined."""
        pyproject = self.pyproject(cwd) or {}
        if runner == "hatch":
            env, _, script = name.rpartition(":")
            scripts = _dig(pyproject, "tool", "hatch", "envs", env or "default", "scripts")
        elif runner == "pdm":
            script = name
            scripts = _dig(pyproject, "tool", "pdm", "scripts")
        else:
            return None
        if not isinstance(scripts, dict) or script not in scripts:
            return None
        return _script_commands(scripts[script])

    # ---- tox

    def _tox(self, argv: Argv, depth: int, cwd: str) -> Iterator[Argv]:
        """tox runs the commands of the selected environments (all when none is named)."""
        args = _before_posargs(argv[1:])
        subcommand = _positional(args, _TOX_VALUE_OPTIONS)[1]
        if subcommand in _TOX_INFO_COMMANDS or (_INFO_FLAGS | _TOX_INFO_FLAGS).intersection(args):
            return
        names = {env for value in _option_values(args, ("-e", "--env")) for env in value.split(",")}
        selected = None if not names or "ALL" in names else names - {""}
        environments = self.tox_environments(cwd)
        if environments is None:
            yield ["tox"]
            return
        for command in _select_tox_commands(environments, selected):
            yield from self._leaves(command, depth + 1, cwd)

    def tox_environments(self, cwd: str = ".") -> dict[str, list[str]] | None:
        """tox commands per environment ("" = the base ``testenv``), None without config."""
        sources = self.tox_sources(cwd)
        if not sources:
            return None
        merged: dict[str, list[str]] = {}
        for _, environments in sources:
            for env, commands in environments.items():
                merged.setdefault(env, []).extend(commands)
        return merged

    def tox_sources(self, cwd: str = ".") -> list[tuple[str, dict[str, list[str]]]]:
        """(config path, commands per environment) for each tox configuration found."""
        sources: list[tuple[str, dict[str, list[str]]]] = []
        for name in ("tox.ini", "setup.cfg", "tox.toml", "pyproject.toml"):
            text = self._read_at(name, cwd)
            path = posixpath.normpath(posixpath.join(cwd, name))
            if text is None:
                continue
            if name == "tox.ini" or (name == "setup.cfg" and _TOX_SETUP_CFG.search(text)):
                sources.append((path, _tox_ini_commands(text)))
            elif name == "tox.toml":
                sources.append((path, _tox_toml_commands(_parse_toml(text) or {})))
            elif name == "pyproject.toml":
                table = _dig(self.pyproject(cwd), "tool", "tox")
                legacy = _dig(table, "legacy_tox_ini")
                if isinstance(legacy, str):
                    sources.append((path, _tox_ini_commands(legacy)))
                elif isinstance(table, dict):
                    sources.append((path, _tox_toml_commands(table)))
        return sources

    def _read_at(self, name: str, cwd: str) -> str | None:
        rel = self.locate(name, cwd)
        return self.read(rel) if rel is not None else None

    # ---- nox

    def _nox(self, argv: Argv, depth: int, cwd: str) -> Iterator[Argv]:
        """nox runs the ``session.run`` commands of the selected sessions (all by default)."""
        args = _before_posargs(argv[1:])
        if _INFO_FLAGS.intersection(args) or _NOX_INFO.intersection(args):
            return
        noxfile = (_option_values(args, ("-f", "--noxfile")) or ["noxfile.py"])[-1]
        selected = set(_option_values(args, ("-s", "--session", "--sessions", "-e"), many=True))
        text = self._read_at(noxfile, cwd)
        if text is None:
            yield ["nox"]
            return
        for name, runs in _nox_sessions(text).items():
            # Parametrised sessions are selected as `tests-3.11` or `tests(python='3.11')`.
            prefixes = (f"{name}-", f"{name}(")
            if not selected or any(s == name or s.startswith(prefixes) for s in selected):
                for run in runs:
                    yield from self._argv_leaves(run, depth + 1, cwd)

    # ---- make

    def _make(self, argv: Argv, depth: int, cwd: str) -> Iterator[Argv]:
        args = argv[1:]
        if _MAKE_INFO.intersection(args) or _INFO_FLAGS.intersection(args):
            return
        directory = (_option_values(args, ("-C", "--directory")) or ["."])[-1]
        cwd = posixpath.normpath(posixpath.join(cwd, directory))
        names = _option_values(args, ("-f", "--file", "--makefile")) or _MAKEFILE_NAMES
        targets = [a for a in _plain_arguments(args, _MAKE_VALUE_OPTIONS) if "=" not in a]
        makefile = next(filter(None, (self.makefile(name, cwd) for name in names)), None)
        if makefile is None:
            if _TEST_TARGETS.intersection(targets):
                yield _TEST_LEAF
            return
        for target in targets or makefile.default[:1]:
            yield from self._make_target(makefile, target, depth + 1, cwd, set())

    def _make_target(
        self, makefile: _Makefile, target: str, depth: int, cwd: str, seen: set[str]
    ) -> Iterator[Argv]:
        """A target's prerequisites, then its recipe; each target is visited once."""
        rule = makefile.rules.get(target)
        if rule is None or target in seen or depth > MAX_DEPTH:
            return
        seen.add(target)
        for dependency in rule.dependencies:
            yield from self._make_target(makefile, dependency, depth + 1, cwd, seen)
        for command in makefile.commands(rule):
            yield from self._leaves(command, depth, cwd)

    def makefile(self, name: str, cwd: str) -> _Makefile | None:
        rel = self.locate(name, cwd)
        if rel is None:
            return None
        if rel not in self._makefiles:
            text = self.read(rel)
            self._makefiles[rel] = _Makefile.parse(text) if text is not None else None
        return self._makefiles[rel]


def _before_posargs(args: Argv) -> Argv:
    """Arguments before ``--``; what follows is passed on to the test runner."""
    return args[: args.index("--")] if "--" in args else args


def _option_values(args: Argv, names: tuple[str, ...], many: bool = False) -> list[str]:
    """Values of ``-e X``, ``-eX``, ``--env=X`` (and ``-s a b`` when *many*)."""
    values: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        for name in names:
            if arg == name:
                while index < len(args) and not args[index].startswith("-"):
                    values.append(args[index])
                    index += 1
                    if not many:
                        break
            elif arg.startswith(f"{name}="):
                values.append(arg[len(name) + 1 :])
            elif len(name) == 2 and arg.startswith(name) and len(arg) > 2:  # `-eNAME`
                values.append(arg[2:])
    return values


def _plain_arguments(args: Argv, with_value: frozenset[str]) -> list[str]:
    """Non-option arguments (make targets); ``-j 4`` takes an optional number."""
    plain: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in with_value:
            index += 2
            continue
        job_count = index > 0 and args[index - 1] == "-j" and arg.isdigit()
        if not arg.startswith("-") and not job_count:
            plain.append(arg)
        index += 1
    return plain


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


# ------------------------------------------------------------ static analysis

_DEDICATED_CONFIGS = {
    ".flake8": "flake8", "mypy.ini": "mypy", ".mypy.ini": "mypy", ".pylintrc": "pylint",
    "pylintrc": "pylint", "pyrightconfig.json": "pyright", "ruff.toml": "ruff",
    ".ruff.toml": "ruff", ".pyre_configuration": "pyre",
}
_PYPROJECT_TABLES = {"ruff": "ruff", "mypy": "mypy", "pylint": "pylint", "pyright": "pyright",
                     "basedpyright": "pyright", "flake8": "flake8"}
"""``[tool.flake8]`` is read by the Flake8-pyproject plugin; flake8 itself ignores pyproject."""
_INI_SECTION = re.compile(
    r"^\s*\[\s*(flake8|mypy|pylint|tool:pylint)(?:[-:.\s][^\]]*)?\]", re.MULTILINE | re.IGNORECASE
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
    """Shell lines of a hatch script (string or list) or pdm script (string or table).

    pdm ``cmd`` lists are argv lists; ``composite`` items name other scripts or
    commands, which ``pdm run`` resolves either way.
    """
    if isinstance(value, dict):
        if isinstance(value.get("composite"), list):
            return [f"pdm run {item}" for item in value["composite"] if isinstance(item, str)]
        command = value.get("cmd", value.get("shell"))
        if isinstance(command, list) and all(isinstance(part, str) for part in command):
            return [shlex.join(command)]
        value = command
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _tools_in_config(resolver: _Resolver, config: CIConfig) -> Iterator[str]:
    yield from _analysis_tools(resolver, (command for _, command in config.commands))
    for _, ref in config.uses:
        tool = _tool_in_action(ref)
        if tool is not None:
            yield tool
