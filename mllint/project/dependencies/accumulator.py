"""The accumulator every file reader writes into.

Readers of different formats add requirements, declarations and Python-version
locations to one shared state, and read files the same bounded, decoding,
never-raising way; that state and that reading live here. The reading itself,
:func:`read_regular_file`, is what every reader of a project's files uses
(mllint's own source reading included): a linted repository may hold FIFOs,
sockets and devices, or symlinks to them, under any name.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mllint.project.dependencies.facts import DependencyFacts, Requirement
from mllint.project.dependencies.specs import Spec, mask_credentials

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


MAX_FILE_BYTES = 5 * 1024 * 1024
"""Dependency files larger than this are not real declarations; skip them."""

#: Open flags: never block on a FIFO, never make a terminal the controlling one.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


class FileTooLarge(OSError):
    """The file holds more bytes than the reader takes; ``size`` is how many it has (at least)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"larger than {limit} bytes")
        self.size = size


def is_regular_file(path: Path) -> bool:
    """Whether *path* names a regular file (symlinks followed); False, not an error,
    for a name the file system refuses (too long, not valid there) or cannot reach."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return False


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at *path* (symlinks followed), at most *limit* of them.

    A FIFO, socket or device (or a symlink to ``/dev/zero``) is an OSError, never a
    read that blocks or does not end: the kind is checked before opening, and again
    on the open descriptor (opened non-blocking), so a file swapped in between is
    caught too; the size is checked on that descriptor and by the read itself,
    so a file that grows meanwhile cannot be read past *limit* either.
    Raises OSError (FileTooLarge for a file over *limit*).
    """
    if "\0" in os.fspath(path):
        raise OSError(errno.EINVAL, "a NUL in the file name")
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(errno.EINVAL, "not a regular file")
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if info.st_size > limit:
            raise FileTooLarge(info.st_size, limit)
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(descriptor, min(1 << 20, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise FileTooLarge(total, limit)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


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
