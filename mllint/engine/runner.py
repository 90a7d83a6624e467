"""Orchestration of a run: discover the files, read each once (``loading``),
index the project, run the rules, and turn raw reports into user-facing
findings (suppressions, severities, notebook cells, display paths).

With the result cache (``cache.py``) on, what it holds is reused: a run whose
results are all cached reads the linted files for reporting and parses none.

Every step is contained per file and per rule: bad input becomes ML001/ML002,
a crashing rule becomes ML000, and nothing stops the other files. The rules
come from the registry the caller passes: the runner knows rule kinds, not rules.
"""

from __future__ import annotations

import ast
import gc
import os
import warnings
from collections import Counter, deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from mllint.engine.cache import (
    CACHE_DIR,
    CacheFolder,
    Outcome,
    ProjectCache,
    ProjectState,
    cacheable,
    closure_digests,
    digest,
    run_key,
    software_key,
)
from mllint.engine.config import (
    CliOverrides,
    ConfigError,
    RawConfig,
    Settings,
    build_settings,
    find_config,
    load_config,
)
from mllint.engine.context import (
    Analysis,
    ModuleContext,
    NotebookContext,
    ProjectContext,
)
from mllint.engine.discovery import (
    LINTABLE_SUFFIXES,
    Project,
    build_project,
    group_by_root,
)
from mllint.engine.findings import Finding, RawFinding, Reach, Severity
from mllint.engine.fingerprints import fingerprint
from mllint.engine.fixes import cell_fix
from mllint.engine.loading import MAX_NESTING, SourceFile, deep_recursion, read_file
from mllint.engine.messages import describe_crash
from mllint.engine.registry import Registry
from mllint.engine.rules import (
    ModuleRule,
    NotebookRule,
    ProjectRule,
    Rule,
    SourceRule,
)
from mllint.engine.sources import SourceError, decode_python, decode_text, read_bytes
from mllint.engine.suppressions import Suppressions, parse_suppressions
from mllint.engine.workers import FileResult, lint_files, map_files, processes_for
from mllint.project import index as project_index
from mllint.project.index import ModuleInfo, ProjectIndex
from mllint.syntax.notebooks import Notebook, NotebookError, read_notebook
from mllint.syntax.pruning import blank_unread_functions


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    files_linted: int = 0
    warnings: list[str] = field(default_factory=list)
    #: the lowest ``fail-on`` among the linted projects' settings
    fail_on: Severity = Severity.ERROR
    #: the rules of the run, for reporters (names, categories, documents)
    rules: Registry = field(default_factory=lambda: Registry(()))
    #: the selected rules of the run (the union over its projects)
    selected: frozenset[str] = frozenset()
    #: how many files (file rules) or projects (project rules) each rule checked
    applied: Counter[str] = field(default_factory=Counter)
    #: (code, reason) for rules that said why they do not apply
    notes: list[tuple[str, str]] = field(default_factory=list)


