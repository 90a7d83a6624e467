"""Per-file work on several processes (``--jobs``), and its failures contained.

The project is read and indexed once in the parent; workers are forked after
that (the parent then runs the project rules while they lint), so they share the index, the texts and the configuration copy-on-write
and nothing is pickled on the way in. Each worker lints a share of the files
and sends back, file by file, plain data (raw findings and the codes of the
rules that ran). A worker that dies (a native crash, the out-of-memory killer)
costs only the file it was linting, reported as ML000; the rest of its share
is linted by a new worker. Results are merged by path, so the output does not
depend on the number of workers.

Forking is what makes this cheap, so it is used only where ``fork`` is the
platform's own start method (Linux); elsewhere the files are linted in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Callable, cast

from mllint.engine.findings import RawFinding

#: What linting one file yields: its raw findings and the codes of the rules that ran.
FileResult = tuple[list[RawFinding], list[str]]
FileWork = Callable[[str], FileResult]

#: Fewer files than this per worker are not worth a process.
MIN_FILES_PER_JOB = 8


def default_jobs() -> int:
    """The CPUs this process may run on."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def lint_files(
    paths: list[str], work: FileWork, jobs: int, meanwhile: Callable[[], None] | None = None
) -> dict[str, FileResult]:
    """*work* applied to every path, on up to *jobs* forked processes.

    *meanwhile* (the project rules) runs in this process while the workers
    lint, instead of after them; a thread only gathers the workers' results,
    so that none of them waits on a full pipe. In-process, it runs after the files.
    """
    jobs = min(jobs, len(paths) // MIN_FILES_PER_JOB)
    if jobs <= 1 or not can_fork():
        results = {path: work(path) for path in paths}
        if meanwhile is not None:
            meanwhile()
        return results
    results = {}
    shares = [paths[start::jobs] for start in range(jobs)]  # interleaved: similar files spread out
    first = _Round(shares, work, results)  # forked before the thread starts: a fork copies only this thread
    gathering = threading.Thread(target=first.gather, name="mllint-results")
    gathering.start()
    try:
        if meanwhile is not None:
            meanwhile()
    finally:
        gathering.join()
    shares = first.unreached
    while shares:
        again = _Round(shares, work, results)
        again.gather()
        shares = again.unreached
    return results


class _Round:
    """One worker per share, started at once; ``gather`` takes their results as
    they come and leaves in ``unreached`` the shares of files that workers
    which died never reached."""

    def __init__(self, shares: list[list[str]], work: FileWork, results: dict[str, FileResult]) -> None:
        context = multiprocessing.get_context("fork")
        self.results = results
        self.workers: dict[Connection, tuple[BaseProcess, list[str]]] = {}
        self.unreached: list[list[str]] = []
        for share in shares:
            receiving, sending = context.Pipe(duplex=False)
            process = context.Process(target=_serve, args=(share, work, sending), daemon=True)
            process.start()
            sending.close()
            self.workers[receiving] = (process, share)

    def gather(self) -> None:
        workers, results, unreached = self.workers, self.results, self.unreached
        received = dict.fromkeys(workers, 0)
        while received:
            for ready in wait(list(received)):
                connection = cast(Connection, ready)
                try:
                    path, result = connection.recv()
                except (EOFError, OSError):  # the worker is done, or died
                    process, share = workers[connection]
                    done = received.pop(connection)
                    connection.close()
                    process.join()
                    if done < len(share):  # it died on share[done]
                        message = f"the worker process linting this file died ({_exit_reason(process.exitcode)})"
                        results[share[done]] = ([RawFinding("ML000", message, 1, 1, 1, 1)], [])
                        if share[done + 1 :]:
                            unreached.append(share[done + 1 :])
                    continue
                results[path] = result
                received[connection] += 1


def _serve(share: list[str], work: FileWork, sending: Connection) -> None:
    """In the worker: lint each file of the share and send its result at once."""
    for path in share:
        try:
            result = work(path)
        except Exception as exc:  # an engine bug: this file's, not the run's
            result = ([RawFinding("ML000", f"linting this file failed: {type(exc).__name__}: {exc}", 1, 1, 1, 1)], [])
        sending.send((path, result))
    sending.close()


def _exit_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"signal {-exitcode}"
    return f"exit status {exitcode}"
