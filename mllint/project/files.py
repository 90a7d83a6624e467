"""Reading a project's files: bounded, and never blocking on what is not a file.

:func:`read_regular_file` is what every reader of a project's files uses
(mllint's own source reading included): a linted repository may hold FIFOs,
sockets and devices, or symlinks to them, under any name. A leaf module, so
that reading a file imports nothing else (a cached run reads files and parses
no dependency declaration).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

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
    read that blocks or does not end (``_open_regular``); the size is checked on the
    open descriptor and by the read itself, so a file that grows meanwhile cannot
    be read past *limit* either. Raises OSError (FileTooLarge for a file over *limit*).
    """
    descriptor, info = _open_regular(path)
    try:
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


def read_regular_head(path: Path, size: int) -> bytes:
    """The first *size* bytes (or fewer) of the regular file at *path*; OSError as
    ``read_regular_file`` for anything else, however large the file."""
    descriptor, _ = _open_regular(path)
    try:
        return os.read(descriptor, size)
    finally:
        os.close(descriptor)


def _open_regular(path: Path) -> tuple[int, os.stat_result]:
    """A descriptor of the regular file at *path*, and its status. The kind is
    checked before opening, and again on the descriptor (opened non-blocking), so
    a file swapped in between is caught too."""
    if "\0" in os.fspath(path):
        raise OSError(errno.EINVAL, "a NUL in the file name")
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(errno.EINVAL, "not a regular file")
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor, info