class Linter:
    """Lints the projects that the requested paths belong to.

    With *cache* (the CLI's default; ``--no-cache`` turns it off) results are
    kept in and reused from each project's cache folder (``engine/cache.py``).
    """

    def __init__(
        self,
        rules: Registry,
        cli: CliOverrides,
        config_file: Path | None = None,
        cwd: Path | None = None,
        jobs: int = 1,
        cache: bool = False,
    ) -> None:
        self.rules = rules
        self.cli = cli
        self.jobs = jobs
        self.cache = cache
        self.config_file = config_file
        self.cwd = (cwd or Path.cwd()).resolve()
        self._explicit: Settings | None = None
        if config_file is not None:
            self._explicit = build_settings(load_config(config_file, rules, self.display(config_file.resolve())), rules, cli)

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.cwd).as_posix() or "."
        except ValueError:
            return Path(os.path.relpath(path, self.cwd)).as_posix()

    def settings_for(self, root: Path) -> Settings:
        if self._explicit is not None:
            return self._explicit
        found = find_config(root)
        raw = load_config(found, self.rules, self.display(found)) if found is not None else RawConfig()
        return build_settings(raw, self.rules, self.cli)

    def lint(self, paths: Sequence[Path]) -> LintResult:
        """Lint *paths*; raises ConfigError before reading any file if a config is bad."""
        groups = group_by_root(paths)
        settings = {root: self.settings_for(root) for root in groups}
        result = LintResult(rules=self.rules)
        with warnings.catch_warnings(), _fewer_collections():
            # Compiling the linted code warns about *its* problems (invalid escape
            # sequences, ...) on stderr; they are not mllint's to print.
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            for root, requested in groups.items():
                project = build_project(root, requested, settings[root].is_excluded)
                result.warnings.extend(project.warnings)
                result.fail_on = min(result.fail_on, settings[root].fail_on, key=lambda s: s.rank)
                self._lint_project(project, settings[root], result)
        result.findings.sort(key=Finding.sort_key)
        return result

    def _lint_project(self, project: Project, settings: Settings, result: LintResult) -> None:
        """Lint one project. Results the cache holds are reused; only when some
        are missing is every module indexed and the missing ones run."""
        root = project.root
        modules = list(dict.fromkeys([*project.targets, *(f for f in project.files if f.endswith(LINTABLE_SUFFIXES))]))
        index = ProjectIndex(reader=lambda path: _read_text(root, path).source)
        ctx = ProjectContext(root, project.files, index, settings.rule_options, settings.analysis_options)
        enabled = settings.selected
        result.selected |= enabled
        files = _FileResults(self._open_cache(project, settings, modules), ctx, enabled, self.rules)
        ctx.facts_store = files.cache
        project_rules = settings.project_rules and any(self.rules.of_kind(ProjectRule, enabled))
        project_key = files.cache.project_key(ctx.git) if files.cache and project_rules else None
        run_key = files.cache.run_entry_key(project.targets, project_key) if files.cache else None
        held = files.look_up_run(run_key, project.targets, project_rules) if run_key else None
        if held is not None:
            project_outcome = held
        else:
            for path in project.targets:
                files.look_up(path)
            project_outcome = files.cache.folder.load(project_key) if files.cache and project_key else None

        if files.todo or files.pending or (project_rules and project_outcome is None):
            summarising = {kind for code in enabled for kind in self.rules[code].analyses}
            analyses = sorted(summarising, key=lambda kind: kind.name)
            loaded, found = _index_project(root, modules, files, index, analyses, self.jobs)
            files.settle()
        else:  # every result is cached: files are read for reporting, never parsed
            loaded, found = {}, {}
        targets = frozenset(project.targets)

        def source_of(path: str) -> SourceFile | None:
            """A linted file as it was read and indexed. Only notebooks are kept from
            indexing on (opening one again costs more than it holds); a module's text
            comes from the index, which keeps the most recent and reads others again,
            so that a large project's texts are not all held at once."""
            if path in loaded or path not in targets:
                return loaded.get(path)
            module = index.module(path)
            if module is None or module.is_notebook:
                source_file = _read_text(root, path)
            else:
                source_file = SourceFile(path, index.source(path))
            source_file.info = module
            source_file.errors = found.pop(path, [])
            if source_file.notebook is not None:
                loaded[path] = source_file
            return source_file

        def lint_one(path: str) -> FileResult:
            applied: Counter[str] = Counter()
            source_file = source_of(path)
            assert source_file is not None, "every linted file is a target"
            raws = self._lint_file(source_file, ctx, files.todo[path], applied)
            ctx.index.forget_tree(path)
            return raws, list(applied.elements())

        def run_project_rules() -> None:
            nonlocal project_outcome
            if project_rules and project_outcome is None:
                project_outcome = self._project_rules(ctx, enabled)
                if files.cache and project_key and cacheable(project_outcome.findings):
                    files.cache.folder.save(project_key, project_outcome)

        if processes_for(len(files.todo), self.jobs) > 1:
            _prepare(ctx, {kind for code in enabled for kind in self.rules[code].analyses})
        for path, (raws, ran) in lint_files(list(files.todo), lint_one, self.jobs, run_project_rules, ctx.close).items():
            files.record(path, raws, ran)
        if run_key and held is None:
            files.save_run(run_key, project_outcome)
        raw_by_path: dict[str, list[RawFinding]] = {}
        for path, outcome in files.outcomes.items():
            raw_by_path[path] = list(outcome.findings)
            result.applied.update(outcome.ran)
        result.files_linted += len(project.targets)

        if project_rules and project_outcome is not None:
            for raw in project_outcome.findings:
                raw_by_path.setdefault(raw.path or ".", []).append(raw)
            result.applied.update(project_outcome.ran)
            result.warnings.extend(f"{self.display(root)}: {code}: {note}" for code, note in project_outcome.notes)
            result.notes.extend(project_outcome.notes)

        for path, raws in raw_by_path.items():
            if raws or "ML003" in enabled:  # else nothing to report: the file's suppressions need no parsing
                result.findings.extend(self._finish(root, path, raws, source_of(path), settings))
        ctx.close()

    def _open_cache(self, project: Project, settings: Settings, modules: list[str]) -> ProjectCache | None:
        """The project's cache for this run; None with caching off or no writable cache folder."""
        if not self.cache:
            return None
        folder = CacheFolder.open(settings.cache_dir or project.root / CACHE_DIR)
        if folder is None:
            return None
        software = software_key()
        return ProjectCache(folder, software, run_key(self.rules, settings, software), project.root, project.files, modules)

    def _project_rules(self, ctx: ProjectContext, enabled: frozenset[str]) -> Outcome:
        """Run the enabled project rules once; a crashing rule becomes ML000."""
        ran: list[str] = []
        notes_before = len(ctx.notes)
        for rule in self.rules.of_kind(ProjectRule, enabled):
            if rule.ml_only and not ctx.is_ml_project:
                ctx.note(rule.code, "not applicable: the project uses no ML library")
                continue
            ran.append(rule.code)
            before = len(ctx.findings)
            try:
                rule().check(ctx)
            except Exception as exc:
                del ctx.findings[before:]
                ctx.report("ML000", ".", f"rule {rule.code} ({rule.name}) crashed: {describe_crash(exc)}")
        return Outcome(tuple(ctx.findings), tuple(ran), tuple(ctx.notes[notes_before:]))

    def _lint_file(
        self, source_file: SourceFile, project: ProjectContext, enabled: frozenset[str], applied: Counter[str]
    ) -> list[RawFinding]:
        """Run the file rules on one file; *applied* counts the rules that ran."""
        findings = list(source_file.errors)
        role = project.role(source_file.path)
        enabled = frozenset(code for code in enabled if role in self.rules[code].roles)
        if source_file.notebook is not None:
            notebook_rules = list(self.rules.of_kind(NotebookRule, enabled))
            applied.update(rule.code for rule in notebook_rules)
            findings.extend(self._notebook_rules(source_file, project, notebook_rules))
        info = source_file.info
        if source_file.source is None or info is None or info.parse_failed or info.max_depth > MAX_NESTING:
            return findings
        source = source_file.source
        gates: dict[tuple[object, tuple[str, ...]], bool] = {}

        def applies(rule: type[SourceRule] | type[ModuleRule]) -> bool:
            """The rule's text gate, evaluated once for the rules sharing it."""
            key = rule.gate_key()
            if key not in gates:
                gates[key] = rule.applies_to(source)
            return gates[key]

        source_rules = [r for r in self.rules.of_kind(SourceRule, enabled) if applies(r)]
        tree_rules = [r for r in self.rules.of_kind(ModuleRule, enabled) if applies(r)]
        applied.update(rule.code for rule in [*source_rules, *tree_rules])
        if not source_rules and not tree_rules:
            return findings
        ctx = ModuleContext(source_file.path, source_file.source, None, info, project, source_file.notebook)
        tree_rules = [rule for rule in tree_rules if _can_fire(rule, ctx)]
        if tree_rules:
            import libcst  # only once a file needs a tree: see mllint/syntax/deferred.py

            from mllint.engine.traversal import run_module_rules

            try:
                with deep_recursion():
                    module = libcst.parse_module(_text_to_parse(tree_rules, ctx))
            except Exception as exc:  # libcst rejects something ast accepted
                line = getattr(exc, "raw_line", 1) or 1
                column = (getattr(exc, "raw_column", 0) or 0) + 1
                findings.append(RawFinding("ML001", f"syntax error: {str(exc).splitlines()[0]}", line, column, line, column))
                tree_rules = []
            else:
                ctx.module = module

        def crashed(rule: type[Rule], exc: BaseException) -> None:
            findings.append(RawFinding("ML000", f"rule {rule.code} ({rule.name}) crashed: {describe_crash(exc)}", 1, 1, 1, 1))

        for source_rule in source_rules:
            before = len(ctx.findings)
            try:
                source_rule(ctx).check()
            except Exception as exc:  # one rule's bug must not cost the others' findings
                del ctx.findings[before:]
                crashed(source_rule, exc)
        try:
            with deep_recursion():
                if tree_rules:
                    run_module_rules(ctx, tree_rules, crashed)
                findings.extend(ctx.resolve())
        except RecursionError:
            findings.append(RawFinding("ML001", "not analysed: syntax nesting too deep", 1, 1, 1, 1))
        return findings

    def _notebook_rules(
        self, source_file: SourceFile, project: ProjectContext, rules: list[type[NotebookRule]]
    ) -> list[RawFinding]:
        assert source_file.notebook is not None
        ctx = NotebookContext(source_file.path, source_file.notebook, project)
        for rule in rules:
            before = len(ctx.findings)
            try:
                rule().check(ctx)
            except Exception as exc:
                del ctx.findings[before:]
                ctx.report("ML000", 1, f"rule {rule.code} ({rule.name}) crashed: {describe_crash(exc)}")
        return ctx.findings

    def _finish(self, root: Path, path: str, raws: Iterable[RawFinding], source_file: SourceFile | None, settings: Settings) -> list[Finding]:
        """Apply selection, per-file ignores and suppressions; map notebook lines to cells."""
        ignored = settings.ignored_for(path)
        suppressions = _suppressions_of(source_file, self.rules)
        notebook = source_file.notebook if source_file is not None else None
        display = self.display(root / path) if path != "." else self.display(root)
        out: list[Finding] = []
        for raw in raws:
            if raw.code not in settings.selected or raw.code in ignored:
                continue
            cell_lines = _cell_lines(notebook, raw) if notebook is not None else None
            if suppressions.suppresses(raw.code, _virtual_line(notebook, raw), cell_lines):
                continue
            out.append(self._to_finding(raw, path, display, source_file, settings))
        if "ML003" in settings.selected and "ML003" not in ignored:
            for unused in suppressions.unused():
                if unused.codes is not None and not unused.codes & settings.selected:
                    continue  # suppresses a rule not enabled in this run: not stale
                raw = RawFinding("ML003", f"unused suppression `{unused.text}`", unused.line, unused.column, unused.line, unused.column)
                out.append(self._to_finding(raw, path, display, source_file, settings))
        return out


    def _to_finding(
        self, raw: RawFinding, path: str, display: str, source_file: SourceFile | None, settings: Settings
    ) -> Finding:
        line, end_line, cell, physical = raw.line, raw.end_line, raw.cell, None
        column, end_column = raw.column, raw.end_column
        fix = raw.fix
        notebook = source_file.notebook if source_file is not None else None
        text = source_file.source if source_file is not None else None
        if notebook is not None and cell is None and line > 0:
            cell, line = notebook.locate(raw.line)
            end_cell, end_line = notebook.locate(raw.end_line or raw.line)
            if end_cell != cell:
                end_line = line
            column = notebook.column_in_cell(cell, line, column)
            end_column = notebook.column_in_cell(cell, end_line, end_column)
            fix = cell_fix(notebook, fix, cell) if fix is not None else None  # edits in the cell's own lines
        if notebook is not None and cell is not None:
            physical = notebook.physical_line(cell, max(line, 1))
            text = notebook.cell_source(cell)
        lines = text.splitlines() if text is not None else None
        return Finding(
            code=raw.code,
            message=raw.message,
            path=display,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            cell=cell,
            fix=fix,
            severity=settings.severity.get(raw.code) or raw.severity or self.rules[raw.code].severity,
            physical_line=physical,
            source_line=None if self.rules[raw.code].redact_source else _line_text(lines, line),
            fingerprint=fingerprint(raw.code, path, lines, line, raw.message),
        )


