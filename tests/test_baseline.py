"""Baselines, end to end through the installed entry point: ``--write-baseline``
records today's findings, ``--baseline`` (or the ``baseline`` key) reports only
new ones, and entries that no longer match are counted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mllint.testkit import write_files

MLLINT = str(Path(sys.executable).with_name("mllint"))
STALE = "1 baseline entry no longer matches: remove it with --write-baseline"

LOAD_MODEL = '''\
def load_model(path):
    with open(path, "rb") as handle:
        model = pickle.load(handle)
    return model
'''
LOAD_DATA = '''\
def load_data(path):
    return pickle.loads(open(path, "rb").read())
'''


def mllint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MLLINT, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def serve(*blocks: str, header: str = "import pickle\n") -> str:
    return header + "".join(f"\n\n{block}" for block in blocks)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Two accepted ML601 findings in serve.py, baselined in base.json."""
    write_files(tmp_path, {"pyproject.toml": "[tool.mllint]\nselect = ['ML601']\n", "serve.py": serve(LOAD_MODEL, LOAD_DATA)})
    written = mllint("check", "--write-baseline", "base.json", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert written.stdout == ""
    assert written.stderr == "mllint: wrote 2 findings (2 entries) to the baseline base.json\n"
    return tmp_path


def test_the_baseline_file_is_sorted_one_entry_per_line_and_deterministic(project):
    text = (project / "base.json").read_text()
    data = json.loads(text)
    assert data["mllint-baseline"] == 1
    assert [list(entry) for entry in data["findings"]] == [["code", "path", "text", "fingerprint", "count"]] * 2
    assert sorted(e["text"] for e in data["findings"]) == ['model = pickle.load(handle)', 'return pickle.loads(open(path, "rb").read())']
    assert data["findings"] == sorted(data["findings"], key=lambda e: (e["path"], e["code"], e["fingerprint"]))
    entry_lines = [line for line in text.splitlines() if line.lstrip().startswith('{"code"')]
    assert [json.loads(line.rstrip(",")) for line in entry_lines] == data["findings"]
    mllint("check", "--write-baseline", "again.json", cwd=project)
    assert (project / "again.json").read_text() == text


def test_round_trip(project):
    source = project / "serve.py"
    assert mllint("check", "--baseline", "base.json", cwd=project).stdout.startswith("All checks passed!")

    # code inserted above, load_model moved down (a finding's context is its line and
    # the nearest non-blank lines around it: load_data stays last in the file)
    source.write_text(serve("X = {'a':1,\n     'b':2}\n", LOAD_MODEL, LOAD_DATA, header='"""Serving."""\nimport os\nimport pickle\n'))
    moved = mllint("check", "--baseline", "base.json", cwd=project)
    assert moved.returncode == 0, moved.stdout
    assert moved.stdout.startswith("All checks passed!")
    assert "no longer match" not in moved.stdout

    # a second copy of an accepted violation is new: exactly one finding, the later one
    source.write_text(serve(LOAD_MODEL, LOAD_MODEL.replace("load_model", "load_backup"), LOAD_DATA))
    copied = mllint("check", "--baseline", "base.json", "--format", "json", cwd=project)
    assert copied.returncode == 1
    assert [(f["code"], f["line"]) for f in json.loads(copied.stdout)] == [("ML601", 12)]
    statistics = mllint("check", "--baseline", "base.json", "--statistics", cwd=project)
    assert statistics.stdout.splitlines() == ["1  ML601  unsafe-deserialization", "1  total"]

    # a violation removed: its entry is stale, and the run passes
    source.write_text(serve(LOAD_MODEL))
    removed = mllint("check", "--baseline", "base.json", cwd=project)
    assert removed.returncode == 0
    assert removed.stdout.splitlines() == ["All checks passed! (1 file linted)", STALE]


def test_without_the_baseline_every_finding_is_reported(project):
    done = mllint("check", cwd=project)
    assert done.returncode == 1
    assert "Found 2 findings" in done.stdout


@pytest.mark.parametrize(
    "args, stale",
    [
        (["serve.py"], True),  # the stale entry's file is linted
        (["other.py"], False),  # another file: the entry could not have matched
        (["--select", "ML201"], False),  # another rule
        (["--quiet"], False),  # no summary, so no note
    ],
)
def test_stale_entries_are_counted_only_where_the_run_looks(project, args, stale):
    (project / "other.py").write_text(serve(LOAD_DATA))
    (project / "serve.py").write_text(serve(LOAD_MODEL))
    done = mllint("check", "--baseline", "base.json", *args, cwd=project)
    assert (STALE in done.stdout) is stale, done.stdout


@pytest.mark.parametrize("args, stdout", [(["--format", "json"], "[]\n"), (["--statistics"], "0  total\n")])
def test_without_a_text_summary_the_stale_note_goes_to_stderr(project, args, stdout):
    (project / "serve.py").write_text(serve(LOAD_MODEL))
    done = mllint("check", "--baseline", "base.json", *args, cwd=project)
    assert done.stdout == stdout
    assert done.stderr == f"mllint: note: {STALE}\n"


def test_the_configured_baseline_is_used_from_any_folder(project):
    (project / "pyproject.toml").write_text("[tool.mllint]\nselect = ['ML601']\nbaseline = 'base.json'\n")
    (project / "sub").mkdir()
    (project / "sub" / "extra.py").write_text(serve(LOAD_DATA.replace("load_data", "load_more"), header="import pickle\nimport os\n"))
    done = mllint("check", "..", cwd=project / "sub")
    assert done.returncode == 1
    assert [line.split()[0] for line in done.stdout.splitlines() if " ML601 " in line] == ["extra.py:6:12:"]
    assert "Found 1 finding " in done.stdout


def test_writing_a_baseline_records_every_finding_even_with_a_baseline(project):
    (project / "serve.py").write_text(serve(LOAD_MODEL, LOAD_DATA, LOAD_DATA.replace("load_data", "load_more")))
    done = mllint("check", "--baseline", "base.json", "--write-baseline", "base.json", cwd=project)
    assert done.returncode == 0
    assert done.stderr == "mllint: wrote 3 findings (3 entries) to the baseline base.json\n"
    assert mllint("check", "--baseline", "base.json", cwd=project).returncode == 0


@pytest.mark.parametrize(
    "content, problem",
    [
        (None, "base.json: cannot read the baseline: No such file or directory"),
        ("{", "base.json: not a mllint baseline: invalid JSON: "),
        ("[]", 'base.json: not a mllint baseline: expected an object with "mllint-baseline"'),
        ('{"mllint-baseline": 9, "findings": []}', "base.json: unsupported baseline version 9"),
        ('{"mllint-baseline": 1, "findings": {}}', 'base.json: not a mllint baseline: "findings" must be a list'),
        ('{"mllint-baseline": 1, "findings": [{"count": 1}]}', "base.json: findings entry 1: fingerprint: expected 16 hexadecimal digits"),
        ('{"mllint-baseline": 1, "findings": [{"fingerprint": "0123456789abcdef", "count": 0}]}', "base.json: findings entry 1: count: expected a positive integer"),
        ('{"mllint-baseline": 1, "findings": [{"fingerprint": "0123456789abcdef", "count": 1, "path": 3}]}', "base.json: findings entry 1: path: expected a string"),
        (
            '{"mllint-baseline": 1, "findings": [{"fingerprint": "0123456789abcdef", "count": 1}, {"fingerprint": "0123456789abcdef", "count": 2}]}',
            "base.json: fingerprint 0123456789abcdef appears in more than one entry",
        ),
    ],
)
def test_a_bad_baseline_is_a_one_line_error(project, content, problem):
    if content is None:
        (project / "base.json").unlink()
    else:
        (project / "base.json").write_text(content)
    done = mllint("check", "--baseline", "base.json", cwd=project)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"mllint: error: {problem}")
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize("value", ["3", "''", "['base.json']"])
def test_a_bad_baseline_key_is_a_configuration_error(tmp_path, value):
    write_files(tmp_path, {"pyproject.toml": f"[tool.mllint]\nbaseline = {value}\n", "a.py": "x = 1\n"})
    done = mllint("check", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("mllint: error: pyproject.toml: tool.mllint.baseline: expected the baseline's file name")
