"""--jobs: forked workers give the same output as one process, and a dying worker costs one file;
what a run builds is freed as it ends."""

from __future__ import annotations

import ast
import gc
import json
import os
import signal
import time
from pathlib import Path

import pytest

from mllint.analysis.serving import ServingAnalysis
from mllint.engine import runner, workers
from mllint.engine.config import CliOverrides
from mllint.engine.context import Analysis
from mllint.engine.findings import RawFinding
from mllint.engine.runner import Linter
from mllint.plugins import builtin_rules
from mllint.project import index as project_index
from mllint.project.index import ModuleInfo, ProjectIndex
from mllint.reporters import json as json_reporter
from mllint.reporters.base import ReportOptions
from mllint.testkit import write_files

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
needs_fork = pytest.mark.skipif(not workers.can_fork(), reason="workers fork, which this platform does not do")


def report(root: Path, jobs: int) -> str:
    result = Linter(builtin_rules(), CliOverrides(select=["ALL"]), cwd=root, jobs=jobs).lint([root])
    return json_reporter.render(result, ReportOptions())


@needs_fork
@pytest.mark.parametrize("example", ["churn-leaky", "churn-tidy"])
def test_two_jobs_give_byte_identical_output(monkeypatch, example):
    monkeypatch.setattr(workers, "MIN_FILES_PER_JOB", 1)
    assert report(EXAMPLES / example, 2) == report(EXAMPLES / example, 1)


@needs_fork
@pytest.mark.parametrize("budget", [0, 2_000])
def test_two_jobs_give_byte_identical_output_whatever_trees_the_parent_keeps(monkeypatch, budget):
    """The parent keeps the trees of some of the files it indexed (none, a few):
    the linting workers parse the others, with the same findings."""
    monkeypatch.setattr(workers, "MIN_FILES_PER_JOB", 1)
    monkeypatch.setattr(project_index, "MAX_TREE_TEXT", budget)
    assert report(EXAMPLES / "churn-leaky", 2) == report(EXAMPLES / "churn-leaky", 1)


def work(path: str) -> workers.FileResult:
    if path.startswith("dies"):
        os.kill(os.getpid(), signal.SIGKILL)
    if path == "raises.py":
        raise RuntimeError("engine bug")
    return [RawFinding("ML990", f"linted {path}")], ["ML990"]


@needs_fork
def test_a_dying_worker_costs_only_the_file_it_was_linting(monkeypatch):
    monkeypatch.setattr(workers, "MIN_FILES_PER_JOB", 1)
    paths = [f"m{n}.py" for n in range(6)] + ["dies.py", "raises.py"] + [f"n{n}.py" for n in range(6)]
    results = workers.lint_files(paths, work, 2)

    assert sorted(results) == sorted(paths)
    [died] = results["dies.py"][0]
    assert died.code == "ML000" and "signal 9" in died.message
    [failed] = results["raises.py"][0]
    assert failed.code == "ML000" and "engine bug" in failed.message
    assert all(results[p] == ([RawFinding("ML990", f"linted {p}")], ["ML990"]) for p in paths if p[0] in "mn")


@needs_fork
def test_files_left_when_every_worker_died_are_linted_by_new_ones(monkeypatch):
    monkeypatch.setattr(workers, "MIN_FILES_PER_JOB", 1)
    paths = ["dies-first.py", "dies-second.py"] + [f"m{n}.py" for n in range(6)]
    results = workers.lint_files(paths, work, 2)
    assert sorted(results) == sorted(paths)
    assert [results[p][0][0].code for p in paths] == ["ML000", "ML000"] + ["ML990"] * 6