class _FileResults:
    """The linted files' results in one project run: which come from the cache,
    which rules still have to run on which file, and storing what they found.

    A file's results are cached in one entry per reach of its rules
    (``engine/cache.py``); an entry that is missing or stale re-runs only the
    rules of its reach. The ``Reach.FILE`` entry lists every rule that ran on
    the file: an entry of a reach none of them has is never looked up.

    The entries from ``Reach.IMPORTS`` to ``Reach.ANSWERS`` are keyed by what
    the whole project decides (``ProjectState``: the file's import closure,
    whether another module imports it, the analyses' answers). The cache holds
    the state of an unchanged tree; after a change, a file with such entries is
    *pending* until the project is indexed and the state known.
    """

    def __init__(self, cache: ProjectCache | None, ctx: ProjectContext, enabled: frozenset[str], rules: Registry) -> None:
        self.cache = cache
        self.ctx = ctx
        self.enabled = enabled
        reaches = sorted({rules[code].reach() for code in enabled} - {Reach.FILE})
        #: the enabled codes of each reach beyond the file's own
        self.reaching = {reach: frozenset(code for code in enabled if rules[code].reach() == reach) for reach in reaches}
        #: the codes whose entries are keyed by the project state
        self._stateful = frozenset().union(*(codes for reach, codes in self.reaching.items() if reach.keyed_by_state))
        #: the analyses whose answers key the entries of the rules reading them
        self._answering = sorted(
            {kind for reach, codes in self.reaching.items() if reach.keyed_by_state and Reach.ANSWERS in reach
             for code in codes for kind in rules[code].analyses if kind.answering()},
            key=lambda kind: kind.name,
        )
        #: the project state, when known
        self._state = cache.folder.load_state(cache.state_key()) if cache and self._stateful else None
        #: the files looked up again once the project is indexed (``settle``),
        #: with their own entry (``Reach.FILE``), which is not read twice
        self.pending: dict[str, Outcome] = {}
        #: complete results, by path
        self.outcomes: dict[str, Outcome] = {}
        #: path -> the rules still to run on it
        self.todo: dict[str, frozenset[str]] = {}
        #: the cached entries of the files some of whose rules must run again
        self._partial: dict[str, dict[Reach, Outcome]] = {}

    def look_up(self, path: str, own: Outcome | None = None) -> None:
        """Take *path*'s results from the cache, or note which rules must run on it.
        *own* is its ``Reach.FILE`` entry when already read."""
        if own is None and self.cache:
            own = self._load(path, Reach.FILE)
        if own is None:
            self.todo[path] = self.enabled
            return
        if self._state is None and self._stateful.intersection(own.ran):
            self.pending[path] = own
            return
        entries, stale = {Reach.FILE: own}, frozenset[str]()
        for reach, codes in self.reaching.items():
            if not codes.intersection(own.ran):
                continue
            entry = self._load(path, reach)
            if entry is None:
                stale |= codes
            else:
                entries[reach] = entry
        if stale:
            self._partial[path], self.todo[path] = entries, stale
        else:
            self.outcomes[path] = _combined(entries.values(), own.ran)

    def look_up_run(self, key: str, targets: Sequence[str], project_rules: bool) -> Outcome | None:
        """Every file's results from the whole run's entry, when it holds them all:
        then its project rules' outcome (an empty one when they are off); else None."""
        assert self.cache is not None
        held = self.cache.folder.load_run(key)
        if held is None or held[0].keys() != set(targets) or (held[1] is not None) != project_rules:
            return None
        self.outcomes = held[0]
        return held[1] or Outcome()

    def save_run(self, key: str, project: Outcome | None) -> None:
        """Keep this run's results as one entry, unless an engine failure is among them."""
        outcomes = [*self.outcomes.values(), *([project] if project is not None else [])]
        if self.cache is not None and all(cacheable(outcome.findings) for outcome in outcomes):
            self.cache.folder.save_run(key, self.outcomes, project)

    def settle(self) -> None:
        """Once the project is indexed: learn (and cache) the project state, and
        look up the pending files. The answering analyses are built here, once,
        for the rules to share."""
        if self._state is None and self.cache is not None and self._stateful:
            answers, answered = self._answers()
            graph = self._import_graph(self.cache)
            imported = frozenset(target for path, targets in graph.items() for target in targets if target != path)
            self._state = ProjectState(closure_digests(graph, self.cache.contents), imported, answers)
            if answered:
                self.cache.folder.save_state(self.cache.state_key(), self._state)
        pending, self.pending = self.pending, {}
        for path, own in pending.items():
            self.look_up(path, own)

    def _import_graph(self, cache: ProjectCache) -> dict[str, frozenset[str]]:
        """Which modules each module imports: resolving every import of the project
        takes a tenth of a second on a 1,300-file library, so the graph is cached
        by every module's imports (an edit that changes none reuses it)."""
        index = self.ctx.index
        key = cache.graph_key(index.modules.values())
        graph = cache.folder.load_graph(key)
        if graph is None or graph.keys() != index.modules.keys():
            graph = index.import_graph()
            cache.folder.save_graph(key, graph)
        return graph

    def _answers(self) -> tuple[str, bool]:
        """The digest of the answering analyses' answers, and whether they were all
        built. An analysis that crashes keys this run's entries by its failure,
        which no later run repeats; its rules report the crash (ML000), uncached."""
        try:
            return digest([[kind.name, self.ctx.analysis(kind).answer()] for kind in self._answering]), True
        except Exception as exc:  # noqa: BLE001 - the rules asking it report it, per file
            return f"unanswered: {describe_crash(exc)}", False

    def record(self, path: str, raws: list[RawFinding], ran: list[str]) -> None:
        """What the rules of ``todo[path]`` found; stored unless an engine failure is among it."""
        entries = self._partial.pop(path, None)
        failures: tuple[RawFinding, ...] = ()
        if entries is None:  # every rule ran: engine diagnostics go with the file's own findings
            entries = {Reach.FILE: Outcome(tuple(raw for raw in raws if not self._reaches(raw.code)), tuple(ran))}
            new = [Reach.FILE, *(reach for reach, codes in self.reaching.items() if codes.intersection(ran))]
        else:  # only the rules of stale entries ran: the rest, engine diagnostics included, is cached
            new = [reach for reach, codes in self.reaching.items() if codes.intersection(self.todo[path])]
            failures = tuple(raw for raw in raws if raw.code == "ML000")
        for reach in new:
            if reach != Reach.FILE:
                entries[reach] = Outcome(tuple(raw for raw in raws if raw.code in self.reaching[reach]))
        if self.cache is not None and cacheable(raws):
            for reach in new:
                self.cache.folder.save(self._key(path, reach), entries[reach])
        self.outcomes[path] = _combined([*entries.values(), Outcome(failures)], entries[Reach.FILE].ran)

    def runs_all(self, path: str) -> bool:
        """Whether every rule runs on *path* (no cached results of its own): then
        it is parsed as it is read, and its syntax errors reported."""
        return path in self.todo and path not in self._partial

    def _reaches(self, code: str) -> bool:
        return any(code in codes for codes in self.reaching.values())

    def _load(self, path: str, reach: Reach) -> Outcome | None:
        assert self.cache is not None
        return self.cache.folder.load(self._key(path, reach))

    def _key(self, path: str, reach: Reach) -> str:
        assert self.cache is not None
        return self.cache.file_key(path, self.ctx.role(path).value, reach, self._state)


