"""Benchmark mllint on a real corpus against references timed in the same run.

Usage: python bench/run.py PATH [PATH ...]

PATH is a checkout of a real ML repository (bring one with any git client).
Reported per corpus, all measured in the same run:

- ``mllint check --select ALL`` on one job and on two (``--jobs``), with the
  peak memory of the main process, and the default selection on one job;
- the pre-commit case: one file of the corpus (its largest module) checked
  with ``--no-project-rules`` from inside the repository;
- references on the same files: reading and ``ast.parse`` in process,
  ``libcst.parse_module`` in process, and ``ruff check`` (if installed).

Ratios to ``ast.parse`` are what travels between machines; timings are printed,
never asserted.
"""

from __future__ import annotations

import ast
import json
import os
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


def timed(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """(seconds, peak MB of the process itself) of one run of *command*."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024


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


def libcst_reference(files: list[Path]) -> float:
    """Parsing the same Python with libcst: what a rule that needs its tree costs."""
    import libcst

    start = time.perf_counter()
    for path in files:
        code = _code(path)
        try:
            libcst.parse_module(code.decode("utf-8", "replace") if isinstance(code, bytes) else code)
        except Exception:  # noqa: BLE001 - any parser failure only ends this file's timing
            pass
    return time.perf_counter() - start


def main(paths: list[str]) -> None:
    mllint = [sys.executable, "-m", "mllint", "check", "--exit-zero", "--format", "json"]
    columns = ("files", "MB", "ast", "libcst", "ruff", "ALL j1", "ALL j2", "j1/j2", "default", "peak MB", "one file")
    print(f"{'corpus':<26}" + "".join(f"{c:>10}" for c in columns))
    for raw in paths:
        root = Path(raw).resolve()
        files = corpus(root)
        megabytes = sum(p.stat().st_size for p in files) / 1e6
        reference = max(ast_reference(files), 1e-9)
        libcst_time = libcst_reference(files)
        ruff = timed(["ruff", "check", "--exit-zero", "--no-cache", str(root)])[0] if shutil.which("ruff") else None
        timed([*mllint, "--select", "ALL", "--jobs", "1", str(root)])  # warm the OS caches
        one_job, peak = timed([*mllint, "--select", "ALL", "--jobs", "1", str(root)])
        two_jobs, _ = timed([*mllint, "--select", "ALL", "--jobs", "2", str(root)])
        default, _ = timed([*mllint, "--jobs", "1", str(root)])
        largest = max((p for p in files if p.suffix == ".py"), key=lambda p: p.stat().st_size, default=None)
        one_file = timed([*mllint, "--no-project-rules", str(largest)], cwd=root)[0] if largest else None

        def ratio(seconds: float | None) -> str:
            return f"{seconds / reference:>9.1f}x" if seconds is not None else f"{'-':>10}"

        print(
            f"{root.name[:25]:<26}{len(files):>10}{megabytes:>10.1f}{reference:>9.2f}s{ratio(libcst_time)}{ratio(ruff)}"
            f"{ratio(one_job)}{ratio(two_jobs)}{one_job / two_jobs:>10.2f}{ratio(default)}{peak:>10.0f}"
            f"{one_file if one_file is None else f'{one_file:.2f}s':>10}"
        )
    print("\nast: seconds to read and ast.parse the files; the other columns are multiples of it "
          "(one file: seconds, the pre-commit case)")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