@needs_fork
def test_workers_take_the_next_file_when_done(monkeypatch, tmp_path):
    """A slow file holds up only the files sent ahead with it (``IN_HAND``), not
    what would have been its worker's share: here it waits until every other
    file is done, which only another worker can do."""
    monkeypatch.setattr(workers, "MIN_FILES_PER_JOB", 1)
    paths = ["slow.py"] + [f"m{n}.py" for n in range(7)]
    sent_ahead = workers.IN_HAND - 1

    def lint(path: str) -> workers.FileResult:
        if path == "slow.py":
            deadline = time.monotonic() + 60
            while len(list(tmp_path.iterdir())) < 7 - sent_ahead and time.monotonic() < deadline:
                time.sleep(0.01)
        else:
            (tmp_path / path).touch()
        return [RawFinding("ML990", f"{os.getpid()}")], []

    results = workers.lint_files(paths, lint, 2)
    slow_worker = results["slow.py"][0][0].message
    assert [p for p in paths if results[p][0][0].message == slow_worker] == ["slow.py", *paths[1:1 + sent_ahead]]


@needs_fork
def test_this_process_takes_files_from_the_same_queue(monkeypatch):
    """With ``here``, this process is one of the jobs: it works on every file the
    worker has not been handed (here the worker is slow), each file once."""
    monkeypatch.setattr(workers, "MIN_FILES_PER_JOB", 1)
    paths = [f"m{n}.py" for n in range(10)]

    def slowly(path: str) -> tuple[str, int]:
        time.sleep(0.3)
        return "worker", os.getpid()

    results = workers.map_files(paths, slowly, 2, lambda reason: ("failed", 0), here=lambda path: ("here", os.getpid()))
    assert sorted(results) == paths
    assert {pid == os.getpid() for kind, pid in results.values() if kind == "here"} == {True}
    assert {pid != os.getpid() for kind, pid in results.values() if kind == "worker"} == {True}
    assert sum(kind == "here" for kind, _ in results.values()) >= len(paths) - workers.IN_HAND


@needs_fork
def test_a_worker_dying_while_indexing_costs_only_that_file(monkeypatch, tmp_path):
    """Modules are read and indexed by the workers too: one that kills its worker
    is reported (ML000) and every other module is indexed and linted."""
    monkeypatch.setattr(workers, "MIN_FILES_PER_JOB", 1)
    monkeypatch.setattr(workers, "IN_HAND", 10)  # the worker is handed every file before this process takes one
    module = "import pickle\nmodel = pickle.load(open('m.pkl', 'rb'))\n"
    write_files(tmp_path, {f"m{n}.py": module for n in range(6)} | {"dies.py": module})
    parent, real_read = os.getpid(), runner.read_file

    def read_file(root, path, summarise=None):
        if path == "dies.py" and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_read(root, path, summarise)

    monkeypatch.setattr(runner, "read_file", read_file)
    findings = Linter(builtin_rules(), CliOverrides(select=["ML000", "ML601"]), cwd=tmp_path, jobs=2).lint([tmp_path]).findings
    assert [(f.path, f.code) for f in findings] == [("dies.py", "ML000")] + [(f"m{n}.py", "ML601") for n in range(6)]
    assert "indexing this file failed: the worker process died (signal 9)" in findings[0].message


def test_few_files_are_linted_in_process():
    calls = []
    assert workers.lint_files(["a.py", "b.py"], lambda p: calls.append(p) or ([], []), 4) == {"a.py": ([], []), "b.py": ([], [])}
    assert calls == ["a.py", "b.py"]


@needs_fork
def test_jobs_through_the_command_line_give_identical_output(tmp_path):
    import subprocess
    import sys

    from mllint.testkit import write_files

    module = "import pickle\nimport numpy as np\nx = np.random.rand(3)\nmodel = pickle.load(open('m{n}.pkl', 'rb'))\n"
    write_files(tmp_path, {f"pkg/m{n}.py": module.format(n=n) for n in range(2 * workers.MIN_FILES_PER_JOB + 2)})

    def run(jobs: str) -> str:
        command = [sys.executable, "-m", "mllint", "check", ".", "--format", "json", "--select", "ALL", "--exit-zero", "--jobs", jobs]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=True).stdout

    one = run("1")
    assert '"ML601"' in one and one == run("2")


