"""The result cache (``.mllint_cache/`` at the project root, or ``cache-dir``):
what a second run over an unchanged tree reuses instead of parsing and
linting again.

Entries are keyed by the *run key* (mllint's version and its own code, the
Python and libcst versions, the registry's rules and the effective
configuration: selection, severities, rule and analysis options, per-file
ignores, profile) and by what the results depend on, which a rule declares by
its reach (``engine.findings.Reach``): what it reads beyond its file. A linted
file has one entry per reach among its rules, each keyed also by its path, role
and the hash of its bytes:

- ``Reach.FILE``: the raw findings of the rules that read only the file, and
  the codes of every rule that ran on it;
- the other entries hold the raw findings of the rules of one reach, keyed by
  what each of its reads depends on:
  - ``Reach.IMPORTS``, the project modules the file imports (directly or
    through others): the set of project modules (which decides what an import
    resolves to) and the digest of the file's import closure
    (``closure_digests``: the paths and bytes of every module in it), which the
    project state holds. An edit re-runs these rules only on the edited module
    and the modules importing it; after an edit is reverted, or on a branch
    switched back to, the old entries are found again;
  - ``Reach.SETTINGS``, the project's settings: the settings digest, the
    project digest below with any module but ``setup.py`` and ``conftest.py``
    counted by its path alone. A rule reading the settings and no imported
    module (ML601 reads the declared torch version) re-runs after a settings
    change only, whichever module is edited;
  - ``Reach.GRAPH``, whether another module imports the file: that answer. An
    edit re-runs these rules where a module starts or stops importing it;
  - ``Reach.ANSWERS``, the whole-project answers of analyses
    (``Analysis.answer``): the digest of every such answer; an edit re-runs
    them where it changes an answer;
- ``Reach.PROJECT``: those of the rules that read anything else; keyed also by
  the *project digest*: every project file's path with, for Python modules and
  notebooks, the hash of their bytes and, for any other file, its size,
  modification time and inode (data files can be gigabytes: they are not
  read), plus DVC's own configuration. Any change in the project re-runs them.

The import closures, the graph and the answers these keys need come from the
*project state* entry (``ProjectState``), keyed by every module's path and bytes and by the settings:
a run over an unchanged tree reads it instead of indexing the project; after
a change, the files with such entries wait until the project is indexed (from
the cached index entries of the unchanged modules).

The project rules' raw findings, notes and codes are one entry, keyed by the
project digest and what git says about the files (blob sizes and LFS
attributes: ML101). Which rules ran on a file depends only on the file (its
text, role and the configuration), so an entry of a reach none of its rules has
is never needed.

A whole run's results are one more entry (``run_entry_key``): every linted
file's complete outcome and the project rules', keyed by the linted files, the
project digest and the project rules' key. A run over an unchanged tree reads
that one entry instead of every file's: the per-file entries are what a run
after an edit reuses.

Every module's entry in the project index (``ModuleInfo``: imports, functions,
calls) is kept too, keyed by its path and bytes and by the software alone (the
configuration does not change it): a run that must lint a few
files indexes the unchanged rest from these, without reading or parsing them;
the rules' analyses read the modules they reach when they reach them.

Entries are one small JSON file each. Never pickle: a cache folder can come
with a checkout, and mllint does not unpickle what it is given. Each is written
to a temporary file and renamed over its name, so processes sharing a cache
never read half an entry. An entry that does not parse, belongs to another
format, version or key, or holds anything but findings is a miss and is
rebuilt. A cache folder that cannot be written is not used at all.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import posixpath
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import mllint
from mllint.engine.config import Settings
from mllint.engine.findings import Edit, Fix, RawFinding, Reach, Severity
from mllint.engine.registry import Registry
from mllint.engine.sources import SourceError, read_bytes
from mllint.project.git import GitFacts
from mllint.project.index import ModuleInfo, import_components

CACHE_DIR = ".mllint_cache"
#: The layout of an entry; a change makes every older entry a miss.
FORMAT = 6
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by mllint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
#: Files outside the project's file list that project facts read (``ProjectContext.dvc``).
_OUTSIDE_FILES = (".dvc/config", ".dvc/config.local")


@dataclass(frozen=True)
class Outcome:
    """What one group of rules produced: raw findings, the codes of the rules
    that ran (``LintResult.applied``) and, for project rules, their notes."""

    findings: tuple[RawFinding, ...] = ()
    ran: tuple[str, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ProjectState:
    """What the project's modules and settings decide for every file: the digest
    of each module's import closure (``Reach.IMPORTS``), the modules another
    module imports (``Reach.GRAPH``) and the digest of the analyses' answers
    (``Reach.ANSWERS``)."""

    closures: Mapping[str, str]
    imported: frozenset[str]
    answers: str


def digest(*parts: Any) -> str:
    """A stable hash of JSON-able *parts* (keys sorted)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()


