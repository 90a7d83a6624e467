"""Per-file work on several processes (``--jobs``), and its failures contained.

Two rounds of it in a run: indexing the modules the cache does not hold
(workers read and parse them and send back their index entries), then linting.
The linting workers are forked once the project is indexed (the parent then
runs the project rules while they lint), so they share the index, the trees it
keeps, the analyses prepared before the fork and the configuration copy-on-write. The parent hands each worker one path at a
time, the next as soon as it sends back the last file's plain data (an index
entry; raw findings and the codes of the rules that ran), so the workers stay
equally busy. A worker that dies (a native crash, the out-of-memory killer)
costs only the file it was working on, reported as ML000; the others go on
with the remaining files, and new workers take them if none is left. Results
are merged by path, so the output does not depend on the number of workers.

Forking is what makes this cheap, so it is used only where ``fork`` is the
platform's own start method (Linux); elsewhere the files are linted in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections import deque
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Callable, Generic, TypeVar, cast

from mllint.engine.findings import RawFinding

#: What linting one file yields: its raw findings and the codes of the rules that ran.
FileResult = tuple[list[RawFinding], list[str]]
FileWork = Callable[[str], FileResult]
#: What the work on one file yields, plain data.
T = TypeVar("T")

#: Fewer files than this per worker are not worth a process.
MIN_FILES_PER_JOB = 8


def default_jobs() -> int:
    """The CPUs this process may run on."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def processes_for(files: int, jobs: int) -> int:
    """The workers *files* files get with *jobs* allowed: 1 means in this process."""
    return min(jobs, files // MIN_FILES_PER_JOB) if can_fork() else 1


def lint_files(
    paths: list[str], work: FileWork, jobs: int, meanwhile: Callable[[], None] | None = None
) -> dict[str, FileResult]:
    """*work* (linting) applied to every path, on up to *jobs* forked processes.

    *meanwhile* (the project rules) runs in this process while the workers
    lint, instead of after them. A file whose worker failed is reported as ML000.
    """
    return map_files(paths, work, jobs, _lint_failure, meanwhile)


def _lint_failure(reason: str) -> FileResult:
    return [RawFinding("ML000", f"linting this file failed: {reason}", 1, 1, 1, 1)], []


def map_files(
    paths: list[str],
    work: Callable[[str], T],
    jobs: int,
    failed: Callable[[str], T],
    meanwhile: Callable[[], None] | None = None,
) -> dict[str, T]:
    """*work* applied to every path, on up to *jobs* forked processes; for a file
    whose work raised or whose worker died, *failed* of the reason.

    *meanwhile* runs in this process while the workers work, instead of after
    them; a thread only gathers the workers' results, so that none of them
    waits on a full pipe. In-process, it runs after the files.
    """
    jobs = processes_for(len(paths), jobs)
    if jobs <= 1:
        results = {path: work(path) for path in paths}
        if meanwhile is not None:
            meanwhile()
        return results
    results: dict[str, T] = {}
    pending = deque(paths)
    first = _Round(jobs, pending, work, failed, results)  # forked before the thread starts: a fork copies only this thread
    gathering = threading.Thread(target=first.gather, name="mllint-results")
    gathering.start()
    try:
        if meanwhile is not None:
            meanwhile()
    finally:
        gathering.join()
    while pending:  # every worker died before the files ran out
        again = _Round(jobs, pending, work, failed, results)
        again.gather()
    return results


class _Round(Generic[T]):
    """Workers started at once, each given the next file as it sends the result
    of the last (files differ in cost by 100x: fixed shares left one worker
    with a third more work than the other). ``gather`` takes their results as
    they come; a worker that dies costs the file it was working on, and the
    files no worker reached stay in *pending*."""

    def __init__(
        self, jobs: int, pending: deque[str], work: Callable[[str], T], failed: Callable[[str], T], results: dict[str, T]
    ) -> None:
        context = multiprocessing.get_context("fork")
        self.pending = pending
        self.failed = failed
        self.results = results
        #: each worker's connection -> its process and the file it is working on
        self.workers: dict[Connection, tuple[BaseProcess, str | None]] = {}
        for _ in range(min(jobs, len(pending))):
            connection, theirs = context.Pipe(duplex=True)
            process = context.Process(target=_serve, args=(work, failed, theirs), daemon=True)
            process.start()
            theirs.close()
            self.workers[connection] = (process, None)
            self._next(connection)

    def _next(self, connection: Connection) -> None:
        """Give the worker the next file, or tell it to stop (None)."""
        path = self.pending.popleft() if self.pending else None
        self.workers[connection] = (self.workers[connection][0], path)
        try:
            connection.send(path)
        except OSError:  # it died: its file is accounted for when its end is read
            pass

    def gather(self) -> None:
        workers, results = self.workers, self.results
        while workers:
            for ready in wait(list(workers)):
                connection = cast(Connection, ready)
                try:
                    path, result = connection.recv()
                except (EOFError, OSError):  # the worker stopped, or died
                    process, working_on = workers.pop(connection)
                    connection.close()
                    process.join()
                    if working_on is not None:
                        results[working_on] = self.failed(f"the worker process died ({_exit_reason(process.exitcode)})")
                    continue
                results[path] = result
                self._next(connection)


def _serve(work: Callable[[str], T], failed: Callable[[str], T], connection: Connection) -> None:
    """In the worker: work on each file it is given and send its result at once."""
    while (path := connection.recv()) is not None:
        try:
            result = work(path)
        except Exception as exc:  # an engine bug: this file's, not the run's
            result = failed(f"{type(exc).__name__}: {exc}")
        connection.send((path, result))
    connection.close()


def _exit_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"signal {-exitcode}"
    return f"exit status {exitcode}"
