"""The accumulator every file reader writes into.

Readers of different formats add requirements, declarations and Python-version
locations to one shared state, and read files the same bounded, decoding,
never-raising way (through :func:`mllint.project.files.read_regular_file`);
that state and that reading live here.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mllint.project.dependencies.facts import DependencyFacts, Requirement
from mllint.project.dependencies.specs import Spec, mask_credentials
from mllint.project.files import FileTooLarge, read_regular_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


MAX_FILE_BYTES = 5 * 1024 * 1024
"""Dependency files larger than this are not real declarations; skip them."""



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


class Collector:
    """Accumulates facts while reading one project's dependency files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.facts = DependencyFacts()
        self._declarations: set[str] = set()
        self._python: list[tuple[str, int]] = []
        self.seeds: list[str] = []
        self.constraint_seeds: list[str] = []
        self.conda_pins: dict[str, list[bool]] = {}
        self.conda_includes: dict[str, list[str]] = {}

    def warn(self, path: str, message: str) -> None:
        self.facts.warnings.append(f"{path}: {mask_credentials(message)}")

    def read(self, path: str) -> str | None:
        """File text, or None (with a warning) when it cannot be read."""
        try:
            data = read_regular_file(self.root / path, MAX_FILE_BYTES)
        except FileTooLarge:
            self.warn(path, f"larger than {MAX_FILE_BYTES} bytes; not read")
            return None
        except OSError as exc:
            self.warn(path, f"cannot be read ({exc.strerror or exc})")
            return None
        text, valid = _decode(data)
        if not valid:
            self.warn(path, "is not valid UTF-8; undecodable bytes were replaced")
        return text

    def declare(self, path: str) -> None:
        self._declarations.add(path)

    def add(self, path: str, line: int, text: str, spec: Spec, source: str) -> None:
        self.facts.requirements.append(Requirement(spec.name, mask_credentials(text), path, line, spec.pinned, source))

    def constrain(self, path: str, line: int, text: str, spec: Spec) -> None:
        self.facts.constraints.append(Requirement(spec.name, mask_credentials(text), path, line, spec.pinned, "constraints"))

    def python_at(self, path: str, line: int) -> None:
        self._python.append((path, line))

    def toml(self, path: str, text: str) -> dict[str, Any] | None:
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            self.warn(path, f"invalid TOML ({exc})")
            return None

    def guarded(self, path: str, reader: Reader) -> None:
        """Run one file's reader; a failure is that file's warning, never the caller's crash."""
        text = self.read(path)
        if text is None:
            return
        try:
            reader(self, path, text)
        except (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError) as exc:
            self.warn(path, f"could not be analysed ({type(exc).__name__}: {exc})")

    def finish(self) -> DependencyFacts:
        """The facts, once every file has been read."""
        facts = self.facts
        facts.declaration_files = sorted(self._declarations)
        facts.requirements.sort(key=lambda r: (r.path, r.line))
        facts.python_version = self._python[0] if self._python else None
        facts.pinned_conda_files = sorted(path for path, pins in self.conda_pins.items() if pins and all(pins))
        return facts


Reader = Callable[[Collector, str, str], None]
"""A file format's reader: adds what ``(path, text)`` declares to the collector."""
