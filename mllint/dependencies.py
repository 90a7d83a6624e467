"""Dependency facts: what a project declares, how exactly it pins it, and where.

Rules ML204 (unpinned-dependencies), ML205 (dependencies-undeclared) and ML206
(python-version-unspecified) all need the same static inventory of a project's
dependency files, so it is built once here. Files are only read as text:
``setup.py`` is parsed with :mod:`ast` and never executed, and nothing touches the
network (a remote ``-r https://...`` include is reported as a warning, not fetched).

Pinning decisions, fixed here because rules report on them:

* PEP 508 requirement: pinned when one clause is ``===V`` or ``==V`` without a
  wildcard; in requirements files also when the line carries ``--hash`` or when a
  constraints file that applies to the file (its own ``-c`` or that of a file
  including it through ``-r``) pins the name.
* VCS requirement (``git+https://host/repo@ref``, Poetry ``rev``, Pipfile ``ref``):
  pinned only when the ref is a full commit id (40 or 64 hex digits). Tags and
  branches move; abbreviated ids can become ambiguous, and pip documents full ids.
* Direct URL: pinned when it names a distribution file (``.whl``, ``.tar.gz``,
  ``.zip``...) or carries a ``#sha256=``-style hash; any other URL is not pinned.
* Local paths (``-e .``, ``./libs/x``, ``file://...``) are the project's own code,
  not requirements to pin, so they are left out.
* Poetry and Pipfile: a bare version ``"1.2.3"`` means ``==1.2.3``; ``^``, ``~``,
  ``*`` and ranges are not pinned.
* conda: ``==V``, ``=V=build``, ``name V`` or ``=V`` with at least three release
  components. ``=1.26`` is a prefix match (``1.26.*``) in conda, so it is not pinned.
  ``python`` is the Python version and ``pip`` the installer: neither is reported
  as a requirement nor needed for ``conda_fully_pinned``.
"""

from __future__ import annotations

import ast
import codecs
import configparser
import posixpath
import re
import sys
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, parse_qs, urlsplit

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

MAX_FILE_BYTES = 5 * 1024 * 1024
"""Dependency files larger than this are not real declarations; skip them."""

