"""A finding's identity that survives edits elsewhere in the file.

Baselines and SARIF's ``partialFingerprints`` must recognise yesterday's finding
today, after lines were added above it or the code around it was reformatted.
The identity is the rule, the project-relative path and the reported line with
its nearest non-blank neighbours, whitespace collapsed (for notebooks: lines of the cell's
own source, so moving the cell changes nothing); a finding without a line is
identified by its message. Two copies of the same violation share a
fingerprint; whoever compares findings counts them.
"""

from __future__ import annotations

import hashlib
from typing import Sequence


def fingerprint(code: str, path: str, lines: Sequence[str] | None, line: int, message: str) -> str:
    """16 hex digits naming the finding (see the module docstring)."""
    if lines is None or not 1 <= line <= len(lines):
        context = [message]
    else:
        normalised = [" ".join(text.split()) for text in lines]
        above = next((text for text in reversed(normalised[: line - 1]) if text), "")
        below = next((text for text in normalised[line:] if text), "")
        context = [above, normalised[line - 1], below]
    digest = hashlib.sha256("\0".join([code, path, *context]).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]
