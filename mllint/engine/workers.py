"""Per-file work on several processes (``--jobs``), and its failures contained.

Two rounds of it in a run: indexing the modules the cache does not hold
(the parent and workers read and parse them; the workers send back their
index entries, the parent keeps the trees of its own), then linting. The
linting workers are forked once the project is indexed (the parent then runs
the project rules while they lint), so they share the index, the trees the
parent kept, the analyses prepared before the fork and the configuration
copy-on-write. The parent hands each worker a path as soon as it sends back
a file's plain data (an index entry; raw findings and the codes of the rules
that ran), keeping ``IN_HAND`` paths in each worker's hand, so the workers
stay equally busy and never wait for the parent. A worker that dies (a
native crash, the out-of-memory killer) costs only the file it was working
on, reported as ML000; the others go on with the remaining files, and new
workers take them if none is left. Results are merged by path, so the output
does not depend on the number of workers.

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
    paths: list[str],
    work: FileWork,
    jobs: int,
    meanwhile: Callable[[], None] | None = None,
    last: Callable[[], None] | None = None,
) -> dict[str, FileResult]:
    """*work* (linting) applied to every path, on up to *jobs* forked processes.

    *meanwhile* (the project rules) runs in this process while the workers
    lint, instead of after them; *last* runs in each worker after its last
    file (it keeps what the worker's analyses drew for later runs). A file
    whose worker failed is reported as ML000.
    """
    return map_files(paths, work, jobs, _lint_failure, meanwhile, last=last)


def _lint_failure(reason: str) -> FileResult:
    return [RawFinding("ML000", f"linting this file failed: {reason}", 1, 1, 1, 1)], []


def map_files(
    paths: list[str],
    work: Callable[[str], T],
    jobs: int,
    failed: Callable[[str], T],
    meanwhile: Callable[[], None] | None = None,
    here: Callable[[str], T] | None = None,
    last: Callable[[], None] | None = None,
) -> dict[str, T]:
    """*work* applied to every path, on up to *jobs* forked processes; for a file
    whose work raised or whose worker died, *failed* of the reason.

    *meanwhile* runs in this process while the workers work, instead of after
    them; a thread only gathers the workers' results, so that none of them
    waits on a full pipe. In-process, it runs after the files.

    With *here*, this process is one of the *jobs*: it takes files from the same
    queue as the workers and applies *here* to them (what it keeps of them stays
    in this process, where the workers of a later round, forked from it, find it).
    *last* runs in each worker once it is told that no file is left.
    """
    jobs = processes_for(len(paths), jobs)
    if jobs <= 1:
        results = {path: (here or work)(path) for path in paths}
        if meanwhile is not None:
            meanwhile()
        return results
    results: dict[str, T] = {}
    pending = deque(paths)
    # forked before the thread starts: a fork copies only this thread
    first = _Round(jobs - 1 if here is not None else jobs, pending, work, failed, results, last)
    gathering = threading.Thread(target=first.gather, name="mllint-results")
    gathering.start()
    switching = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        if meanwhile is not None:
            meanwhile()
        while here is not None:
            try:
                path = pending.popleft()  # atomic: the gathering thread takes from it too
            except IndexError:
                break
            results[path] = here(path)
    finally:
        sys.setswitchinterval(switching)
        gathering.join()
    while pending:  # every worker died before the files ran out
        again = _Round(jobs, pending, work, failed, results, last)
        again.gather()
    return results


#: Files a worker has in hand: the one it works on and the next ones, sent ahead
#: so that it never waits for this process to send its next (this process's
#: thread gathering results runs only when the other, busy with the project
#: rules or with files of its own, lets it).
IN_HAND = 2


#: How long this process's busy thread holds the interpreter before the gathering
#: thread may take it, while workers work: Python's default (5 ms) is longer than
#: most files take, and a worker waiting for its next file idles meanwhile.
SWITCH_INTERVAL = 0.0005


class _Round(Generic[T]):
    """Workers started at once, each given the next file as it sends the result
    of one (files differ in cost by 100x: fixed shares left one worker with a
    third more work than the other). ``gather`` takes their results as they
    come; a worker that dies costs the file it was working on, the others in
    its hand go back to *pending*, and the files no worker reached stay there."""

    def __init__(
        self,
        jobs: int,
        pending: deque[str],
        work: Callable[[str], T],
        failed: Callable[[str], T],
        results: dict[str, T],
        last: Callable[[], None] | None = None,
    ) -> None:
        context = multiprocessing.get_context("fork")
        self.pending = pending
        self.failed = failed
        self.results = results
        #: each worker's connection -> its process and the files sent to it whose
        #: results have not come back, in order (None: told to stop)
        self.workers: dict[Connection, tuple[BaseProcess, deque[str | None]]] = {}
        for _ in range(min(jobs, len(pending))):
            connection, theirs = context.Pipe(duplex=True)
            process = context.Process(target=_serve, args=(work, failed, theirs, last), daemon=True)
            process.start()
            theirs.close()
            self.workers[connection] = (process, deque())
            for _ in range(IN_HAND):
                self._next(connection)

    def _next(self, connection: Connection) -> None:
        """Give the worker the next file, or tell it to stop (None) once none is left."""
        in_hand = self.workers[connection][1]
        if in_hand and in_hand[-1] is None:
            return
        try:
            path: str | None = self.pending.popleft()  # atomic: this process may take files from it too
        except IndexError:
            path = None
        in_hand.append(path)
        try:
            connection.send(path)
        except OSError:  # it died: its files are accounted for when its end is read
            pass

    def gather(self) -> None:
        workers, results = self.workers, self.results
        while workers:
            for ready in wait(list(workers)):
                connection = cast(Connection, ready)
                try:
                    path, result = connection.recv()
                except (EOFError, OSError):  # the worker stopped, or died
                    process, in_hand = workers.pop(connection)
                    connection.close()
                    process.join()
                    unfinished = [path for path in in_hand if path is not None]
                    if unfinished:
                        results[unfinished[0]] = self.failed(f"the worker process died ({_exit_reason(process.exitcode)})")
                        self.pending.extendleft(reversed(unfinished[1:]))
                    continue
                results[path] = result
                workers[connection][1].popleft()
                self._next(connection)


def _serve(
    work: Callable[[str], T], failed: Callable[[str], T], connection: Connection, last: Callable[[], None] | None
) -> None:
    """In the worker: work on each file it is given, in order, and send its result at
    once; then *last*, once the parent has every result of this worker."""
    while (path := connection.recv()) is not None:
        try:
            result = work(path)
        except Exception as exc:  # an engine bug: this file's, not the run's
            result = failed(f"{type(exc).__name__}: {exc}")
        connection.send((path, result))
    connection.close()
    if last is not None:
        try:
            last()
        except Exception:  # noqa: BLE001 - what it keeps is for later runs; the results are sent
            pass


def _exit_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"signal {-exitcode}"
    return f"exit status {exitcode}"