LOCK_FILE_NAMES = frozenset(
    {"poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "conda-lock.yml", "conda-lock.yaml", "pylock.toml"}
)
CONCRETE_SOURCES = frozenset({"requirements", "conda"})
"""Sources that describe an installable environment rather than a package's ranges."""


@dataclass(frozen=True)
class Requirement:
    """One declared dependency, located in the file that declares it."""

    name: str | None
    text: str
    path: str
    line: int
    pinned: bool
    source: str


@dataclass
class DependencyFacts:
    """Everything the dependency rules need to know about a project."""

    declaration_files: list[str] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    lock_files: list[str] = field(default_factory=list)
    conda_fully_pinned: bool = False
    python_version: tuple[str, int] | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def declares_dependencies(self) -> bool:
        """True when any dependency declaration exists (ML205 is silent then)."""
        return bool(self.declaration_files)

    def fully_pinned_requirement_files(self) -> list[str]:
        """Requirements files whose every requirement is pinned: they act as a lock."""
        by_file: dict[str, list[bool]] = {}
        for req in self.requirements:
            if req.source == "requirements":
                by_file.setdefault(req.path, []).append(req.pinned)
        return sorted(path for path, pins in by_file.items() if all(pins))

    def unpinned_requirements(self) -> list[Requirement]:
        """The requirements ML204 should report, in (path, line) order.

        Nothing in the folder of a lock file and below it (a monorepo's
        ``service/Pipfile.lock`` locks that service, not its neighbours).
        Otherwise every unpinned line of a requirements file or conda
        environment (they are meant to be the environment), and the unpinned
        ranges of package metadata (pyproject, setup.py/cfg, Pipfile) unless a
        fully pinned requirements file or conda environment already fixes the
        environment.
        """
        locked = [posixpath.dirname(lock) for lock in self.lock_files]
        environment_pinned = self.conda_fully_pinned or bool(self.fully_pinned_requirement_files())
        return [
            req
            for req in self.requirements
            if not req.pinned
            and (req.source in CONCRETE_SOURCES or not environment_pinned)
            and not any(folder == "" or req.path.startswith(folder + "/") for folder in locked)
        ]


def collect_dependency_facts(root: Path, files: Iterable[str]) -> DependencyFacts:
    """Read the dependency files among *files* (POSIX paths relative to *root*).

    Never raises for bad input: unreadable or malformed files become warnings
    and whatever could be read is still returned.
    """
    return _Collector(Path(root)).collect(files)


# --------------------------------------------------------------------------- file kinds

_REQUIREMENTS_NAME = re.compile(r".*requirements.*\.txt")
_ENVIRONMENT_NAME = re.compile(r"environment[^/]*\.ya?ml")
_PYLOCK_NAME = re.compile(r"pylock\.[^/]+\.toml")
_CONDA_LOCK_SUFFIXES = (".conda-lock.yml", ".conda-lock.yaml")


def _file_kind(path: str) -> str | None:
    """Which reader a project file needs, by name alone; None for other files."""
    name = posixpath.basename(path)
    lower = name.lower()
    parent = posixpath.basename(posixpath.dirname(path)).lower()
    if name in LOCK_FILE_NAMES or lower.endswith(_CONDA_LOCK_SUFFIXES) or _PYLOCK_NAME.fullmatch(name):
        return "lock"
    if _REQUIREMENTS_NAME.fullmatch(lower) or (parent == "requirements" and lower.endswith(".txt")):
        return "requirements"
    if _ENVIRONMENT_NAME.fullmatch(lower):
        return "conda"
    return {
        "pyproject.toml": "pyproject",
        "setup.cfg": "setup.cfg",
        "setup.py": "setup.py",
        "Pipfile": "pipfile",
        ".python-version": "python-version",
        "runtime.txt": "runtime",
    }.get(name)


def _depth_order(path: str) -> tuple[int, str]:
    """Root files first, so 'the first Python version found' is the top-level one."""
    return path.count("/"), path


# --------------------------------------------------------------------------- requirement syntax

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
# One whitespace run per position: two ``\s*`` around an optional group backtrack quadratically.
_NAMED = re.compile(rf"^({_NAME})\s*(?:\[[^\]]*\]\s*)?(.*)$", re.S)
_NAMED_URL = re.compile(rf"^({_NAME})\s*(?:\[[^\]]*\]\s*)?@\s*(.+)$", re.S)
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_VCS_SCHEME = re.compile(r"^(git|hg|svn|bzr)\+", re.I)
_FULL_COMMIT = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")
_HASH_FRAGMENT = re.compile(r"(?:^|&)(?:sha1|sha224|sha256|sha384|sha512|md5)=", re.I)
_BARE_VERSION = re.compile(r"v?\d[A-Za-z0-9.+!_-]*")


def normalize_name(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class _Spec:
    """What one requirement string says: its name (if knowable) and whether it is exact."""

    name: str | None
    pinned: bool


def _specifier_pinned(specifier: str) -> bool:
    """``==V`` (no wildcard) or ``===V`` in any comma-separated clause."""
    for clause in specifier.strip().strip("()").split(","):
        clause = clause.strip()
        if clause.startswith("==="):
            return bool(clause[3:].strip())
        if clause.startswith("==") and clause[2:].strip() and "*" not in clause:
            return True
    return False


def _split_url(url: str) -> SplitResult | None:
    """``urlsplit`` that answers None for malformed URLs (e.g. an unclosed ``[``)."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def _url_pinned(url: str) -> bool:
    """A VCS URL at a full commit, or a URL of one exact distribution file."""
    if _VCS_SCHEME.match(url):
        parts = _split_url(url[url.index("+") + 1 :])
        if parts is None or "@" not in parts.path:
            return False
        return bool(_FULL_COMMIT.fullmatch(parts.path.rsplit("@", 1)[1]))
    parts = _split_url(url)
    if parts is None:
        return False
    return bool(_HASH_FRAGMENT.search(parts.fragment)) or parts.path.lower().endswith(_ARCHIVE_SUFFIXES)


def _name_from_url(url: str) -> str | None:
    """``#egg=name`` or the distribution file name; None when the URL does not say."""
    parts = _split_url(url)
    if parts is None:
        return None
    egg = parse_qs(parts.fragment).get("egg")
    if egg and re.fullmatch(_NAME, egg[0]):
        return normalize_name(egg[0])
    filename = posixpath.basename(parts.path)
    if filename.lower().endswith(".whl"):
        return normalize_name(filename.split("-", 1)[0])
    for suffix in _ARCHIVE_SUFFIXES:
        if filename.lower().endswith(suffix) and "-" in filename:
            return normalize_name(filename[: -len(suffix)].rsplit("-", 1)[0])
    return None


def _is_local(target: str) -> bool:
    """A path on disk (the project itself or vendored code), pip's way of telling."""
    return (
        target.startswith((".", "/", "~", "file:"))
        or "/" in target
        or "\\" in target
        or bool(re.match(r"^[A-Za-z]:", target))
        or target.lower().endswith(_ARCHIVE_SUFFIXES)
    )


def _parse_spec(text: str) -> _Spec | None:
    """Read one PEP 508 requirement, bare URL or local path; None for local paths."""
    text = text.strip()
    named_url = _NAMED_URL.match(text)
    if named_url:
        url = _cut_after_space(named_url.group(2), ";").strip()
        if url.startswith("file:"):
            return None
        return _Spec(normalize_name(named_url.group(1)), _url_pinned(url))
    if _URL_SCHEME.match(text) or _VCS_SCHEME.match(text):
        url = _cut_after_space(text, ";").strip()
        if url.startswith("file:"):
            return None
        return _Spec(_name_from_url(url), _url_pinned(url))
    if _is_local(text.split(";", 1)[0].strip()):
        return None
    named = _NAMED.match(text)
    if not named:
        return _Spec(None, False)
    return _Spec(normalize_name(named.group(1)), _specifier_pinned(named.group(2).split(";", 1)[0]))


def _bare_version_pinned(constraint: str) -> bool:
    """Poetry/Pipfile version string: a bare version is exact, else PEP 440 rules."""
    constraint = constraint.strip()
    if _BARE_VERSION.fullmatch(constraint):
        return True
    return _specifier_pinned(constraint)


# --------------------------------------------------------------------------- requirements files

_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?<=-[rc])(?=\S))(\S.*)$")
_EDITABLE = re.compile(r"^(?:-e|--editable)(?:\s*=\s*|\s+|(?<=-e)(?=\S))(\S.*)$")


