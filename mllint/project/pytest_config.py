"""Which files are tests, found the way pytest and unittest find them.

The testing rules (ML401-ML403) must agree with the test runner: a file pytest
never collects is not a test, however it is named, and a test pytest runs is
judged even when it lives in an unusual place. So discovery follows pytest's
own settings - ``python_files``, ``python_classes``, ``python_functions``,
``testpaths`` and ``norecursedirs`` from the first of ``pytest.ini``,
``.pytest.ini``, ``pyproject.toml``, ``tox.ini``, ``setup.cfg`` at the project
root that configures pytest - plus what ``python -m unittest discover`` loads
(``test*.py`` files with ``TestCase`` classes).

These are facts about the repository's configuration and file names, read
without any rule or analysis in mind, so they live in the project layer. What
a test module's functions do (which of them assert) is reasoning over syntax
trees: ``mllint.analysis.assertions``. Nothing here is cached: a run reads the
settings once, in its ``mllint.analysis.test_suite.TestSuite``.
"""

from __future__ import annotations

import configparser
import re
import shlex
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

# --------------------------------------------------------------- pytest settings

_DEFAULT_NORECURSE = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}")
_CONFIG_FILES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
_INI_SECTIONS = {"pytest.ini": "pytest", ".pytest.ini": "pytest", "tox.ini": "pytest", "setup.cfg": "tool:pytest"}


@dataclass(frozen=True)
class PytestSettings:
    """The collection settings pytest would use for the project."""

    python_files: tuple[str, ...] = ("test_*.py", "*_test.py")
    python_classes: tuple[str, ...] = ("Test",)
    python_functions: tuple[str, ...] = ("test",)
    testpaths: tuple[str, ...] = ()
    norecursedirs: tuple[str, ...] = _DEFAULT_NORECURSE
    source: str | None = None
    """The configuration file the settings came from (None: pytest's defaults)."""


def read_pytest_settings(files: Iterable[str], read: Callable[[str], str | None]) -> PytestSettings:
    """Settings from the first root-level file that configures pytest, as pytest picks it.

    ``pytest.ini`` wins even without a ``[pytest]`` section; the others count
    only when they hold pytest's section (``[tool.pytest.ini_options]``,
    ``[pytest]``, ``[tool:pytest]``). Unreadable or malformed files are skipped.
    """
    present = set(files)
    for name in _CONFIG_FILES:
        if name not in present:
            continue
        text = read(name) or ""
        options = _toml_options(text) if name == "pyproject.toml" else _ini_options(name, text)
        if options is not None:
            return _settings(options, name)
    return PytestSettings()


def _toml_options(text: str) -> dict[str, list[str]] | None:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return None
    tool = data.get("tool")
    pytest_table = tool.get("pytest") if isinstance(tool, dict) else None
    if not isinstance(pytest_table, dict):
        return None
    # pytest < 9 reads [tool.pytest.ini_options]; pytest 9 also reads [tool.pytest] itself.
    table = pytest_table.get("ini_options", pytest_table)
    if not isinstance(table, dict):
        return None
    options: dict[str, list[str]] = {}
    for key, value in table.items():
        if isinstance(value, str):
            options[key] = _split_args(value)
        elif isinstance(value, list):
            options[key] = [item for item in value if isinstance(item, str)]
    return options


def _ini_options(name: str, text: str) -> dict[str, list[str]] | None:
    section = _INI_SECTIONS[name]
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return {} if name.endswith("pytest.ini") else None
    if not parser.has_section(section):
        return {} if name.endswith("pytest.ini") else None
    return {key: _split_args(value) for key, value in parser.items(section)}


def _split_args(value: str) -> list[str]:
    try:
        return shlex.split(value)
    except ValueError:
        return value.split()


def _settings(options: dict[str, list[str]], source: str) -> PytestSettings:
    defaults = PytestSettings()

    def pick(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = options.get(key)
        return tuple(value) if value else default

    testpaths = tuple(p.strip("/").removeprefix("./") for p in options.get("testpaths", []) if p.strip("/."))
    return PytestSettings(
        python_files=pick("python_files", defaults.python_files),
        python_classes=pick("python_classes", defaults.python_classes),
        python_functions=pick("python_functions", defaults.python_functions),
        testpaths=testpaths,
        norecursedirs=pick("norecursedirs", defaults.norecursedirs),
        source=source,
    )


# ------------------------------------------------------------------ test files

_GLOB = re.compile(r"[*?\[]")


def matches_prefix_or_glob(name: str, patterns: Iterable[str]) -> bool:
    """pytest's rule for ``python_classes``/``python_functions``: a prefix, or a glob."""
    return any(name.startswith(p) or (_GLOB.search(p) is not None and fnmatchcase(name, p)) for p in patterns)


def _matches_python_files(path: str, patterns: Iterable[str]) -> bool:
    """pytest's ``fnmatch_ex``: patterns without ``/`` match the base name only."""
    name = PurePosixPath(path).name
    return any(fnmatchcase(path, f"*/{p}") or fnmatchcase(path, p) if "/" in p else fnmatchcase(name, p)
               for p in patterns)


def _in_skipped_directory(path: str, norecursedirs: tuple[str, ...]) -> bool:
    return any(fnmatchcase(part, pattern) for part in PurePosixPath(path).parts[:-1] for pattern in norecursedirs)


def _under(path: str, testpath: str) -> bool:
    if _GLOB.search(testpath):
        parts = PurePosixPath(path).parts
        return any(fnmatchcase("/".join(parts[:n]), testpath) for n in range(1, len(parts) + 1))
    return path == testpath or path.startswith(testpath + "/")


def effective_testpaths(settings: PytestSettings, files: Iterable[str]) -> tuple[str, ...]:
    """``testpaths`` that name something in the project; pytest ignores the rest,
    and falls back to the whole project when none matches."""
    paths = list(files)
    return tuple(tp for tp in settings.testpaths if any(_under(f, tp) for f in paths))


def is_pytest_file(path: str, settings: PytestSettings, testpaths: tuple[str, ...] = ()) -> bool:
    """Whether ``pytest`` (run at the root without arguments) would collect *path*."""
    if not path.endswith(".py") or PurePosixPath(path).name == "conftest.py":
        return False
    if _in_skipped_directory(path, settings.norecursedirs):
        return False
    if testpaths and not any(_under(path, tp) for tp in testpaths):
        return False
    return _matches_python_files(path, settings.python_files)


def is_unittest_file(path: str) -> bool:
    """Whether ``python -m unittest discover`` would import *path* (pattern ``test*.py``)."""
    return fnmatchcase(PurePosixPath(path).name, "test*.py") and not _in_skipped_directory(path, _DEFAULT_NORECURSE)


def conftest_paths(path: str, files: Iterable[str]) -> list[str]:
    """The ``conftest.py`` files whose fixtures a test at *path* sees, nearest first."""
    present = set(files)
    folder = PurePosixPath(path).parent
    candidates = [folder / "conftest.py", *(parent / "conftest.py" for parent in folder.parents)]
    return [c.as_posix() for c in candidates if c.as_posix() in present]
