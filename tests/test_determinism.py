"""The same tree gives byte-identical output: across runs with different hash
seeds, ``--jobs`` values and a cold or warm cache, in every format (the JUnit,
GitHub, Markdown and HTML outputs and the baseline file included), whatever
order the files were created in, and from any current directory once paths are
mapped. (JSON with one and two jobs is in test_workers.py; text, SARIF and the
Markdown scorecard with and without the cache in test_cache.py.)"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mllint.engine.cache import CACHE_DIR
from mllint.testkit import write_files

ROOT = Path(__file__).resolve().parent.parent
LEAKY = ROOT / "examples" / "churn-leaky"


def mllint(*args: str, cwd: Path, seed: str = "0") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    env["PYTHONHASHSEED"] = seed
    return subprocess.run([sys.executable, "-m", "mllint", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


def project_files(copies: int) -> dict[str, bytes]:
    """The leaky example, its modules and notebooks copied *copies* times
    (``--jobs 2`` forks workers only for 16 files or more)."""
    files = {path.relative_to(LEAKY).as_posix(): path.read_bytes() for path in sorted(LEAKY.rglob("*"))
             if path.is_file() and CACHE_DIR not in path.parts and "__pycache__" not in path.parts}
    lintable = {name: data for name, data in files.items() if name.endswith((".py", ".ipynb"))}
    for number in range(1, copies + 1):
        files.update({f"copy{number}/{name}": data for name, data in lintable.items()})
    return files


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("determinism") / "project"
    write_files(root, project_files(copies=1))
    return root


#: (arguments, formats): what is compared across the variants below
OUTPUTS = {
    **{f"check-{fmt}": ["check", "--select", "ALL", "--format", fmt] for fmt in ("json", "junit", "github", "markdown")},
    "check-text": ["check", "--select", "ALL", "--show-source", "--statistics"],
    "report-html": ["report", "--select", "ALL", "--format", "html"],
}


def test_every_output_is_byte_identical_across_hash_seeds_jobs_and_the_cache(tree):
    """Variant A: one job, no cache, hash seed 0. Variant B: two jobs, hash seed
    1, the cache filled by a first run with hash seed 2 (so B reads it warm)."""
    plain = {name: mllint(*args, "--jobs", "1", "--no-cache", cwd=tree, seed="0") for name, args in OUTPUTS.items()}
    assert mllint("check", "--select", "ALL", "--jobs", "2", cwd=tree, seed="2").returncode == 1
    warm = {name: mllint(*args, "--jobs", "2", cwd=tree, seed="1") for name, args in OUTPUTS.items()}
    assert all(done.returncode in (0, 1) and done.stderr == "" for done in plain.values()), {k: v.stderr for k, v in plain.items()}
    assert len(json.loads(plain["check-json"].stdout)) > 50
    differing = [name for name in OUTPUTS if plain[name].stdout != warm[name].stdout]
    assert differing == []


def test_the_baseline_is_byte_identical_across_hash_seeds_and_jobs(tree, tmp_path):
    written = []
    for jobs, seed in (("1", "0"), ("2", "3")):
        baseline = tmp_path / f"baseline-{jobs}.json"
        assert mllint("check", "--no-cache", "--jobs", jobs, "--write-baseline", str(baseline), cwd=tree, seed=seed).returncode == 0
        written.append(baseline.read_bytes())
    assert written[0] == written[1] and written[0].count(b'"fingerprint"') > 20


def test_output_does_not_depend_on_the_order_files_were_created_in(tmp_path):
    files = project_files(copies=1)
    forward, backward = tmp_path / "forward" / "project", tmp_path / "backward" / "project"
    write_files(forward, files)
    write_files(backward, dict(reversed(list(files.items()))))
    outputs = [mllint("check", "--select", "ALL", "--format", "json", "--no-cache", cwd=root).stdout for root in (forward, backward)]
    assert outputs[0] == outputs[1] and json.loads(outputs[0])


def tree_relative(shown: str, cwd: Path, tree: Path) -> str:
    """A path as shown from *cwd*, relative to the project instead."""
    return Path(os.path.relpath(os.path.normpath(cwd / shown), tree)).as_posix()


def mapped(text: str, output_format: str, cwd: Path, tree: Path) -> str:
    """*text* (an output produced in *cwd*) with every path made relative to the project."""
    if output_format == "json":
        findings = json.loads(text)
        for finding in findings:
            finding["path"] = tree_relative(finding["path"], cwd, tree)
        return "\n".join(sorted(json.dumps(finding) for finding in findings))
    lines = []
    for line in text.splitlines():
        location, colon, rest = line.partition(":")
        if colon and " ML" in rest[:40] and not line.startswith(" "):
            line = f"{tree_relative(location, cwd, tree)}:{rest}"
        lines.append(line)
    return "\n".join(sorted(lines))


@pytest.mark.parametrize("output_format", ["json", "text"])
def test_output_from_another_directory_differs_only_in_its_paths(tree, output_format):
    """Paths are shown relative to the current directory: from the project's
    parent they gain its name, from a folder inside it ``..``. Made relative to
    the project again, the outputs hold the same lines (in the order of the paths
    as shown, which is why they are compared sorted)."""
    args = ["check", "--select", "ALL", "--no-cache", "--jobs", "1", "--format", output_format]
    runs = {tree: ".", tree.parent: tree.name, tree / "copy1": ".."}  # copy1: a folder of the project
    shown = {cwd: mllint(*args, path, cwd=cwd).stdout for cwd, path in runs.items()}
    assert len(set(shown.values())) == 3, "the paths are shown relative to where mllint runs"
    assert len({mapped(text, output_format, cwd, tree) for cwd, text in shown.items()}) == 1


def test_a_copied_tree_gives_the_same_output(tree, tmp_path):
    """Nothing absolute (the folder's location, inode numbers, times) reaches the output."""
    copy = tmp_path / "elsewhere" / "project"
    shutil.copytree(tree, copy, ignore=shutil.ignore_patterns(CACHE_DIR))
    args = ["check", "--select", "ALL", "--format", "sarif", "--no-cache"]
    assert mllint(*args, cwd=copy).stdout == mllint(*args, cwd=tree).stdout