def _cut_after_space(text: str, marker: str, at_start: bool = False) -> str:
    """*text* up to the first *marker* that follows whitespace (or opens the text,
    if *at_start*): how pip finds comments (``#``) and URL markers (`` ;``), which
    may otherwise appear inside URLs (``#egg=``, ``;``)."""
    index = text.find(marker)
    while index != -1:
        if (index == 0 and at_start) or (index > 0 and text[index - 1].isspace()):
            return text[:index]
        index = text.find(marker, index + 1)
    return text


def _strip_comment(line: str) -> str:
    """pip's rule: ``#`` at the start of a line or after whitespace opens a comment."""
    return _cut_after_space(line, "#", at_start=True)


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, line) with backslash continuations joined and comments
    stripped, the way pip reads a requirements file (a comment line ends a continuation)."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        is_comment = raw.lstrip().startswith("#")
        if raw.endswith("\\") and not is_comment:
            if not pending:
                start = number
            pending.append(raw[:-1])
            continue
        if pending:
            pending.append(" " + raw if is_comment else raw)
            joined, pending = "".join(pending), []
        else:
            joined, start = raw, number
        line = " ".join(_strip_comment(joined).split())
        if line:
            yield start, line
    if pending:
        line = " ".join(_strip_comment("".join(pending)).split())
        if line:
            yield start, line


@dataclass(frozen=True)
class _Entry:
    """A requirement read from a pip-syntax line, before it is given a file and source."""

    line: int
    text: str
    spec: _Spec


@dataclass
class _PipLines:
    """What pip-syntax lines contain: requirements and the files they pull in."""

    entries: list[_Entry] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    bad_includes: list[tuple[int, str]] = field(default_factory=list)


def _resolve_include(including: str, target: str) -> str | None:
    """Project-relative path of an include, or None when it leaves the project or is remote."""
    target = target.strip().strip("\"'")
    if _URL_SCHEME.match(target) or "$" in target or target.startswith(("/", "~")):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(including), target))
    return None if joined == ".." or joined.startswith("../") else joined


def _read_pip_line(path: str, number: int, line: str, into: _PipLines) -> None:
    """Interpret one logical pip line (include, editable, option or requirement)."""
    include = _INCLUDE.match(line)
    if include:
        resolved = _resolve_include(path, include.group(2))
        if resolved is None:
            into.bad_includes.append((number, include.group(2)))
        elif include.group(1) in ("-c", "--constraint"):
            into.constraints.append(resolved)
        else:
            into.includes.append(resolved)
        return
    editable = _EDITABLE.match(line)
    if editable:
        spec = _parse_spec(editable.group(1).split(" -", 1)[0])
        if spec is not None:
            into.entries.append(_Entry(number, line, spec))
        return
    if line.startswith("-"):
        return  # global option: --index-url, --pre, --find-links, ...
    tokens = line.split(" ")
    cut = next((i for i, token in enumerate(tokens) if token.startswith("-")), len(tokens))
    spec = _parse_spec(" ".join(tokens[:cut]))
    if spec is None:
        return
    hashed = any(token.startswith("--hash") for token in tokens[cut:])
    into.entries.append(_Entry(number, line, _Spec(spec.name, spec.pinned or hashed)))


