"""Benchmark mllint on a real corpus against references timed in the same run.

Usage: python bench/run.py [--repeat N] PATH [PATH ...]

PATH is a checkout of a real ML repository (bring one with any git client).
Reported per corpus, all measured in the same run:

- cold runs (``--no-cache``): the default selection on one job, ``--select ALL``
  on one job and on two (``--jobs``), and the peak memory of the default run;
- warm runs with the cache (``.mllint_cache/`` in the corpus, as a user gets
  it): over the unchanged tree, and after one module was edited (a line
  appended, then its bytes and times put back and the cache refilled, so that
  each edit starts from the unchanged tree's cache): the largest module, often a
  core one every other module imports, and the largest test module, which
  nothing imports; as percentages of the cold default run;
- the pre-commit case: the largest module checked with ``--no-project-rules``
  from inside the repository, cold and with the cache warm;
- references on the same files: reading and ``ast.parse`` in process,
  ``libcst.parse_module`` in process, and ``ruff check`` (if installed).

``--repeat N`` times every command N times and keeps the fastest. Ratios to
``ast.parse`` are what travels between machines; timings are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import ast
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

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


class Timer:
    """Runs commands as whole processes, keeping the fastest of *repeat* runs."""

    def __init__(self, repeat: int) -> None:
        self.repeat = repeat

    def __call__(self, command: list[str], cwd: Path | None = None) -> tuple[float, float]:
        runs = [timed(command, cwd) for _ in range(self.repeat)]
        return min(seconds for seconds, _ in runs), max(peak for _, peak in runs)


@contextmanager
def edited(path: Path) -> Iterator[None]:
    """*path* with one line appended, as after an edit; its bytes and times are put back.

    The line is new each time (a nanosecond clock in it): the cache is keyed by
    content, so an edit repeated byte for byte would be a cache hit, not an edit."""
    original, stat = path.read_bytes(), path.stat()
    try:
        path.write_bytes(original + f"\n# edited by the benchmark at {time.time_ns()}\n".encode())
        yield
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


COLUMNS = ("files", "MB", "ast", "libcst", "ruff", "default", "ALL j1", "ALL j2", "j1/j2", "peak MB",
           "warm", "edited", "edit test", "1 file", "1f warm")


def measure(root: Path, time_it: Timer) -> str:
    """One corpus' row of the table."""
    files = corpus(root)
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    # The references parse in a fresh interpreter: Linux counts the peak memory of a
    # process from before its exec, so every command this process starts would
    # report this process' own peak, had it parsed a corpus of large notebooks.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as fresh:
        reference = max(min(fresh.submit(ast_reference, files).result() for _ in range(3)), 1e-9)  # the first also reads the disk
        libcst_time = fresh.submit(libcst_reference, files).result()
    ruff = time_it(["ruff", "check", "--exit-zero", "--no-cache", str(root)])[0] if shutil.which("ruff") else None
    mllint = [sys.executable, "-m", "mllint", "check", "--exit-zero", "--format", "json"]
    cold = [*mllint, "--no-cache"]
    time_it([*cold, "--jobs", "1", str(root)])  # the OS caches warm up
    default, peak = time_it([*cold, "--jobs", "1", str(root)])
    all_one, _ = time_it([*cold, "--select", "ALL", "--jobs", "1", str(root)])
    all_two, _ = time_it([*cold, "--select", "ALL", "--jobs", "2", str(root)])
    largest = max((p for p in files if p.suffix == ".py"), key=lambda p: p.stat().st_size)
    one_file = [*mllint, "--no-project-rules", str(largest.relative_to(root))]
    one_cold = time_it([*one_file, "--no-cache"], cwd=root)[0]

    cache = root / ".mllint_cache"
    had_cache = cache.exists()
    timed([*mllint, "--jobs", "1", str(root)])  # fills the cache
    warm = time_it([*mllint, "--jobs", "1", str(root)])[0]
    one_warm = time_it(one_file, cwd=root)[0]
    tests = [p for p in files if p.name.startswith("test_") and p.suffix == ".py"]
    leaf = max(tests, key=lambda p: p.stat().st_size) if tests else largest

    def after_editing(path: Path) -> float:
        runs = []
        for _ in range(time_it.repeat):  # the first run after an edit is the one measured
            with edited(path):
                runs.append(timed([*mllint, "--jobs", "1", str(root)])[0])
            timed([*mllint, "--jobs", "1", str(root)])  # the cache holds the unchanged tree again
        return min(runs)

    edited_core, edited_leaf = after_editing(largest), after_editing(leaf)
    if not had_cache:
        shutil.rmtree(cache, ignore_errors=True)

    def ratio(seconds: float | None) -> str:
        return f"{seconds / reference:>9.1f}x" if seconds is not None else f"{'-':>10}"

    def share(seconds: float) -> str:
        return f"{100 * seconds / default:>9.0f}%"

    return (
        f"{root.name[:25]:<26}{len(files):>10}{megabytes:>10.1f}{reference:>9.2f}s{ratio(libcst_time)}{ratio(ruff)}"
        f"{ratio(default)}{ratio(all_one)}{ratio(all_two)}{all_one / all_two:>10.2f}{peak:>10.0f}"
        f"{share(warm)}{share(edited_core)}{share(edited_leaf)}{one_cold:>9.2f}s{one_warm:>9.2f}s"
    )


def main(arguments: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="checkouts of real ML repositories")
    parser.add_argument("--repeat", type=int, default=1, help="runs per command; the fastest counts")
    options = parser.parse_args(arguments)
    print(f"{'corpus':<26}" + "".join(f"{c:>10}" for c in COLUMNS))
    for path in options.paths:
        print(measure(path.resolve(), Timer(options.repeat)), flush=True)
    print("\nast: seconds to read and ast.parse the files; libcst to ALL j2: multiples of it (cold, --no-cache); "
          "warm, edited, edit test: percent of the cold default run, over the unchanged tree, after editing the "
          "largest module (often one every other imports), after editing the largest test module; "
          "1 file: the pre-commit case, cold and warm")


if __name__ == "__main__":
    main(sys.argv[1:])