def _combined(entries: Iterable[Outcome], ran: tuple[str, ...]) -> Outcome:
    return Outcome(tuple(raw for entry in entries for raw in entry.findings), ran)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cyclic collector, at its default thresholds, spent about a quarter
    of a run's time re-scanning the syntax trees and facts a run keeps alive
    (measured on a 560-file library: 16.5 s with, 12.7 s with this, same peak
    memory). The objects alive at the start (imported modules) are frozen out of
    the scans and every generation is collected far less often: a run makes
    little cyclic garbage (trees and facts are acyclic, and the project context
    lets go of its analyses at the end, ``ProjectContext.close``; 1,284-file
    library: 5 % less time than at thresholds (50,000, 20, 20), the same peak
    memory). Both are restored when the run ends."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(1_000_000, 1000, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _index_project(
    root: Path, modules: list[str], files: _FileResults, index: ProjectIndex, analyses: list[type[Analysis]], jobs: int
) -> tuple[dict[str, SourceFile], dict[str, list[RawFinding]]]:
    """Index every module (files not linted still feed the index: cross-module
    facts need them). A module the cache holds an index entry of, with the facts
    of this run's analyses, is indexed from it, its text read when a rule or the
    report needs it and its tree parsed only when a rule asks; any other module
    is read and parsed (and its entry cached, with the analyses' facts about its
    text), and so is a file whose own rules must run, for the syntax errors
    found in parsing it.

    Returns the linted notebooks it read, by path, and the reading errors
    (ML001/ML002) of the other linted files it read. In one process, the files
    to lint are loaded last, in the reverse of the order they are linted in, so
    that the trees the index keeps (the most recently parsed) are those of the
    first files linted. With *jobs* workers, they read and parse the modules
    and send back index entries; then no notebook is returned. Modules enter
    the index in the same order either way."""
    cache = files.cache
    order = [*(path for path in modules if path not in files.todo), *reversed(list(files.todo))]
    summarising = frozenset(kind.name for kind in analyses)
    held: dict[str, ModuleInfo] = {}
    #: path -> its cached entry, if any, of a module read again
    fresh: dict[str, ModuleInfo | None] = {}
    for path in order:
        cached = cache.folder.load_summary(cache.summary_key(path)) if cache is not None else None
        if cached is not None and not files.runs_all(path) and summarising <= cached.summarised_by:
            held[path] = cached
        else:
            fresh[path] = cached

    def read(path: str) -> tuple[SourceFile, ast.Module | None]:
        """The module read and indexed; its entry cached when new, or when the
        cached one lacks the facts of this run's analyses (it was cached by a run
        selecting other rules): the facts depend on the text alone, so the entry
        keeps those of both runs' analyses."""
        source_file, tree = read_file(root, path, partial(_summarise, analyses))
        info, cached = source_file.info, fresh[path]
        if cache is not None and info is not None:
            if cached is None:
                cache.folder.save_summary(cache.summary_key(path), info)
            elif info.summarised_by - cached.summarised_by:
                info.facts = {**cached.facts, **info.facts}
                info.summarised_by |= cached.summarised_by
                cache.folder.save_summary(cache.summary_key(path), info)
        return source_file, tree

    linted = {*files.todo, *files.outcomes, *files.pending}
    loaded: dict[str, SourceFile] = {}
    found: dict[str, list[RawFinding]] = {}
    if processes_for(len(fresh), jobs) <= 1:
        for path in order:
            if path in held:
                index.add(held[path])
                continue
            source_file, tree = read(path)
            if source_file.info is not None:
                index.add(source_file.info, source_file.source, tree)
            if path not in linted:
                continue
            if source_file.notebook is not None:
                loaded[path] = source_file
            else:
                found[path] = source_file.errors
        return loaded, found

    def entry(path: str) -> _Indexed:
        source_file, _ = read(path)
        return source_file.info.to_json() if source_file.info is not None else None, source_file.errors

    def failed(reason: str) -> _Indexed:
        return None, [RawFinding("ML000", f"indexing this file failed: {reason}", 1, 1, 1, 1)]

    own = _OwnEntries()

    def here(path: str) -> _Indexed:
        source_file, tree = read(path)
        if source_file.info is not None:
            own.keep(source_file.info, source_file.source, tree)
        return None, source_file.errors

    indexed = map_files(list(fresh), entry, jobs, failed, here=here)
    for path in order:
        if path in held:
            index.add(held[path])
            continue
        data, errors = indexed[path]
        if path in own.entries:
            index.add(*own.entries.pop(path))
        elif data is not None:  # else unreadable, as in one process, or its worker failed
            index.add(ModuleInfo.from_json(data))
        if path in linted:
            found[path] = errors
    return loaded, found


