"""DVC facts for project rules, read from DVC's own files.

Rules about data and model versioning (ML101, ML102, ML301) need to know what
DVC manages in a project: which paths are DVC outputs, which remotes exist,
which metrics and params files a pipeline declares. mllint reads the files DVC
writes (``*.dvc``, ``dvc.yaml``, ``dvc.lock``, ``.dvc/config``,
``.dvc/config.local``) instead of importing DVC or running its CLI: linting must
stay fast, offline and free of heavy dependencies. Anything malformed becomes a
warning string; nothing here raises.
"""

from __future__ import annotations

import configparser
import itertools
import os
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from mllint.project.files import FileTooLarge, is_regular_file, read_regular_file
from mllint.project.git import relative_posix

MAX_YAML_BYTES = 8 * 1024 * 1024
DEFAULT_PARAMS_FILE = "params.yaml"
PIPELINE_FILE = "dvc.yaml"
LOCK_FILE = "dvc.lock"
SKIPPED_FOLDERS = frozenset(
    {".git", ".dvc", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox",
     "site-packages", ".ipynb_checkpoints"}
)
_REMOTE_SECTION = re.compile(r"""^'?\s*remote\s+"(?P<name>[^"]+)"\s*'?$""")
#: ``${expression}``; the expression is stripped in code: ``\s*([^}]*?)\s*`` backtracks
#: quadratically on a long ``${`` without its ``}``.
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
#: Stands for a placeholder in a template path (no path holds it: it is a NUL).
_WILDCARD = "\0"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_INDEX = re.compile(r"\[(\d+)\]")


@dataclass
class DvcFacts:
    """What DVC manages in the project at ``root``. Paths are POSIX, relative to it.

    ``outs`` holds every output DVC declares: outs of ``*.dvc`` files, stage
    ``outs``/``metrics``/``plots`` of ``dvc.yaml`` and outs recorded in
    ``dvc.lock``. Those declared with ``cache: false`` are also in
    ``uncached_outs`` (DVC knows them but git stores their content).
    ``out_patterns`` holds outs whose ``${...}`` templates could not be resolved
    statically; each placeholder stands for one path segment.
    """

    root: Path = Path(".")
    initialised: bool = False
    remotes: dict[str, str] = field(default_factory=dict)
    default_remote: str | None = None
    #: Remotes and default from ``.dvc/config`` alone: what a fresh clone gets
    #: (``config.local`` is git-ignored and stays on one machine).
    shared_remotes: dict[str, str] = field(default_factory=dict)
    shared_default_remote: str | None = None
    outs: frozenset[str] = frozenset()
    uncached_outs: frozenset[str] = frozenset()
    out_patterns: frozenset[str] = frozenset()
    metrics: frozenset[str] = frozenset()
    params: frozenset[str] = frozenset()
    stages: dict[str, str] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def covers(self, path: str | os.PathLike[str]) -> bool:
        """True when *path* is a DVC output or lies under an output folder."""
        key = relative_posix(path, self.root)
        if key is None:
            return False
        candidates = [key, *(parent.as_posix() for parent in PurePosixPath(key).parents)]
        if any(candidate in self.outs for candidate in candidates if candidate != "."):
            return True
        return any(_template_matches(pattern, key) for pattern in self.out_patterns)


def collect_dvc_facts(root: Path, files: Iterable[str] | None = None) -> DvcFacts:
    """Read the DVC state of the project at *root*.

    *files* lists project files (POSIX, relative to *root*) in which to look for
    ``*.dvc``, ``dvc.yaml`` and ``dvc.lock``; when None the tree is walked. The
    ``.dvc/config`` files are always read from disk: ``config.local`` is
    git-ignored by DVC, so file lists taken from git do not show it.
    """
    root = Path(root)
    collector = _Collector(root)
    collector.read_config()
    pipeline_files = sorted(_dvc_files(root, files))
    for rel in pipeline_files:
        name = PurePosixPath(rel).name
        if name == PIPELINE_FILE:
            collector.read_pipeline(rel)
        elif name.endswith(".dvc"):
            collector.read_dvc_file(rel)
    # Lock files need the stage wdirs, which only the pipelines know.
    for rel in pipeline_files:
        if PurePosixPath(rel).name == LOCK_FILE:
            collector.read_lock(rel)
    return collector.facts()


def _dvc_files(root: Path, files: Iterable[str] | None) -> Iterator[str]:
    """Paths of ``*.dvc``, ``dvc.yaml`` and ``dvc.lock`` files, relative to *root*."""
    if files is None:
        files = _walk(root)
    seen: set[str] = set()
    for original in files:
        rel = relative_posix(original, root)
        if rel is None or rel in seen:
            continue
        name = PurePosixPath(rel).name
        if name in (PIPELINE_FILE, LOCK_FILE) or (name.endswith(".dvc") and name != ".dvc"):
            seen.add(rel)
            yield rel


