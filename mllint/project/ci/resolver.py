"""Following a command through runners, interpreters and scripts down to its leaves.

Whether a CI command runs tests (or a linter) is decided by the programs it
finally runs. ``_Resolver`` expands ``python -m``, ``bash -c``, ``coverage
run``, environment runners (poetry, uv, hatch, pdm, ...), tox environments,
nox sessions, Makefile targets and repository scripts, reading each helper
file at most once and bounding the expansion (``MAX_DEPTH``, ``MAX_EXPANSIONS``).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from mllint.project.ci.commands import (
    _INFO_FLAGS,
    _TEST_LEAF,
    Argv,
    _before_posargs,
    _leaf_runs_tests,
    _logical_commands,
    _option_values,
    _plain_arguments,
    _positional,
    _program,
    _segments,
)
from mllint.project.ci.runners import (
    _TOX_SETUP_CFG,
    _dig,
    _Makefile,
    _nox_sessions,
    _parse_toml,
    _script_commands,
    _select_tox_commands,
    _tox_ini_commands,
    _tox_toml_commands,
)
from mllint.project.ci.yaml_nodes import compose, mapping_items, scalars
from mllint.project.files import FileTooLarge, read_regular_file

MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 4
"""How many indirections (script -> make target -> dependency -> ...) are followed."""
MAX_EXPANSIONS = 2000
"""How many commands one CI command may expand to before the rest is taken as written."""

#: Keys of a job or container spec whose value is a command line (or, as a list,
#: one command's words), and those whose list holds command lines.
_SPEC_COMMAND = frozenset({"entrypoint", "command", "cmd"})
_SPEC_LINES = frozenset({"commands", "script", "run"})


def _spec_commands(text: str) -> list[str]:
    """The commands a YAML job or container spec runs (see ``_given_spec``); none
    when it is not valid YAML."""
    try:
        documents = compose(text)
    except (yaml.YAMLError, RecursionError, ValueError):
        return []
    commands: list[str] = []
    read: set[int] = set()
    for key, value in mapping_items(documents):
        if key in _SPEC_COMMAND or key in _SPEC_LINES:
            lines = [scalar.value for scalar in scalars(value, read)]
            exec_form = key in _SPEC_COMMAND and isinstance(value, yaml.SequenceNode)
            commands.extend([shlex.join(lines)] if exec_form and lines else lines)
    return commands


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
        #: shell lines split into simple commands: a script's lines are split once,
        #: however many CI commands run it
        self._split: dict[str, tuple[Argv, ...]] = {}
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
                data = read_regular_file(path, MAX_FILE_BYTES)
                try:
                    text = data.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = data.decode("utf-8", "replace")
                    problem = "not valid UTF-8; undecodable bytes replaced"
            except FileTooLarge:
                problem = f"larger than {MAX_FILE_BYTES} bytes; not read"
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
        split = self._split.get(command)
        if split is None:
            split = self._split[command] = tuple(_segments(command))
        for argv in split:
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
            yield from self._given_spec(argv, depth, cwd)

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

    def _given_spec(self, argv: Argv, depth: int, cwd: str) -> Iterator[Argv]:
        """A program mllint does not know, given a YAML file of the repository: a
        job or container spec (``anyscale jobs submit deploy/job.yaml``, ``kubectl
        apply -f k8s/tests.yaml``), whose commands (``entrypoint:``, ``command:``,
        ``script:``) run as a script's do. Otherwise the program is a leaf."""
        specs = [rel for arg in argv[1:] if arg.endswith((".yml", ".yaml")) and (rel := self.locate(arg, cwd))]
        commands = [command for rel in specs for command in _spec_commands(self.read(rel) or "")]
        if not commands:
            yield argv
        for command in commands:
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
        elif runner == "pixi":
            script = name
            scripts = self._pixi_tasks(cwd)
        else:
            return None
        if not isinstance(scripts, dict) or script not in scripts:
            return None
        return _script_commands(scripts[script])

    def _pixi_tasks(self, cwd: str) -> dict[str, Any]:
        """pixi's tasks: ``[tasks]`` and ``[feature.*.tasks]`` of pixi.toml, or the same
        tables under ``[tool.pixi]`` in pyproject.toml (any environment may run them)."""
        rel = self.locate("pixi.toml", cwd)
        manifest = _parse_toml(self.read(rel)) if rel is not None else _dig(self.pyproject(cwd) or {}, "tool", "pixi")
        if not isinstance(manifest, dict):
            return {}
        tables = [manifest.get("tasks"), *(f.get("tasks") for f in (manifest.get("feature") or {}).values() if isinstance(f, dict))]
        return {name: task for table in tables if isinstance(table, dict) for name, task in table.items()}

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