class _OwnEntries:
    """The index entries the parent process drew while its workers drew the others
    (``map_files``' *here*), held until every entry enters the index, in the same
    order as in one process. With them the trees of the files drawn last, up to
    half of what the index keeps (``MAX_TREE_TEXT`` characters of their text):
    the linting workers, forked from this process, find those trees and need not
    parse their files again (the trees they parse come on top of those they
    share: with the whole budget, a worker linting a 2,000-file library peaked
    at 530 MB, 440 MB with half; -8 % time either way)."""

    def __init__(self) -> None:
        #: path -> (entry, text, tree); text and tree None once let go
        self.entries: dict[str, tuple[ModuleInfo, str | None, ast.Module | None]] = {}
        self._with_trees: deque[str] = deque()
        self._text = 0

    def keep(self, info: ModuleInfo, source: str | None, tree: ast.Module | None) -> None:
        if tree is None or source is None:
            self.entries[info.path] = (info, None, None)
            return
        self.entries[info.path] = (info, source, tree)
        self._with_trees.append(info.path)
        self._text += len(source)
        while self._text > project_index.MAX_TREE_TEXT // 2 and len(self._with_trees) > 1:
            oldest, _, _ = self.entries[self._with_trees.popleft()]
            self._text -= len(self.entries[oldest.path][1] or "")
            self.entries[oldest.path] = (oldest, None, None)