def closure_digests(graph: Mapping[str, Iterable[str]], contents: Mapping[str, str]) -> dict[str, str]:
    """For every module of the import *graph*, a digest of its import closure: the
    paths and bytes (*contents*) of the modules it imports, directly or through
    others, itself included. Built over the import cycles (``import_components``),
    each digest covering its cycle's modules and the digests of the cycles they
    import: a change anywhere in a closure changes it, and the digests cost time
    linear in the modules and imports (a list of each closure, which the entries
    held before, was quadratic: 15 MB read after any edit of a 1,300-file library)."""
    digests: list[str] = []
    closures: dict[str, str] = {}
    for members, imported in import_components(graph):
        digests.append(digest([[path, contents.get(path)] for path in members], sorted(digests[i] for i in imported)))
        closures.update(dict.fromkeys(members, digests[-1]))
    return closures


class CacheFolder:
    """The folder holding the entries, sharded by the first two characters of a key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def open(cls, path: Path) -> CacheFolder | None:
        """The folder at *path*, created with ``CACHEDIR.TAG`` and a ``.gitignore``
        (backup tools and git leave it alone); None when it cannot be written."""
        folder = cls(path)
        try:
            path.mkdir(parents=True, exist_ok=True)
            for name, text in (("CACHEDIR.TAG", _TAG), (".gitignore", "# Created by mllint.\n*\n")):
                if not (path / name).is_file():
                    folder._write(path / name, text)
            probe, probe_name = tempfile.mkstemp(dir=path, prefix=".probe-")
            os.close(probe)
            os.unlink(probe_name)
        except OSError:
            return None
        return folder

    def load(self, key: str) -> Outcome | None:
        """The results kept under *key*, or None when there are none or the entry
        is not a valid one of this key."""
        data = self._read(key)
        try:
            return None if data is None else _outcome(data)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None

    def save(self, key: str, outcome: Outcome) -> None:
        """Store *outcome* under *key*; a failed write only costs the entry."""
        self._store(key, _outcome_json(outcome))

    def load_run(self, key: str) -> tuple[dict[str, Outcome], Outcome | None] | None:
        """A whole run's results under *key*: every linted file's, and the project
        rules' (None when they were off); None when there is no valid entry."""
        data = self._read(key)
        try:
            if data is None:
                return None
            files = {_text(path): _outcome(outcome) for path, outcome in data["files"].items()}
            return files, None if data["project"] is None else _outcome(data["project"])
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None

    def save_run(self, key: str, files: Mapping[str, Outcome], project: Outcome | None) -> None:
        self._store(key, {
            "files": {path: _outcome_json(outcome) for path, outcome in files.items()},
            "project": None if project is None else _outcome_json(project),
        })

    def load_graph(self, key: str) -> dict[str, frozenset[str]] | None:
        """The import graph under *key* (module -> the modules it imports), or None."""
        data = self._read(key)
        try:
            return None if data is None else {_text(path): frozenset(map(_text, imported)) for path, imported in data["graph"].items()}
        except (KeyError, TypeError, AttributeError):
            return None

    def save_graph(self, key: str, graph: Mapping[str, Iterable[str]]) -> None:
        self._store(key, {"graph": {path: sorted(imported) for path, imported in graph.items()}})

    def load_state(self, key: str) -> ProjectState | None:
        """The project state under *key*, or None."""
        data = self._read(key)
        try:
            if data is None:
                return None
            closures = {_text(path): _text(hashed) for path, hashed in data["closures"].items()}
            return ProjectState(closures, frozenset(map(_text, data["imported"])), _text(data["answers"]))
        except (KeyError, TypeError, AttributeError):
            return None

    def save_state(self, key: str, state: ProjectState) -> None:
        self._store(key, {"closures": dict(state.closures), "imported": sorted(state.imported), "answers": state.answers})

    def load_summary(self, key: str) -> ModuleInfo | None:
        """The module's index entry under *key* (``ModuleInfo.to_json``), or None."""
        data = self._read(key)
        try:
            return ModuleInfo.from_json(data["module"]) if data is not None else None
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def save_summary(self, key: str, info: ModuleInfo) -> None:
        self._store(key, {"module": info.to_json()})

    def load_facts(self, key: str) -> Any:
        """An analysis' facts about one module under *key* (``ProjectCache.facts_key``),
        as the JSON data it stored; None when there are none."""
        data = self._read(key)
        return None if data is None else data.get("facts")

    def save_facts(self, key: str, facts: Any) -> None:
        self._store(key, {"facts": facts})

    def _read(self, key: str) -> dict[str, Any] | None:
        """The entry under *key*, if it is one of this format, version and key."""
        try:  # read_bytes opens regular files only: a FIFO put in the folder never blocks
            data = json.loads(read_bytes(self._entry(key)))
            if data["format"] != FORMAT or data["mllint"] != mllint.__version__ or data["key"] != key:
                return None
            return data
        except (SourceError, ValueError, KeyError, TypeError, IndexError, RecursionError):
            return None

    def _store(self, key: str, payload: Mapping[str, Any]) -> None:
        target = self._entry(key)
        text = json.dumps({"format": FORMAT, "mllint": mllint.__version__, "key": key, **payload}, separators=(",", ":"))
        try:
            try:
                self._write(target, text)
            except FileNotFoundError:  # the shard's folder, made on its first entry
                target.parent.mkdir(exist_ok=True)
                self._write(target, text)
        except OSError:
            return

    def _entry(self, key: str) -> Path:
        return self.path / key[:2] / f"{key[2:]}.json"

    @staticmethod
    def _write(target: Path, text: str) -> None:
        """Write *text* to a temporary file beside *target*, then rename it over
        *target*: a reader sees the old entry or the new one, never a part."""
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class ProjectCache:
    """One project's entries in one run: the keys of its files and of its project rules."""

    def __init__(self, folder: CacheFolder, software: str, run: str, root: Path, files: Iterable[str], modules: Iterable[str]) -> None:
        self.folder = folder
        self.software = software
        self.run = run
        self.contents = {path: _content(root / path) for path in modules}
        listed, outside = _project_files(root, files, self.contents, folder.path)
        self.project = digest(listed, outside)
        self._modules = digest(sorted(self.contents))
        self._module_contents = digest(sorted(self.contents.items()))
        self._settings = digest([(path, _settings_part(path, state, self.contents)) for path, state in listed], outside)

    def file_key(self, path: str, role: str, reach: Reach, state: ProjectState | None = None) -> str:
        """The key of a linted file's entry for the rules of *reach*: what each of
        its reads keys (the project *state* is needed for ``Reach.keyed_by_state``)."""
        own = self.contents[path]
        if reach == Reach.FILE:
            return digest(self.run, "file", path, role, own)
        if reach == Reach.PROJECT:
            return digest(self.run, "project", path, role, own, self.project)
        assert state is not None or not reach.keyed_by_state, "the project state keys imports, the graph and answers"
        read: list[Any] = []
        if Reach.IMPORTS in reach:
            read += [self._modules, state.closures.get(path, own)]
        if Reach.SETTINGS in reach:
            read.append(self._settings)
        if Reach.GRAPH in reach:
            read.append(path in state.imported)
        if Reach.ANSWERS in reach:
            read.append(state.answers)
        return digest(self.run, "reach", int(reach), path, role, own, read)

    def summary_key(self, path: str) -> str:
        """The key of a module's index entry: its path and bytes (and the run's software)."""
        return digest(self.software, "summary", path, self.contents[path])

    def facts_key(self, kind: str, path: str, variant: Any) -> str | None:
        """The key of analysis *kind*'s facts about the module at *path*: its path
        and bytes, the software, and *variant* (the options that shape the facts);
        None for a file this run does not hash."""
        hashed = self.contents.get(path)
        return None if hashed is None else digest(self.software, "facts", kind, variant, path, hashed)

    def graph_key(self, modules: Iterable[ModuleInfo]) -> str:
        """The key of the project's import graph: it depends on the modules' paths
        and imports alone, so an edit that changes no import keeps it."""
        return digest(self.software, "import graph", sorted([info.path, info.is_notebook, sorted(info.imports)] for info in modules))

    def state_key(self) -> str:
        """The key of the project state entry: the configuration, every module's path and bytes, the settings."""
        return digest(self.run, "state", self._module_contents, self._settings)

    def project_key(self, git: GitFacts | None) -> str:
        facts = None if git is None else [str(git.top), sorted(git.tracked_sizes.items()), sorted(git.lfs)]
        return digest(self.run, "project rules", self.project, facts)

    def run_entry_key(self, targets: Iterable[str], project_key: str | None) -> str:
        """The key of the whole run's entry: the linted files and everything any
        of their entries is keyed by (the project digest covers every file, the
        settings and so the project state), and the project rules' key when they run."""
        return digest(self.run, "run", self.project, sorted(targets), project_key)

    def load_facts(self, kind: str, path: str, variant: Any) -> Any:
        """Analysis *kind*'s facts about the module at *path*, stored for its
        present bytes and *variant* (``FactsStore``); None when there are none."""
        key = self.facts_key(kind, path, variant)
        return None if key is None else self.folder.load_facts(key)

    def save_facts(self, kind: str, path: str, variant: Any, facts: Any) -> None:
        key = self.facts_key(kind, path, variant)
        if key is not None:
            self.folder.save_facts(key, facts)


