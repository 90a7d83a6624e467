"""Orchestration: read each file once, index the project, run the rules, and
turn raw reports into user-facing findings (suppressions, severities, paths).

Every step is contained per file and per rule: bad input becomes ML001/ML002,
a crashing rule becomes ML000, and nothing stops the other files.
"""

from __future__ import annotations

import ast
import os
import sys
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import libcst as cst

from mllint.engine.config import (
    CliOverrides,
    ConfigError,
    RawConfig,
    Settings,
    build_settings,
    expand_selector,
    find_config,
    load_config,
)
from mllint.engine.context import ModuleContext, NotebookContext, ProjectContext, RawFinding
from mllint.engine.discovery import Project, build_project, group_by_root
from mllint.engine.findings import Finding, Severity
from mllint.engine.rules import ModuleRule, NotebookRule, ProjectRule, Rule, SourceRule, all_rules, iter_rules
from mllint.project.index import ModuleInfo, ProjectIndex, index_module
from mllint.syntax.notebooks import Notebook, NotebookError, read_notebook
from mllint.engine.sources import SourceError, decode_python, decode_text, read_bytes
from mllint.engine.suppressions import Suppressions, parse_suppressions
from mllint.engine.traversal import describe_crash, run_module_rules

#: Syntax trees deeper than this are not given to libcst: its parser slows
#: down super-linearly (a 2,000-term sum takes seconds) and visitors recurse.
MAX_NESTING = 250
RECURSION_LIMIT = 10_000


@dataclass
class SourceFile:
    """One lintable file, read once."""

    path: str  # POSIX relative to the project root
    source: str | None = None  # Python text (a notebook's concatenated cells)
    notebook: Notebook | None = None
    info: ModuleInfo | None = None
    errors: list[RawFinding] = field(default_factory=list)  # ML001/ML002 found while reading


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    files_linted: int = 0
    warnings: list[str] = field(default_factory=list)
    #: the lowest ``fail-on`` among the linted projects' settings
    fail_on: Severity = Severity.ERROR


def load_file(root: Path, path: str, index: ProjectIndex) -> SourceFile:
    """Read, decode and index one module; the index keeps its text and tree."""
    loaded = SourceFile(path)
    try:
        data = read_bytes(root / path)
        if path.endswith(".ipynb"):
            _load_notebook(loaded, decode_text(data))
        else:
            loaded.source = decode_python(data)
    except SourceError as exc:
        code = "ML002" if path.endswith(".ipynb") else "ML001"
        loaded.errors.append(RawFinding(code, f"cannot read file: {exc}", 1, 1, 1, 1))
    if loaded.source is not None:
        loaded.info, tree = _index(loaded)
        index.add(loaded.info, loaded.source, tree)
    return loaded


def _load_notebook(loaded: SourceFile, text: str) -> None:
    try:
        notebook = read_notebook(text)
    except NotebookError as exc:
        loaded.errors.append(RawFinding("ML002", f"invalid notebook: {exc}", 1, 1, 1, 1))
        return
    loaded.notebook = notebook
    loaded.source = notebook.python_source
    for error in notebook.syntax_errors:
        loaded.errors.append(
            RawFinding("ML001", f"syntax error: {error.message}", error.line, error.column, error.line, error.column, cell=error.cell)
        )


def _index(loaded: SourceFile) -> tuple[ModuleInfo, ast.Module | None]:
    assert loaded.source is not None
    is_notebook = loaded.notebook is not None
    try:
        tree = ast.parse(loaded.source)
    except SyntaxError as exc:
        info = ModuleInfo(loaded.path, loaded.path, is_notebook=is_notebook, parse_failed=True)
        if not _libcst_accepts(loaded.source):
            line, column = exc.lineno or 1, exc.offset or 1
            loaded.errors.append(RawFinding("ML001", f"syntax error: {exc.msg}", line, column, line, column))
        return info, None
    except (RecursionError, MemoryError, ValueError) as exc:
        reason = "nesting too deep to parse" if not isinstance(exc, ValueError) else str(exc)
        loaded.errors.append(RawFinding("ML001", f"cannot parse file: {reason}", 1, 1, 1, 1))
        return ModuleInfo(loaded.path, loaded.path, is_notebook=is_notebook, parse_failed=True), None
    info = index_module(loaded.path, loaded.source, is_notebook=is_notebook, tree=tree)
    if info.max_depth > MAX_NESTING:
        loaded.errors.append(
            RawFinding(
                "ML001",
                f"not analysed: syntax nesting depth {info.max_depth} exceeds mllint's limit of {MAX_NESTING}",
                1, 1, 1, 1,
            )
        )
    return info, tree