def _walk(root: Path) -> Iterator[str]:
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED_FOLDERS]
        base = Path(folder).relative_to(root).as_posix()
        for name in names:
            yield name if base == "." else f"{base}/{name}"


class _Collector:
    """Accumulates facts while the DVC files of one project are read."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.remotes: dict[str, str] = {}
        self.default_remote: str | None = None
        self.shared_remotes: dict[str, str] = {}
        self.shared_default_remote: str | None = None
        self.outs: set[str] = set()
        self.uncached: set[str] = set()
        self.patterns: set[str] = set()
        self.metrics: set[str] = set()
        self.params: set[str] = set()
        self.stages: dict[str, str] = {}
        self.artifacts: dict[str, str] = {}
        self.warnings: list[str] = []
        self.wdirs: dict[tuple[str, str], str] = {}  # (dvc.yaml folder, stage name) -> wdir

    def facts(self) -> DvcFacts:
        return DvcFacts(
            root=self.root,
            initialised=(self.root / ".dvc").is_dir(),
            remotes=self.remotes,
            default_remote=self.default_remote,
            shared_remotes=self.shared_remotes,
            shared_default_remote=self.shared_default_remote,
            outs=frozenset(self.outs),
            uncached_outs=frozenset(self.uncached),
            out_patterns=frozenset(self.patterns),
            metrics=frozenset(self.metrics),
            params=frozenset(self.params),
            stages=self.stages,
            artifacts=self.artifacts,
            warnings=self.warnings,
        )

    # -- .dvc/config -------------------------------------------------------

    def read_config(self) -> None:
        """Remotes and ``core.remote`` from ``.dvc/config``, then ``config.local`` on top."""
        for name in ("config", "config.local"):
            path = self.root / ".dvc" / name
            if not is_regular_file(path):
                continue
            parser = configparser.ConfigParser(interpolation=None, strict=False)
            try:
                parser.read_string(read_regular_file(path, MAX_YAML_BYTES).decode("utf-8"), source=str(path))
            except (OSError, UnicodeDecodeError, configparser.Error) as exc:
                self.warnings.append(f".dvc/{name}: cannot parse: {_one_line(exc)}")
                continue
            for section in parser.sections():
                match = _REMOTE_SECTION.match(section.strip())
                if match:
                    url = _unquote(parser.get(section, "url", fallback=""))
                    self.remotes[match.group("name")] = url
            if parser.has_option("core", "remote"):
                self.default_remote = _unquote(parser.get("core", "remote")) or None
            if name == "config":
                self.shared_remotes = dict(self.remotes)
                self.shared_default_remote = self.default_remote

    # -- *.dvc files ----------------------------------------------------------

    def read_dvc_file(self, rel: str) -> None:
        data = self._load(rel)
        if data is None:
            return
        if not isinstance(data, Mapping):
            self.warnings.append(f"{rel}: expected a mapping at the top level")
            return
        base = _join(_folder(rel), _text(data.get("wdir")) or ".")
        for out in _as_list(data.get("outs")):
            path = _path_of(out)
            if path and base is not None:
                self._add_out(base, path, cached=out.get("cache", True) is not False)

    # -- dvc.yaml -------------------------------------------------------------

    def read_pipeline(self, rel: str) -> None:
        loaded = self._load(rel, keep_lines=True)
        if loaded is None:
            return
        data, lines = loaded
        if not isinstance(data, Mapping):
            self.warnings.append(f"{rel}: expected a mapping at the top level")
            return
        folder = _folder(rel)
        context = self._template_context(folder, data.get("vars"))
        stages = data.get("stages")
        if stages is not None and not isinstance(stages, Mapping):
            self.warnings.append(f"{rel}: 'stages' is not a mapping")
            stages = None
        for name, stage in (stages or {}).items():
            if not isinstance(stage, Mapping):
                self.warnings.append(f"{rel}: stage {name!r} is not a mapping")
                continue
            address = str(name) if folder == "." else f"{rel}:{name}"
            self.stages[address] = f"{rel}:{lines.get(str(name), 1)}"
            for body, stage_context in _expand(stage, context):
                self._read_stage(folder, str(name), body, stage_context)
        for metric in _entry_paths(data.get("metrics")):
            self._add_path(self.metrics, folder, metric)
        for params_file in _entry_paths(data.get("params")):
            self._add_path(self.params, folder, params_file)
        artifacts = data.get("artifacts")
        for name, artifact in (artifacts.items() if isinstance(artifacts, Mapping) else ()):
            path = _path_of(artifact)
            joined = _join(folder, path) if path else None
            if joined is not None:
                self.artifacts[str(name)] = joined

    def _read_stage(self, folder: str, name: str, body: Mapping[str, Any], context: dict[str, Any]) -> None:
        wdir_text = _interpolate(_text(body.get("wdir")) or ".", context)
        self.wdirs.setdefault((folder, name), wdir_text)
        base = _join(folder, wdir_text)
        if base is None:
            return
        for key in ("outs", "metrics", "plots"):
            for template, cached in _entries_with_cache(body.get(key)):
                path = _interpolate(template, context)
                self._add_out(base, path, cached=cached)
                if key == "metrics":
                    self._add_path(self.metrics, base, path)
        for entry in _as_list(body.get("params")):
            if isinstance(entry, Mapping):
                for params_file in entry:
                    self._add_path(self.params, base, _interpolate(str(params_file), context))
            elif entry is not None:
                self._add_path(self.params, base, DEFAULT_PARAMS_FILE)

    def _template_context(self, folder: str, declared_vars: Any) -> dict[str, Any]:
        """Values for ``${...}``: the default params.yaml, then the pipeline's ``vars``."""
        context: dict[str, Any] = {}
        sources: list[Any] = [DEFAULT_PARAMS_FILE, *_as_list(declared_vars)]
        for source in sources:
            if isinstance(source, Mapping):
                context.update(source)
                continue
            if not isinstance(source, str):
                continue
            file_name, _, keys = source.partition(":")
            path = _join(folder, file_name)
            if path is None or not is_regular_file(self.root / path):
                continue
            values = self._load(path)
            if isinstance(values, Mapping):
                wanted = [key.strip() for key in keys.split(",") if key.strip()]
                context.update({k: v for k, v in values.items() if not wanted or k in wanted})
        return context

    # -- dvc.lock -------------------------------------------------------------

    def read_lock(self, rel: str) -> None:
        data = self._load(rel)
        if data is None:
            return
        stages = data.get("stages") if isinstance(data, Mapping) else None
        if not isinstance(stages, Mapping):
            self.warnings.append(f"{rel}: no 'stages' mapping")
            return
        folder = _folder(rel)
        for name, stage in stages.items():
            if not isinstance(stage, Mapping):
                continue
            # Lock paths are relative to the stage's wdir, which only dvc.yaml records;
            # foreach/matrix stages are locked as "name@item".
            wdir = self.wdirs.get((folder, str(name).split("@", 1)[0]), ".")
            base = _join(folder, wdir)
            if base is None:
                continue
            for out in _as_list(stage.get("outs")):
                path = _path_of(out)
                if path:
                    self._add_out(base, path, cached=True)
            params = stage.get("params")
            for params_file in params if isinstance(params, Mapping) else ():
                self._add_path(self.params, base, str(params_file))

    # -- shared helpers -------------------------------------------------------

    def _add_out(self, base: str, path: str, *, cached: bool) -> None:
        joined = self._add_path(self.outs, base, path)
        if joined is not None and not cached:
            self.uncached.add(joined)

    def _add_path(self, target: set[str], base: str, path: str) -> str | None:
        """Join *path* to *base* and file it; templates go to ``out_patterns`` instead."""
        joined = _join(base, path)
        if joined is None:
            return None
        if _PLACEHOLDER.search(joined):
            if target is self.outs:
                self.patterns.add(joined)
            return None
        target.add(joined)
        return joined

    def _load(self, rel: str, *, keep_lines: bool = False) -> Any:
        """Parse a YAML file safely; None (and a warning) when it cannot be read.

        With *keep_lines*, returns ``(data, {top-level stage name: line})`` so
        stages can be reported at their definition.
        """
        path = self.root / rel
        try:
            text = read_regular_file(path, MAX_YAML_BYTES).decode("utf-8")
        except FileTooLarge:
            self.warnings.append(f"{rel}: larger than {MAX_YAML_BYTES} bytes, not read")
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.warnings.append(f"{rel}: cannot read: {_one_line(exc)}")
            return None
        try:
            node, data = _parse_yaml(text)
        except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
            self.warnings.append(f"{rel}: invalid YAML: {_one_line(exc)}")
            return None
        return (data, _stage_lines(node)) if keep_lines else data