#: A module's index entry as plain data (``ModuleInfo.to_json``; None: none) and
#: what reading it found (ML001/ML002), as a worker sends them.
_Indexed = tuple["dict[str, object] | None", list[RawFinding]]


def _prepare(ctx: ProjectContext, analyses: Iterable[type[Analysis]]) -> None:
    """Build the analyses, and what each says every process would repeat
    (``Analysis.prepare``), before the workers are forked: they share it. An
    analysis that fails here is left to the rules asking it, which report it."""
    for kind in sorted(analyses, key=lambda kind: kind.name):
        try:
            ctx.analysis(kind).prepare()
        except Exception:  # noqa: BLE001 - each rule asking it reports the crash as ML000
            continue


def _summarise(analyses: list[type[Analysis]], info: ModuleInfo, text: str, tree: ast.Module | None) -> None:
    """The analyses' facts about the module's text and tree, kept in its index entry."""
    info.summarised_by = frozenset(kind.name for kind in analyses)
    deep = info.max_depth > MAX_NESTING
    for kind in analyses:
        facts = kind.summarise(text)
        if facts is not None:
            info.facts[kind.name] = facts
        facts = kind.summarise_tree(info, tree) if tree is not None and not deep else None
        if facts is not None:
            kind.keep_tree_facts(info, facts)