def software_key() -> str:
    """The software a run's entries depend on: mllint, its own files by size and
    modification time (an edited checkout of mllint never serves what older code
    found), Python and libcst. Index entries depend on nothing else."""
    return digest(FORMAT, mllint.__version__, _own_code(), sys.version, _installed("libcst"))


def run_key(rules: Registry, settings: Settings, software: str) -> str:
    """What the results of a run depend on besides the files: the *software* and the configuration.

    Settings that do
    not change what rules report (``fail-on``, excludes, ``project-rules``,
    the baseline) are left out, so a pre-commit hook and a full run share entries.
    """
    configuration = {
        "selected": sorted(settings.selected),
        "severity": {code: severity.value for code, severity in settings.severity.items()},
        "per-file-ignores": [
            [[getattr(pattern, "pattern", repr(pattern)) for pattern in spec.patterns], sorted(codes)]
            for spec, codes in settings.per_file_ignores
        ],
        "rules": settings.rule_options,
        "analysis": settings.analysis_options,
        "profile": settings.profile,
    }
    rule_classes = sorted((code, f"{rule.__module__}.{rule.__qualname__}") for code, rule in rules.items())
    return digest(software, rule_classes, configuration)


def cacheable(findings: Iterable[RawFinding]) -> bool:
    """Results with an engine failure (a crashed rule, a dead worker: ML000) are
    not kept: they are not what the rules say about the file, and the next run retries."""
    return all(raw.code != "ML000" for raw in findings)


