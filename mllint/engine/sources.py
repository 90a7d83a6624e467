"""Reading source files as text, the way Python itself would.

Python files are decoded per PEP 263 (BOM, ``# -*- coding: ... -*-`` cookie,
UTF-8 default) with ``tokenize.detect_encoding``; undecodable bytes and NUL
bytes are reported as ML001 by the caller instead of crashing the run.
"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

from mllint.project.files import FileTooLarge, read_regular_file

#: Files larger than this are not linted (a 20 MB generated module is data).
MAX_SOURCE_BYTES = 10 * 1024 * 1024


class SourceError(Exception):
    """The file cannot be read as text; ``str()`` is a one-line reason."""


def read_bytes(path: Path) -> bytes:
    """The file's bytes; SourceError when it is too large, or no regular file
    (a FIFO, socket or device named ``.py`` is reported, never read)."""
    try:
        return read_regular_file(path, MAX_SOURCE_BYTES)
    except FileTooLarge as exc:
        raise SourceError(f"file is {exc.size // (1024 * 1024)} MiB, larger than the 10 MiB mllint lints") from exc
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from exc


def decode_python(data: bytes) -> str:
    """Decode Python source bytes per PEP 263; newlines normalised to ``\\n``."""
    if b"\0" in data:
        raise SourceError("file contains NUL bytes (binary file?)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceError(f"bad encoding declaration: {exc.msg if hasattr(exc, 'msg') else exc}") from exc
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"cannot decode file as {encoding}: {exc}") from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_text(data: bytes) -> str:
    """Decode a JSON/TOML/YAML-ish file: UTF-8 (BOM allowed)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"file is not UTF-8: {exc.reason} at byte {exc.start}") from exc
    return text