def _parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """Safe-load *text* keeping its node tree, whose marks give line numbers."""
    loader = yaml.SafeLoader(text)  # may already reject the text (unprintable characters)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _stage_lines(node: yaml.Node | None) -> dict[str, int]:
    """1-based line of each key under the top-level ``stages`` mapping."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    for key, value in node.value:
        if key.value == "stages" and isinstance(value, yaml.MappingNode):
            return {str(stage.value): stage.start_mark.line + 1 for stage, _ in value.value}
    return {}


def _expand(stage: Mapping[str, Any], context: dict[str, Any]) -> Iterator[tuple[Mapping[str, Any], dict[str, Any]]]:
    """The concrete stage bodies of a stage, expanding ``foreach``/``do`` and ``matrix``.

    When the items cannot be resolved statically the body is returned once,
    unexpanded: its ``${item}`` paths then become patterns.
    """
    if "foreach" in stage and isinstance(stage.get("do"), Mapping):
        items = _resolve(stage["foreach"], context)
        body = stage["do"]
        if isinstance(items, Mapping):
            for key, item in items.items():
                yield body, {**context, "key": key, "item": item}
        elif isinstance(items, list):
            for item in items:
                yield body, {**context, "item": item}
        else:
            yield body, context
        return
    matrix = stage.get("matrix")
    if isinstance(matrix, Mapping):
        axes = {str(name): _resolve(values, context) for name, values in matrix.items()}
        if all(isinstance(values, list) for values in axes.values()):
            for combination in itertools.product(*axes.values()):
                yield stage, {**context, "item": dict(zip(axes, combination))}
            return
    yield stage, context


def _resolve(value: Any, context: Mapping[str, Any]) -> Any:
    """A ``"${name}"`` reference resolved in *context*; other values unchanged."""
    if isinstance(value, str):
        match = _PLACEHOLDER.fullmatch(value.strip())
        if match:
            return _lookup(context, match.group(1).strip())
    return value


def _interpolate(text: str, context: Mapping[str, Any]) -> str:
    """Replace the ``${a.b}`` placeholders that *context* can answer; keep the others."""

    def replace(match: re.Match[str]) -> str:
        value = _lookup(context, match.group(1).strip())
        if value is None or isinstance(value, (Mapping, list)):
            return match.group(0)
        return str(value)

    return _PLACEHOLDER.sub(replace, text)


def _lookup(context: Mapping[str, Any], expression: str) -> Any:
    value: Any = context
    for part in _INDEX.sub(r".\1", expression).split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _entries_with_cache(entries: Any) -> Iterator[tuple[str, bool]]:
    """(path, cached) from a stage ``outs``/``metrics``/``plots`` list.

    Entries are ``"path"`` or ``{"path": {"cache": false, ...}}``.
    """
    for entry in _as_list(entries):
        if isinstance(entry, str):
            yield entry, True
        elif isinstance(entry, Mapping):
            for path, options in entry.items():
                cached = not (isinstance(options, Mapping) and options.get("cache") is False)
                yield str(path), cached


def _entry_paths(entries: Any) -> Iterator[str]:
    for path, _cached in _entries_with_cache(entries):
        yield path


def _join(base: str, path: str) -> str | None:
    """*path* (relative to the folder *base*) as a path relative to the project root.

    URLs and paths leaving the project (external outputs) give None.
    """
    if _URL.match(path) or posixpath.isabs(path) or re.match(r"^[A-Za-z]:[\\/]", path):
        return None
    joined = posixpath.normpath(posixpath.join(base, path))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def _template_matches(template: str, key: str) -> bool:
    """Whether *key* is a path the output *template* names, or lies below one: each
    ``${...}`` stands for any text within one path segment.

    Matched segment by segment without regular expressions: a template of many
    placeholders compiled to ``[^/]*`` runs backtracks exponentially on a miss."""
    parts = _PLACEHOLDER.sub(_WILDCARD, template).split("/")
    names = key.split("/")
    return len(names) >= len(parts) and all(_glob_matches(part.split(_WILDCARD), name) for part, name in zip(parts, names))


def _glob_matches(pieces: list[str], text: str) -> bool:
    """Whether *text* is ``pieces[0]``, any text, ``pieces[1]``, ..., ``pieces[-1]``:
    each middle piece at its leftmost place, which is what any match can use."""
    first, last = pieces[0], pieces[-1]
    if len(pieces) == 1:
        return text == first
    if len(first) + len(last) > len(text) or not text.startswith(first) or not text.endswith(last):
        return False
    position, end = len(first), len(text) - len(last)
    for piece in pieces[1:-1]:
        found = text.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _path_of(entry: Any) -> str | None:
    """The ``path`` of a ``{path: ..., md5: ...}`` entry (``*.dvc``, ``dvc.lock``, artifacts)."""
    return _text(entry.get("path")) if isinstance(entry, Mapping) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _folder(rel: str) -> str:
    parent = PurePosixPath(rel).parent.as_posix()
    return parent or "."


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