@needs_fork
def test_the_project_rules_run_while_the_workers_lint(tmp_path):
    """Each worker waits (up to half a minute) for what *meanwhile* does: had it run
    after the workers instead, every file would come back without it."""
    import time

    flag = tmp_path / "project-rules-ran"

    def work(path: str) -> workers.FileResult:
        deadline = time.monotonic() + 30
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return [], [path] if flag.exists() else []

    results = workers.lint_files([f"m{i}.py" for i in range(16)], work, 2, meanwhile=flag.touch)
    assert {path: ran for path, (_, ran) in results.items()} == {f"m{i}.py": [f"m{i}.py"] for i in range(16)}


def test_in_process_the_project_rules_run_after_the_files():
    order: list[str] = []
    workers.lint_files(["a.py"], lambda path: order.append(path) or ([], []), 1, meanwhile=lambda: order.append("project"))
    assert order == ["a.py", "project"]


def test_a_run_leaves_no_cyclic_garbage_behind():
    """The project's facts and trees are freed by reference counting as the run
    ends: the cyclic collector finding them instead cost a tenth of a run on a
    560-file library."""
    root = EXAMPLES / "churn-leaky"
    gc.collect()
    gc.disable()
    try:
        Linter(builtin_rules(), CliOverrides(select=["ALL"]), cwd=root).lint([root])
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = [obj for obj in gc.garbage if isinstance(obj, (ProjectIndex, ModuleInfo, Analysis, ast.AST))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == []


@needs_fork
def test_whole_project_work_is_done_once_before_the_workers_fork(monkeypatch, tmp_path):
    """The model loads serving code reaches (``ServingAnswers``, built as the
    workers' analyses are prepared) are computed in the parent, not again in
    every worker that lints a module loading a model."""
    monkeypatch.setattr(workers, "MIN_FILES_PER_JOB", 1)
    app = (
        "import joblib\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.post('/predict')\n"
        "def predict(payload: dict):\n    model = joblib.load(payload['path'])\n    return {'y': model.predict([payload['x']])[0]}\n"
    )
    loader = "import joblib\n\n\ndef load_model(path):\n    return joblib.load(path)\n"
    write_files(tmp_path, {"api.py": app} | {f"models/m{n}.py": loader for n in range(8)})
    computed = tmp_path / "computed"
    real = ServingAnalysis.module_servings

    def module_servings(self):
        with computed.open("a") as log:
            log.write(f"{os.getpid()}\n")
        return real(self)

    monkeypatch.setattr(ServingAnalysis, "module_servings", module_servings)
    findings = Linter(builtin_rules(), CliOverrides(select=["ML504"]), cwd=tmp_path, jobs=2).lint([tmp_path]).findings
    assert [(f.path, f.code) for f in findings] == [("api.py", "ML504")]
    assert computed.read_text().split() == [str(os.getpid())]


@needs_fork
def test_files_that_cannot_be_read_or_parsed_give_the_same_output_with_two_jobs(monkeypatch, tmp_path):
    """Reading errors found by an indexing worker are reported as in one process."""
    monkeypatch.setattr(workers, "MIN_FILES_PER_JOB", 1)
    write_files(tmp_path, {
        "syntax.py": "def f(:\n    pass\n",
        "binary.py": bytes(range(256)),
        "truncated.ipynb": '{"cells": [',
        "deep.py": "x = " + " + ".join(["1"] * 3_000) + "\n",
        "nul.py": "import pickle\nx = 1\x00\n",
        **{f"m{n}.py": "import pickle\nmodel = pickle.load(open('m.pkl', 'rb'))\n" for n in range(4)},
    })
    assert report(tmp_path, 2) == report(tmp_path, 1)
    assert {f["code"] for f in json.loads(report(tmp_path, 2))} >= {"ML001", "ML002", "ML601"}