def _libcst_accepts(source: str) -> bool:
    """Grammar newer than this interpreter (libcst parses it) is not a syntax error.

    libcst's native parser overflows the C stack on thousands of nested
    brackets, so deeply bracketed text is never handed to it.
    """
    if _bracket_depth(source) > MAX_NESTING:
        return False
    try:
        cst.parse_module(source)
    except Exception:
        return False
    return True


@contextmanager
def deep_recursion() -> Iterator[None]:
    """Room for libcst's recursive visitors on trees up to MAX_NESTING deep.

    Raised only around libcst work: ``ast.parse`` keeps the default limit, so
    pathological input fails there cleanly instead of exhausting the C stack.
    """
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


class Linter:
    """Lints the projects that the requested paths belong to."""

    def __init__(self, cli: CliOverrides, config_file: Path | None = None, cwd: Path | None = None) -> None:
        self.cli = cli
        self.config_file = config_file
        self.cwd = (cwd or Path.cwd()).resolve()
        self._explicit: Settings | None = None
        if config_file is not None:
            self._explicit = build_settings(load_config(config_file, self.display(config_file.resolve())), cli)

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.cwd).as_posix() or "."
        except ValueError:
            return Path(os.path.relpath(path, self.cwd)).as_posix()

    def settings_for(self, root: Path) -> Settings:
        if self._explicit is not None:
            return self._explicit
        found = find_config(root)
        raw = load_config(found, self.display(found)) if found is not None else RawConfig()
        return build_settings(raw, self.cli)

    def lint(self, paths: Sequence[Path]) -> LintResult:
        """Lint *paths*; raises ConfigError before reading any file if a config is bad."""
        groups = group_by_root(paths)
        settings = {root: self.settings_for(root) for root in groups}
        result = LintResult()
        with warnings.catch_warnings():
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
        root = project.root
        targets = set(project.targets)
        modules = [f for f in project.files if f.endswith((".py", ".ipynb")) and f not in targets]
        index = ProjectIndex()
        loaded = {path: load_file(root, path, index) for path in project.targets}
        for path in modules:  # files not linted still feed the index: cross-module facts need them
            load_file(root, path, index)
        ctx = ProjectContext(root, project.files, index, settings)
        enabled = settings.selected

        raw_by_path: dict[str, list[RawFinding]] = {}
        for path, source_file in loaded.items():
            raw_by_path[path] = self._lint_file(source_file, ctx, enabled)
        result.files_linted += len(loaded)

        if settings.project_rules:
            for rule in iter_rules(ProjectRule, enabled):
                if rule.ml_only and not ctx.is_ml_project:
                    continue
                before = len(ctx.findings)
                try:
                    rule().check(ctx)
                except Exception as exc:
                    del ctx.findings[before:]
                    ctx.report("ML000", ".", f"rule {rule.code} ({rule.name}) crashed: {describe_crash(exc)}")
            for raw in ctx.findings:
                raw_by_path.setdefault(raw.path or ".", []).append(raw)
            result.warnings.extend(f"{self.display(root)}: {note}" for note in ctx.notes)

        for path, raws in raw_by_path.items():
            result.findings.extend(self._finish(root, path, raws, loaded.get(path), settings))

    def _lint_file(self, source_file: SourceFile, project: ProjectContext, enabled: frozenset[str]) -> list[RawFinding]:
        findings = list(source_file.errors)
        if source_file.notebook is not None:
            findings.extend(self._notebook_rules(source_file, project, enabled))
        info = source_file.info
        if source_file.source is None or info is None or info.parse_failed or info.max_depth > MAX_NESTING:
            return findings
        source_rules = [r for r in iter_rules(SourceRule, enabled) if r.applies_to(source_file.source)]
        tree_rules = [r for r in iter_rules(ModuleRule, enabled) if r.applies_to(source_file.source)]
        if not source_rules and not tree_rules:
            return findings
        module = None
        if tree_rules:
            try:
                with deep_recursion():
                    module = cst.parse_module(source_file.source)
            except Exception as exc:  # libcst rejects something ast accepted
                line = getattr(exc, "raw_line", 1) or 1
                column = (getattr(exc, "raw_column", 0) or 0) + 1
                findings.append(RawFinding("ML001", f"syntax error: {str(exc).splitlines()[0]}", line, column, line, column))
                tree_rules = []
        ctx = ModuleContext(source_file.path, source_file.source, module, info, project, source_file.notebook)

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

    def _notebook_rules(self, source_file: SourceFile, project: ProjectContext, enabled: frozenset[str]) -> list[RawFinding]:
        assert source_file.notebook is not None
        ctx = NotebookContext(source_file.path, source_file.notebook, project)
        for rule in iter_rules(NotebookRule, enabled):
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
        suppressions = _suppressions_of(source_file)
        notebook = source_file.notebook if source_file is not None else None
        display = self.display(root / path) if path != "." else self.display(root)
        out: list[Finding] = []
        for raw in raws:
            if raw.code not in settings.selected or raw.code in ignored:
                continue
            cell_lines = _cell_lines(notebook, raw) if notebook is not None else None
            if suppressions.suppresses(raw.code, _virtual_line(notebook, raw), cell_lines):
                continue
            out.append(_to_finding(raw, display, source_file, settings))
        if "ML003" in settings.selected and "ML003" not in ignored:
            for unused in suppressions.unused():
                if unused.codes is not None and not unused.codes & settings.selected:
                    continue  # suppresses a rule not enabled in this run: not stale
                raw = RawFinding("ML003", f"unused suppression `{unused.text}`", unused.line, unused.column, unused.line, unused.column)
                out.append(_to_finding(raw, display, source_file, settings))
        return out