def _own_code() -> list[tuple[str, int, int]]:
    """mllint's own files (modules, rule data) by size and modification time."""
    package = Path(mllint.__file__).parent
    found = []
    for path in package.rglob("*"):
        if "__pycache__" not in path.parts and path.is_file():
            stat = path.stat()
            found.append((path.relative_to(package).as_posix(), stat.st_size, stat.st_mtime_ns))
    return sorted(found)


def _installed(package: str) -> list[object] | None:
    """Which release of an installed *package* this is, without importing it: the
    text of its generated ``_version.py`` (version and commit) when it has one, and
    its ``__init__``'s size and modification time, which an upgrade or a
    reinstall rewrites. Asking the distribution's version instead imported
    ``importlib.metadata``: a tenth of a run whose results are all cached."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    init = Path(spec.origin)
    version = init.with_name("_version.py")
    return [_signature(init), version.read_text(encoding="utf-8", errors="replace") if version.is_file() else None]


def _content(path: Path) -> str:
    """The hash of a module's bytes; for one that cannot be read, the reason (its result)."""
    try:
        return hashlib.blake2b(read_bytes(path), digest_size=20).hexdigest()
    except SourceError as exc:
        return f"unreadable: {exc}"


def _signature(path: Path) -> list[int] | None:
    """Size, modification time and inode: a file edited or replaced changes it."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def _project_files(root: Path, files: Iterable[str], contents: Mapping[str, str], folder: Path) -> tuple[list[Any], list[Any]]:
    """Every project file (the cache's own excepted) with its content hash or
    signature, sorted; and the files outside the file list that facts read."""
    try:
        own = folder.resolve().relative_to(root.resolve()).as_posix() + "/"
    except ValueError:
        own = None
    listed = sorted(
        (path, contents[path] if path in contents else _signature(root / path))
        for path in {*files, *contents}
        if own is None or not path.startswith(own)
    )
    outside = [(path, _signature(root / path)) for path in _OUTSIDE_FILES] + [(".dvc/", (root / ".dvc").is_dir())]
    return listed, outside


#: Modules that configure the project rather than run in it: ``Reach.SETTINGS`` reads them.
SETTINGS_MODULES = ("setup.py", "conftest.py")


def _settings_part(path: str, state: Any, contents: Mapping[str, str]) -> Any:
    """What ``Reach.SETTINGS`` depends on of a listed file: any module but the
    settings modules counts by its path alone (its content is ``Reach.PROJECT``'s)."""
    if path in contents and posixpath.basename(path) not in SETTINGS_MODULES:
        return None
    return state


def _outcome_json(outcome: Outcome) -> dict[str, Any]:
    """An outcome's findings, codes and notes."""
    return {
        "findings": [_finding_json(raw) for raw in outcome.findings],
        "ran": list(outcome.ran),
        "notes": [list(note) for note in outcome.notes],
    }


def _finding_json(raw: RawFinding) -> list[Any]:
    fix = raw.fix
    return [
        raw.code, raw.message, raw.line, raw.column, raw.end_line, raw.end_column, raw.cell, raw.path,
        raw.severity.value if raw.severity is not None else None,
        None if fix is None else [
            fix.message, fix.safe, [[e.line, e.column, e.end_line, e.end_column, e.content] for e in fix.edits], fix.clear_outputs
        ],
    ]


def _outcome(data: Mapping[str, Any]) -> Outcome:
    """An entry's outcome; TypeError/ValueError when it holds anything else."""
    findings = tuple(_finding(item) for item in data["findings"])
    ran = tuple(_text(code) for code in data["ran"])
    notes = tuple((_text(code), _text(note)) for code, note in data["notes"])
    return Outcome(findings, ran, notes)


def _finding(item: Any) -> RawFinding:
    code, message, line, column, end_line, end_column, cell, path, severity, fix = item
    return RawFinding(
        _text(code), _text(message), _int(line), _int(column), _int(end_line), _int(end_column),
        cell=None if cell is None else _int(cell),
        fix=None if fix is None else _fix(fix),
        path=None if path is None else _text(path),
        severity=None if severity is None else Severity(severity),
    )


def _fix(item: Any) -> Fix:
    message, safe, edits, clear_outputs = item
    if not isinstance(safe, bool) or not isinstance(clear_outputs, bool):
        raise TypeError("safe, clear_outputs")
    return Fix(_text(message), tuple(Edit(*map(_int, edit[:4]), _text(edit[4])) for edit in edits), safe, clear_outputs)


def _int(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise TypeError("expected a line or column")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value