# --------------------------------------------------------------------------- text positions


_HEADER = re.compile(r"^\s*\[\[?([^\[\]]*)\]\]?\s*(?:[#;].*)?$")
_HEADER_KEYS = re.compile(r"[A-Za-z0-9_.\"' -]+")


def _header_keys(line: str) -> list[str] | None:
    """Dotted keys of a ``[a.b]`` / ``[[a.b]]`` header line, None for any other line.

    Written without nested quantifiers: these patterns run on every line of
    untrusted files, and the obvious single regex backtracks catastrophically.
    """
    header = _HEADER.match(line)
    if not header or not _HEADER_KEYS.fullmatch(header.group(1)):
        return None
    return [part.strip().strip("\"'") for part in header.group(1).split(".")]


class _SourceLines:
    """Line lookups in a file's text, for formats whose parsers give no positions."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()

    def table(self, dotted: str) -> int:
        """Line of a ``[a.b.c]`` header (quotes and spaces tolerated), 0 if absent."""
        wanted = dotted.split(".")
        for number, line in enumerate(self._lines, 1):
            if _header_keys(line) == wanted:
                return number
        return 0

    def key(self, key: str, start: int, separators: str = "=") -> int:
        """Line of ``key =`` inside the section starting at *start* (whole file if 0)."""
        pattern = re.compile(rf"^\s*(?:\"{re.escape(key)}\"|'{re.escape(key)}'|{re.escape(key)})\s*[{separators}]")
        for number in range(max(start, 1), len(self._lines) + 1):
            line = self._lines[number - 1]
            if number > start > 0 and _header_keys(line) is not None:
                return 0
            if pattern.match(line):
                return number
        return 0

    def search_header(self, section: str) -> int:
        """Line of an INI ``[section]`` header, 0 if absent."""
        pattern = re.compile(rf"^\s*\[\s*{re.escape(section)}\s*\]")
        return next((n for n, line in enumerate(self._lines, 1) if pattern.match(line)), 0)

    def find(self, needles: Iterable[str], start: int) -> int:
        """First line at or after *start* containing any needle, 0 if none."""
        needles = [n for n in needles if n]
        for number in range(max(start, 1), len(self._lines) + 1):
            if any(n in self._lines[number - 1] for n in needles):
                return number
        return 0


def _quoted_forms(value: str) -> list[str]:
    """How a string may appear in TOML source."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return [f'"{value}"', f"'{value}'", f'"{escaped}"']


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
        return _bare_version_pinned(value)
    if isinstance(value, list):
        pins = [_keyed_value_pinned(v) for v in value]
        return all(pins) if any(p is not None for p in pins) else None
    if not isinstance(value, dict):
        return False
    if "path" in value:
        return None
    if "git" in value or "hg" in value:
        ref = value.get("rev", value.get("ref"))
        return isinstance(ref, str) and bool(_FULL_COMMIT.fullmatch(ref))
    for key in ("url", "file"):
        if isinstance(value.get(key), str):
            target = value[key]
            if not _URL_SCHEME.match(target) or target.startswith("file:"):
                return None
            return _url_pinned(target)
    version = value.get("version")
    return isinstance(version, str) and _bare_version_pinned(version)


def _conda_pinned(constraint: str) -> bool:
    """Exactness of a conda match-spec version part (see the module docstring)."""
    if not constraint or any(c in constraint for c in "*<>!|,~"):
        return False
    if constraint.startswith("=="):
        return bool(constraint[2:].strip())
    if constraint.startswith("="):
        version, _, build = constraint[1:].partition("=")
        return bool(build.strip()) or len(version.strip().split(".")) >= 3
    return bool(_BARE_VERSION.fullmatch(constraint.split()[0]))


# --------------------------------------------------------------------------- setup.py and YAML helpers

_NEVER_RUN = " (setup.py is never run)"


def _is_setup_call(func: ast.expr) -> bool:
    """``setup(...)``, ``setuptools.setup(...)`` or ``distutils.core.setup(...)``."""
    if isinstance(func, ast.Name):
        return func.id == "setup"
    if isinstance(func, ast.Attribute) and func.attr == "setup":
        base = func.value
        while isinstance(base, ast.Attribute):
            base = base.value
        return isinstance(base, ast.Name) and base.id in ("setuptools", "distutils")
    return False