def _read_text(root: Path, path: str) -> SourceFile:
    """A linted file's text (and notebook) without parsing it: what reporting
    still needs when every result comes from the cache (suppressions, cells,
    source lines, fingerprints). Reading errors are among the cached findings."""
    loaded = SourceFile(path)
    try:
        data = read_bytes(root / path)
        if path.endswith(".ipynb"):
            loaded.notebook = read_notebook(decode_text(data))
            loaded.source = loaded.notebook.python_source
        else:
            loaded.source = decode_python(data)
    except (SourceError, NotebookError):
        pass
    return loaded


def _suppressions_of(source_file: SourceFile | None, rules: Registry) -> Suppressions:
    if source_file is None or source_file.source is None:
        return Suppressions()
    suppressions = parse_suppressions(source_file.source)
    suppressions.resolve(rules.expand)
    return suppressions


def _can_fire(rule: type[ModuleRule], ctx: ModuleContext) -> bool:
    """The rule's ``ast`` pre-filter; one that fails lets the rule run (and report its own crash)."""
    try:
        return rule.can_fire(ctx)
    except Exception:  # noqa: BLE001 - the traversal reports the rule's failure as ML000
        return True


def _text_to_parse(rules: list[type[ModuleRule]], ctx: ModuleContext) -> str:
    """The module's text for libcst: without the functions none of *rules* reads,
    when each names the lines it reads (``ModuleRule.lines_read``)."""
    lines: set[int] = set()
    for rule in rules:
        try:
            read = rule.lines_read(ctx)
        except Exception:  # noqa: BLE001 - the traversal reports the rule's failure as ML000
            read = None
        if read is None:
            return ctx.source
        lines.update(read)
    tree = ctx.index.tree(ctx.path)
    return (blank_unread_functions(ctx.source, tree, lines) if tree is not None else None) or ctx.source


def _virtual_line(notebook: Notebook | None, raw: RawFinding) -> int:
    """The line in the file's Python text (a notebook's concatenated cells)."""
    if notebook is None or raw.cell is None:
        return raw.line
    for span in notebook.spans:
        if span.cell == raw.cell:
            return span.start_line + max(raw.line, 1) - 1
    return -1


def _cell_lines(notebook: Notebook, raw: RawFinding) -> range | None:
    cell = raw.cell if raw.cell is not None else notebook.locate(raw.line)[0] if raw.line else None
    for span in notebook.spans:
        if span.cell == cell:
            return range(span.start_line, span.start_line + span.line_count)
    return None


def _line_text(lines: list[str] | None, line: int) -> str | None:
    if lines is None or line < 1:
        return None
    return lines[line - 1] if line <= len(lines) else None


__all__ = ["ConfigError", "Linter", "LintResult"]
