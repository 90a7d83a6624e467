"""Requirements files in pip syntax: logical lines, ``-r``/``-c`` includes,
constraints and ``--hash`` pins.

pip's line rules (continuations, comments, options) and the include graph are
shared by ``requirements*.txt`` files, the files setuptools and conda point at,
and the ``pip:`` section of a conda environment, so they are read here.
"""

from __future__ import annotations

import posixpath
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from mllint.project.dependencies.accumulator import Collector
from mllint.project.dependencies.specs import (
    URL_SCHEME,
    Spec,
    cut_after_space,
    parse_spec,
)
from mllint.project.files import is_regular_file

_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?<=-[rc])(?=\S))(\S.*)$")
_EDITABLE = re.compile(r"^(?:-e|--editable)(?:\s*=\s*|\s+|(?<=-e)(?=\S))(\S.*)$")


def strip_comment(line: str) -> str:
    """pip's rule: ``#`` at the start of a line or after whitespace opens a comment."""
    return cut_after_space(line, "#", at_start=True)


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
        line = " ".join(strip_comment(joined).split())
        if line:
            yield start, line
    if pending:
        line = " ".join(strip_comment("".join(pending)).split())
        if line:
            yield start, line


@dataclass(frozen=True)
class _Entry:
    """A requirement read from a pip-syntax line, before it is given a file and source."""

    line: int
    text: str
    spec: Spec


@dataclass
class PipLines:
    """What pip-syntax lines contain: requirements and the files they pull in."""

    entries: list[_Entry] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    bad_includes: list[tuple[int, str]] = field(default_factory=list)


def resolve_include(including: str, target: str) -> str | None:
    """Project-relative path of an include, or None when it leaves the project or is remote."""
    target = target.strip().strip("\"'")
    if URL_SCHEME.match(target) or "$" in target or target.startswith(("/", "~")):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(including), target))
    return None if joined == ".." or joined.startswith("../") else joined


def read_pip_line(path: str, number: int, line: str, into: PipLines) -> None:
    """Interpret one logical pip line (include, editable, option or requirement)."""
    include = _INCLUDE.match(line)
    if include:
        resolved = resolve_include(path, include.group(2))
        if resolved is None:
            into.bad_includes.append((number, include.group(2)))
        elif include.group(1) in ("-c", "--constraint"):
            into.constraints.append(resolved)
        else:
            into.includes.append(resolved)
        return
    editable = _EDITABLE.match(line)
    if editable:
        spec = parse_spec(editable.group(1).split(" -", 1)[0])
        if spec is not None:
            into.entries.append(_Entry(number, line, spec))
        return
    if line.startswith("-"):
        return  # global option: --index-url, --pre, --find-links, ...
    tokens = line.split(" ")
    cut = next((i for i, token in enumerate(tokens) if token.startswith("-")), len(tokens))
    spec = parse_spec(" ".join(tokens[:cut]))
    if spec is None:
        return
    hashed = any(token.startswith("--hash") for token in tokens[cut:])
    into.entries.append(_Entry(number, line, Spec(spec.name, spec.pinned or hashed)))


def read_requirement_files(collector: Collector) -> None:
    """Parse every requirements file reached from the seeds, each once (cycles are harmless)."""
    parsed: dict[str, PipLines] = {}
    required: dict[str, None] = dict.fromkeys(collector.seeds)
    queue = deque([*required, *collector.constraint_seeds])
    while queue:
        path = queue.popleft()
        if path in parsed:
            continue
        lines = _parse_pip_file(collector, path)
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

    def pinned_in(files: Iterable[str]) -> set[str]:
        return {e.spec.name for f in files for e in parsed[f].entries if e.spec.pinned and e.spec.name}

    # A name pinned by a line of the same install (the file or one it includes) or
    # by a constraint that applies is resolved exactly, whatever this line says.
    pins: dict[str, set[str]] = {path: pinned_in(reach(path, False)) for path in required}
    for path in required:
        pinned_names = pinned_in({c for own in parsed[path].constraints for c in reach(own, True)})
        if pinned_names:
            for covered in reach(path, False):
                pins[covered] |= pinned_names
    for path in required:
        collector.declare(path)
        for entry in parsed[path].entries:
            spec = entry.spec
            pinned = spec.pinned or (spec.name is not None and spec.name in pins[path])
            collector.add(path, entry.line, entry.text, Spec(spec.name, pinned), "requirements")
    for path in sorted(set(parsed) - set(required)):
        for entry in parsed[path].entries:
            collector.constrain(path, entry.line, entry.text, entry.spec)
    for env, includes in collector.conda_includes.items():
        included = {p for start in includes for p in reach(start, False)}
        pins = collector.conda_pins.setdefault(env, [])
        pins.extend(r.pinned for r in collector.facts.requirements if r.path in included)


def _parse_pip_file(collector: Collector, path: str) -> PipLines:
    lines = PipLines()
    if not is_regular_file(collector.root / path):
        collector.warn(path, "referenced requirements file does not exist")
        return lines
    text = collector.read(path)
    if text is None:
        return lines
    for number, line in _logical_lines(text):
        read_pip_line(path, number, line, lines)
    warn_bad_includes(collector, path, lines)
    return lines


def warn_bad_includes(collector: Collector, path: str, lines: PipLines) -> None:
    """One warning per include that was not followed (remote, or outside the project)."""
    for number, target in lines.bad_includes:
        collector.warn(path, f"line {number}: include {target!r} is remote or outside the project; not followed")


def seed_files(collector: Collector, declaring: str, targets: Iterable[str]) -> None:
    """Requirements files named by another declaration (setuptools ``file:``, ``-r`` in conda)."""
    for target in targets:
        resolved = resolve_include(declaring, target)
        if resolved is None:
            collector.warn(declaring, f"requirements file {target!r} is outside the project; not read")
        else:
            collector.seeds.append(resolved)