def _module_literals(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level names bound exactly once, with their value, so that
    ``install_requires=REQUIREMENTS`` can be read. Names assigned again or
    augmented are left out: their final value is only known at runtime."""
    counts: dict[str, int] = {}
    values: dict[str, ast.expr] = {}
    for statement in tree.body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            targets = [statement.target]
        for target in targets:
            if isinstance(target, ast.Name):
                counts[target.id] = counts.get(target.id, 0) + 1
                if isinstance(statement, ast.AugAssign) or statement.value is None:
                    counts[target.id] += 1
                else:
                    values[target.id] = statement.value
    return {name: value for name, value in values.items() if counts[name] == 1}


def _txt_literals(node: ast.expr) -> list[str]:
    """``requirements.txt``-like strings inside a dynamic expression such as
    ``open("requirements.txt").read().splitlines()``: the file that is really meant."""
    return [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.endswith((".txt", ".in"))
    ]


def _yaml_value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """Value node of *key* in a YAML mapping node, None if absent or not a mapping."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


# --------------------------------------------------------------------------- reading


def _decode(data: bytes) -> tuple[str, bool]:
    """Text of a file and whether it was valid; UTF-16/32 with BOM is accepted
    because ``pip freeze > requirements.txt`` in PowerShell writes UTF-16."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), True
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), False


class _Collector:
    """Accumulates facts while reading one project's dependency files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.facts = DependencyFacts()
        self._declarations: set[str] = set()
        self._python: list[tuple[str, int]] = []
        self._seeds: list[str] = []
        self._conda_pins: dict[str, list[bool]] = {}
        self._conda_includes: dict[str, list[str]] = {}

    # ---- plumbing

    def warn(self, path: str, message: str) -> None:
        self.facts.warnings.append(f"{path}: {message}")

    def read(self, path: str) -> str | None:
        """File text, or None (with a warning) when it cannot be read."""
        try:
            full = self.root / path
            if full.stat().st_size > MAX_FILE_BYTES:
                self.warn(path, f"larger than {MAX_FILE_BYTES} bytes; not read")
                return None
            data = full.read_bytes()
        except OSError as exc:
            self.warn(path, f"cannot be read ({exc.strerror or exc})")
            return None
        text, valid = _decode(data)
        if not valid:
            self.warn(path, "is not valid UTF-8; undecodable bytes were replaced")
        return text

    def declare(self, path: str) -> None:
        self._declarations.add(path)

    def add(self, path: str, line: int, text: str, spec: _Spec, source: str) -> None:
        self.facts.requirements.append(Requirement(spec.name, text, path, line, spec.pinned, source))

    def python_at(self, path: str, line: int) -> None:
        self._python.append((path, line))

    def toml(self, path: str, text: str) -> dict[str, Any] | None:
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            self.warn(path, f"invalid TOML ({exc})")
            return None

    # ---- driver

    def collect(self, files: Iterable[str]) -> DependencyFacts:
        readers = {
            "pyproject": self.read_pyproject,
            "setup.cfg": self.read_setup_cfg,
            "setup.py": self.read_setup_py,
            "pipfile": self.read_pipfile,
            "conda": self.read_conda,
            "python-version": self.read_python_version,
            "runtime": self.read_runtime,
        }
        for path in sorted(set(files), key=_depth_order):
            kind = _file_kind(path)
            if kind == "lock":
                self.facts.lock_files.append(path)
            elif kind == "requirements":
                self._seeds.append(path)
            elif kind is not None:
                self._guarded(path, readers[kind])
        self.read_requirement_files()
        facts = self.facts
        facts.declaration_files = sorted(self._declarations)
        facts.requirements.sort(key=lambda r: (r.path, r.line))
        facts.python_version = self._python[0] if self._python else None
        facts.conda_fully_pinned = bool(self._conda_pins) and all(
            pins and all(pins) for pins in self._conda_pins.values()
        )
        return facts

    def _guarded(self, path: str, reader: Callable[[str, str], None]) -> None:
        """Run one file's reader; a failure is that file's warning, never the caller's crash."""
        text = self.read(path)
        if text is None:
            return
        try:
            reader(path, text)
        except (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError) as exc:
            self.warn(path, f"could not be analysed ({type(exc).__name__}: {exc})")

    # ---- requirements files (pip syntax), with -r / -c includes

    def read_requirement_files(self) -> None:
        """Parse every requirements file reached from the seeds, each once (cycles are harmless)."""
        parsed: dict[str, _PipLines] = {}
        required: dict[str, None] = dict.fromkeys(self._seeds)
        queue = deque(required)
        while queue:
            path = queue.popleft()
            if path in parsed:
                continue
            lines = self.parse_pip_file(path)
            parsed[path] = lines
            for include in lines.includes:
                required.setdefault(include)
            queue.extend(lines.includes)
            queue.extend(lines.constraints)

        def reach(start: str, with_constraints: bool) -> set[str]:
            seen: set[str] = set()
            stack = [start]
            while stack:
                path = stack.pop()
                if path in seen or path not in parsed:
                    continue
                seen.add(path)
                stack.extend(parsed[path].includes)
                if with_constraints:
                    stack.extend(parsed[path].constraints)
            return seen

        pins: dict[str, set[str]] = {path: set() for path in required}
        for path in required:
            constraint_files = {c for own in parsed[path].constraints for c in reach(own, True)}
            pinned_names = {e.spec.name for c in constraint_files for e in parsed[c].entries if e.spec.pinned}
            if pinned_names:
                for covered in reach(path, False):
                    pins[covered] |= pinned_names
        for path in required:
            self.declare(path)
            for entry in parsed[path].entries:
                spec = entry.spec
                pinned = spec.pinned or (spec.name is not None and spec.name in pins[path])
                self.add(path, entry.line, entry.text, _Spec(spec.name, pinned), "requirements")
        for env, includes in self._conda_includes.items():
            included = {p for start in includes for p in reach(start, False)}
            self._conda_pins.setdefault(env, []).extend(r.pinned for r in self.facts.requirements if r.path in included)

    def parse_pip_file(self, path: str) -> _PipLines:
        lines = _PipLines()
        if not (self.root / path).is_file():
            self.warn(path, "referenced requirements file does not exist")
            return lines
        text = self.read(path)
        if text is None:
            return lines
        for number, line in _logical_lines(text):
            _read_pip_line(path, number, line, lines)
        self._warn_bad_includes(path, lines)
        return lines

    def _warn_bad_includes(self, path: str, lines: _PipLines) -> None:
        for number, target in lines.bad_includes:
            self.warn(path, f"line {number}: include {target!r} is remote or outside the project; not followed")

    def seed_files(self, declaring: str, targets: Iterable[str]) -> None:
        """Requirements files named by another declaration (setuptools ``file:``, ``-r`` in conda)."""
        for target in targets:
            resolved = _resolve_include(declaring, target)
            if resolved is None:
                self.warn(declaring, f"requirements file {target!r} is outside the project; not read")
            else:
                self._seeds.append(resolved)

    # ---- pyproject.toml

    def read_pyproject(self, path: str, text: str) -> None:
        data = self.toml(path, text)
        if data is None:
            return
        lines = _SourceLines(text)
        project = data.get("project")
        if isinstance(project, dict):
            self._pep621(path, project, lines)
        groups = data.get("dependency-groups")
        if isinstance(groups, dict):
            self.declare(path)
            self._string_groups(path, groups, lines, lines.table("dependency-groups"), "pyproject")
        tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
        uv = tool.get("uv")
        if isinstance(uv, dict) and "dev-dependencies" in uv:
            self.declare(path)
            anchor = lines.key("dev-dependencies", lines.table("tool.uv"))
            self._string_array(path, uv["dev-dependencies"], lines, anchor, "pyproject")
        pdm = tool.get("pdm")
        if isinstance(pdm, dict) and isinstance(pdm.get("dev-dependencies"), dict):
            self.declare(path)
            anchor = lines.table("tool.pdm.dev-dependencies")
            self._string_groups(path, pdm["dev-dependencies"], lines, anchor, "pdm")
        poetry = tool.get("poetry")
        if isinstance(poetry, dict):
            self._poetry(path, poetry, lines)
        self._setuptools_dynamic(path, tool.get("setuptools"))

    def _pep621(self, path: str, project: dict[str, Any], lines: _SourceLines) -> None:
        start = lines.table("project")
        if isinstance(project.get("requires-python"), str) and project["requires-python"].strip():
            self.python_at(path, lines.key("requires-python", start))
        if "dependencies" in project:
            self.declare(path)
            anchor = lines.key("dependencies", start) or start
            self._string_array(path, project["dependencies"], lines, anchor, "pyproject")
        optional = project.get("optional-dependencies")
        if isinstance(optional, dict):
            self.declare(path)
            anchor = lines.table("project.optional-dependencies") or lines.key("optional-dependencies", start)
            self._string_groups(path, optional, lines, anchor, "pyproject")
        if isinstance(project.get("dynamic"), list) and "dependencies" in project["dynamic"]:
            self.declare(path)

    def _string_groups(self, path: str, groups: dict[str, Any], lines: _SourceLines, anchor: int, source: str) -> None:
        for group, items in groups.items():
            self._string_array(path, items, lines, lines.key(str(group), anchor) or anchor, source)

    def _string_array(self, path: str, items: Any, lines: _SourceLines, anchor: int, source: str) -> None:
        """PEP 508 strings of one TOML array; each located after the previous one."""
        if not isinstance(items, list):
            self.warn(path, f"line {anchor}: expected a list of requirement strings")
            return
        cursor = anchor
        for item in items:
            if not isinstance(item, str):
                continue  # e.g. {include-group = "..."} in dependency-groups
            spec = _parse_spec(item)
            line = lines.find(_quoted_forms(item), cursor)
            cursor = line or cursor
            if spec is not None:
                self.add(path, line or anchor, item, spec, source)

    def _poetry(self, path: str, poetry: dict[str, Any], lines: _SourceLines) -> None:
        tables = [("tool.poetry.dependencies", poetry.get("dependencies"))]
        tables.append(("tool.poetry.dev-dependencies", poetry.get("dev-dependencies")))
        groups = poetry.get("group")
        if isinstance(groups, dict):
            for name, group in groups.items():
                if isinstance(group, dict):
                    tables.append((f"tool.poetry.group.{name}.dependencies", group.get("dependencies")))
        for table, deps in tables:
            if isinstance(deps, dict):
                self.declare(path)
                self._keyed_deps(path, table, deps, lines, "poetry", python_key="python")

    def _keyed_deps(
        self, path: str, table: str, deps: dict[str, Any], lines: _SourceLines, source: str, python_key: str | None
    ) -> None:
        """Poetry/Pipfile style ``name = constraint`` tables."""
        start = lines.table(table)
        for name, value in deps.items():
            line = lines.key(name, start) or lines.table(f"{table}.{name}") or start
            if python_key is not None and name.lower() == python_key:
                self.python_at(path, line)
                continue
            pinned = _keyed_value_pinned(value)
            if pinned is not None:
                self.add(path, line, f"{name} = {_inline(value)}", _Spec(normalize_name(name), pinned), source)

    def _setuptools_dynamic(self, path: str, setuptools: Any) -> None:
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
                self.declare(path)
                self.seed_files(path, [t for t in targets if isinstance(t, str)])

    # ---- setup.cfg

    def read_setup_cfg(self, path: str, text: str) -> None:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        try:
            parser.read_string(text, source=path)
        except configparser.Error as exc:
            self.warn(path, f"invalid setup.cfg ({' '.join(str(exc).split())})")
            return
        lines = _SourceLines(text)
        options_line = lines.search_header("options")
        if parser.has_option("options", "python_requires"):
            self.python_at(path, lines.key("python_requires", options_line, "=:"))
        if parser.has_option("options", "install_requires"):
            self.declare(path)
            anchor = lines.key("install_requires", options_line, "=:")
            self._cfg_list(path, parser.get("options", "install_requires"), lines, anchor)
        if parser.has_section("options.extras_require"):
            self.declare(path)
            section_line = lines.search_header("options.extras_require")
            for extra, value in parser.items("options.extras_require"):
                self._cfg_list(path, value, lines, lines.key(extra, section_line, "=:") or section_line)

    def _cfg_list(self, path: str, value: str, lines: _SourceLines, anchor: int) -> None:
        value = value.strip()
        if value.startswith("file:"):
            self.declare(path)
            self.seed_files(path, [t.strip() for t in value[5:].split(",") if t.strip()])
            return
        cursor = anchor
        for item in value.splitlines():
            item = item.strip()
            if not item or item.startswith(("#", ";")):
                continue
            line = lines.find([item], cursor)
            cursor = line or cursor
            spec = _parse_spec(item)
            if spec is not None:
                self.add(path, line or anchor, item, spec, "setup.cfg")

    # ---- setup.py (ast only, never executed)

    def read_setup_py(self, path: str, text: str) -> None:
        try:
            with warnings.catch_warnings():  # SyntaxWarnings about the linted code are not ours to print
                warnings.simplefilter("ignore")
                tree = ast.parse(text, filename=path)
        except SyntaxError as exc:
            self.warn(path, f"line {exc.lineno or 0}: cannot be parsed ({exc.msg})")
            return
        except ValueError as exc:  # null bytes, on Python < 3.12
            self.warn(path, f"cannot be parsed ({exc})")
            return
        literals = _module_literals(tree)
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_setup_call(n.func)):
            for keyword in call.keywords:
                if keyword.arg is None:
                    self.declare(path)
                    self.warn(path, f"line {keyword.lineno}: setup(**...) arguments are not read{_NEVER_RUN}")
                elif keyword.arg == "python_requires" and isinstance(keyword.value, ast.Constant):
                    self.python_at(path, keyword.value.lineno)
                elif keyword.arg == "install_requires":
                    self.declare(path)
                    self._setup_list(path, keyword.value, literals, "install_requires")
                elif keyword.arg == "extras_require":
                    self.declare(path)
                    self._setup_extras(path, keyword.value, literals)

    def _setup_list(self, path: str, node: ast.expr, literals: dict[str, ast.expr], what: str) -> None:
        value = literals.get(node.id, node) if isinstance(node, ast.Name) else node
        if isinstance(value, (ast.List, ast.Tuple)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
        ):
            for element in value.elts:
                spec = _parse_spec(element.value)  # type: ignore[attr-defined]
                if spec is not None:
                    self.add(path, element.lineno, element.value, spec, "setup.py")  # type: ignore[attr-defined]
            return
        files = _txt_literals(value)
        if files:
            self.seed_files(path, files)
        else:
            self.warn(path, f"line {node.lineno}: {what} is computed at runtime; not read{_NEVER_RUN}")

    def _setup_extras(self, path: str, node: ast.expr, literals: dict[str, ast.expr]) -> None:
        value = literals.get(node.id, node) if isinstance(node, ast.Name) else node
        if not isinstance(value, ast.Dict):
            self.warn(path, f"line {node.lineno}: extras_require is computed at runtime; not read{_NEVER_RUN}")
            return
        for key, extra in zip(value.keys, value.values):
            name = key.value if isinstance(key, ast.Constant) else "?"
            self._setup_list(path, extra, literals, f"extras_require[{name!r}]")

    # ---- Pipfile

    def read_pipfile(self, path: str, text: str) -> None:
        data = self.toml(path, text)
        if data is None:
            return
        self.declare(path)
        lines = _SourceLines(text)
        for table in ("packages", "dev-packages"):
            if isinstance(data.get(table), dict):
                self._keyed_deps(path, table, data[table], lines, "pipfile", python_key=None)
        requires = data.get("requires")
        if isinstance(requires, dict):
            start = lines.table("requires")
            for key in ("python_version", "python_full_version"):
                if key in requires:
                    self.python_at(path, lines.key(key, start))
                    break

    # ---- conda environment.yml

    def read_conda(self, path: str, text: str) -> None:
        try:
            document = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            self.warn(path, f"invalid YAML ({' '.join(str(exc).split())})")
            return
        dependencies = _yaml_value(document, "dependencies")
        if dependencies is None:
            return
        self.declare(path)
        if not isinstance(dependencies, yaml.SequenceNode):
            self.warn(path, f"line {dependencies.start_mark.line + 1}: dependencies is not a list")
            return
        pins: list[bool] = []
        for item in dependencies.value:
            if isinstance(item, yaml.ScalarNode):
                pins.extend(self._conda_item(path, item))
            pip = _yaml_value(item, "pip")
            if isinstance(pip, yaml.SequenceNode):
                pins.extend(self._conda_pip(path, pip))
        self._conda_pins[path] = pins

    def _conda_item(self, path: str, node: yaml.ScalarNode) -> list[bool]:
        text = str(node.value).strip()
        line = node.start_mark.line + 1
        match = re.match(r"^(?:[^:\s]+::)?([A-Za-z0-9_.-]+)\s*(?:\[[^\]]*\])?\s*(.*)$", text)
        if not match:
            self.add(path, line, text, _Spec(None, False), "conda")
            return [False]
        name, constraint = normalize_name(match.group(1)), match.group(2).strip()
        if name == "python":
            if constraint:
                self.python_at(path, line)
            return []
        if name == "pip":
            return []
        pinned = _conda_pinned(constraint)
        self.add(path, line, text, _Spec(name, pinned), "conda")
        return [pinned]

    def _conda_pip(self, path: str, pip: yaml.SequenceNode) -> list[bool]:
        lines = _PipLines()
        for item in pip.value:
            if isinstance(item, yaml.ScalarNode):
                text = " ".join(_strip_comment(str(item.value)).split())
                if text:
                    _read_pip_line(path, item.start_mark.line + 1, text, lines)
        self._warn_bad_includes(path, lines)
        self._seeds.extend(lines.includes)
        self._conda_includes.setdefault(path, []).extend(lines.includes)
        for entry in lines.entries:
            self.add(path, entry.line, entry.text, entry.spec, "conda")
        return [entry.spec.pinned for entry in lines.entries]

    # ---- .python-version, runtime.txt

    def read_python_version(self, path: str, text: str) -> None:
        for number, line in enumerate(text.splitlines(), 1):
            value = line.split("#", 1)[0].strip()
            if value and value != "system":
                self.python_at(path, number)
                return

    def read_runtime(self, path: str, text: str) -> None:
        for number, line in enumerate(text.splitlines(), 1):
            if re.match(r"^\s*python-\d", line):
                self.python_at(path, number)
                return

