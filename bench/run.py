"""Benchmark mllint on a real corpus against references timed in the same run.

Usage: python bench/run.py PATH [PATH ...]

PATH is a checkout of a real ML repository (bring one with any git client).
Reported: files/s and MB/s for ``mllint check`` (cold: first run; warm: the
same run repeated, OS caches hot), and, on the same files, ``ast.parse`` in
process and ``ruff check`` (if installed) as references, with mllint's time as
a ratio of each. Timings are printed, never asserted: they depend on the
machine, so only the ratios travel.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

EXCLUDED = {".git", ".venv", "venv", "node_modules", "build", "dist", "__pycache__", ".tox", "site-packages"}


def corpus(root: Path) -> list[Path]:
    return [
        p for p in root.rglob("*")
        if p.suffix in (".py", ".ipynb") and p.is_file() and not EXCLUDED & set(p.relative_to(root).parts)
    ]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def _code(path: Path) -> str | bytes:
    """A file's Python: the source, or a notebook's code cells (read as JSON)."""
    if path.suffix != ".ipynb":
        return path.read_bytes()
    try:
        cells = json.loads(path.read_bytes()).get("cells", [])
    except (ValueError, AttributeError):
        return ""
    sources = ("".join(c.get("source", "")) for c in cells if isinstance(c, dict) and c.get("cell_type") == "code")
    return "\n".join(s for s in sources if isinstance(s, str))


def ast_reference(files: list[Path]) -> float:
    """Reading every file and parsing its Python with ``ast``: the floor for any linter."""
    start = time.perf_counter()
    for path in files:
        try:
            ast.parse(_code(path))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
    return time.perf_counter() - start


def main(paths: list[str]) -> None:
    mllint = [sys.executable, "-m", "mllint", "check", "--exit-zero", "--select", "ALL", "--format", "json"]
    print(f"{'corpus':<28}{'files':>7}{'MB':>8}{'mllint cold':>13}{'warm':>8}{'files/s':>9}{'MB/s':>7}{'÷ast':>7}{'÷ruff':>7}")
    for raw in paths:
        root = Path(raw).resolve()
        files = corpus(root)
        megabytes = sum(p.stat().st_size for p in files) / 1e6
        cold = timed([*mllint, str(root)])
        warm = timed([*mllint, str(root)])
        reference = ast_reference(files)
        ruff = timed(["ruff", "check", "--exit-zero", "--no-cache", str(root)]) if shutil.which("ruff") else None
        ratio_ruff = f"{warm / ruff:7.0f}" if ruff else "      -"
        print(
            f"{root.name[:27]:<28}{len(files):>7}{megabytes:>8.1f}{cold:>12.2f}s{warm:>7.2f}s"
            f"{len(files) / warm:>9.0f}{megabytes / warm:>7.2f}{warm / max(reference, 1e-9):>7.0f}{ratio_ruff}"
        )


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