def _suppressions_of(source_file: SourceFile | None) -> Suppressions:
    if source_file is None or source_file.source is None:
        return Suppressions()
    suppressions = parse_suppressions(source_file.source)
    suppressions.resolve(expand_selector)
    return suppressions


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


def _line_text(text: str | None, line: int) -> str | None:
    if text is None or line < 1:
        return None
    lines = text.splitlines()
    return lines[line - 1] if line <= len(lines) else None


def _to_finding(raw: RawFinding, display: str, source_file: SourceFile | None, settings: Settings) -> Finding:
    line, end_line, cell, physical = raw.line, raw.end_line, raw.cell, None
    fix = raw.fix
    notebook = source_file.notebook if source_file is not None else None
    text = source_file.source if source_file is not None else None
    if notebook is not None and cell is None and line > 0:
        cell, line = notebook.locate(raw.line)
        end_cell, end_line = notebook.locate(raw.end_line or raw.line)
        if end_cell != cell:
            end_line = line
        fix = None  # notebook write-back of fixes lands with --fix
    if notebook is not None and cell is not None:
        physical = notebook.physical_line(cell, max(line, 1))
        text = notebook.cell_source(cell)
    return Finding(
        code=raw.code,
        message=raw.message,
        path=display,
        line=line,
        column=raw.column,
        end_line=end_line,
        end_column=raw.end_column,
        cell=cell,
        fix=fix,
        severity=settings.severity.get(raw.code) or raw.severity or settings.severity_of(raw.code),
        physical_line=physical,
        source_line=None if all_rules()[raw.code].redact_source else _line_text(text, line),
    )


__all__ = ["ConfigError", "Linter", "LintResult", "load_file"]
