"""Autofix: ``mllint check --fix``, ``--diff``, ``--unsafe-fixes`` and ``--fix-only``,
on Python files and notebooks, through the installed entry point; the applying
machinery's guarantees (dropped fixes, files changed under it) through its API."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mllint.engine.catalogue import load_catalogue
from mllint.engine.findings import Edit, Finding, Fix
from mllint.engine.fixes import fix_in_place, plan_fixes, write_changes
from mllint.engine.rules import Fixability
from mllint.plugins import builtin_rules
from mllint.testkit import lint_tree, write_files

ROOT = Path(__file__).resolve().parent.parent
LEAKY = ROOT / "examples" / "churn-leaky"
ONLY_ML601 = "[tool.mllint]\nselect = ['ML601']\n"


def mllint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    entry = str(Path(sys.executable).with_name("mllint"))
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    return subprocess.run([entry, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


def snapshot(root: Path) -> dict[str, str]:
    """Every file's digest (the result cache aside): what "writes nothing" compares."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".mllint_cache" not in path.parts
    }


def notebook(sources: list[str | list[str]], **dump_options: object) -> str:
    """A v4 notebook with outputs, metadata and ids, dumped with *dump_options*
    (default: as Jupyter writes it, ``indent=1``, non-ASCII kept)."""
    cells: list[dict[str, object]] = [{"cell_type": "markdown", "id": "intro", "metadata": {}, "source": ["# Load the model ✓\n", "text"]}]
    for number, source in enumerate(sources, start=1):
        cells.append({
            "cell_type": "code",
            "execution_count": number,
            "id": f"code-{number}",
            "metadata": {"tags": ["keep"], "collapsed": False},
            "outputs": [{"name": "stdout", "output_type": "stream", "text": ["loaded ✓\n", "done\n"]}],
            "source": source,
        })
    document = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
                "nbformat": 4, "nbformat_minor": 5}
    options = {"indent": 1, "ensure_ascii": False, **dump_options}
    return json.dumps(document, **options) + "\n"  # type: ignore[arg-type]


# --- every fixable rule: a fix in a .py file and in a notebook ------------------------------------

#: (rule, Python source, fixed source, whether the fix is safe). Every rule that offers
#: fixes has cases here (a test fails otherwise); the safety decisions are ML601's document's.
FIXES = [
    ("ML601", "import torch\nnet.load_state_dict(torch.load('w.pt'))\n",
     "import torch\nnet.load_state_dict(torch.load('w.pt', weights_only=True))\n", True),
    ("ML601", "import torch as t\nstate = t.load('w.pt', map_location='cpu')\nnet.load_state_dict(state)\n",
     "import torch as t\nstate = t.load('w.pt', map_location='cpu', weights_only=True)\nnet.load_state_dict(state)\n", True),
    ("ML601", "import torch\nnet.load_state_dict(torch.load(\n    'w.pt',\n    map_location='cpu',\n))\n",
     "import torch\nnet.load_state_dict(torch.load(\n    'w.pt',\n    map_location='cpu',\n    weights_only=True,\n))\n", True),
    # in a block, after a parenthesised last argument (fairseq's checkpoints): the keyword goes after the
    # closing parenthesis, at the arguments' indentation
    ("ML601", "import torch\ndef load(f):\n    with f:\n        state = torch.load(\n            f,\n            map_location=(\n"
     "                lambda s, _: s\n            ),\n        )\n    net.load_state_dict(state)\n",
     "import torch\ndef load(f):\n    with f:\n        state = torch.load(\n            f,\n            map_location=(\n"
     "                lambda s, _: s\n            ),\n            weights_only=True,\n        )\n    net.load_state_dict(state)\n", True),
    ("ML601", "import torch\nmodel = torch.load( 'model.pt' )  # a whole pickled model\n",
     "import torch\nmodel = torch.load( 'model.pt', weights_only=True )  # a whole pickled model\n", False),
    ("ML601", "import yaml\nconfig = yaml.load('lr: 0.1')\n", "import yaml\nconfig = yaml.safe_load('lr: 0.1')\n", True),
    ("ML601", "import yaml as y\nwith open('params.yaml') as f:\n    params = y.load(f)\n",
     "import yaml as y\nwith open('params.yaml') as f:\n    params = y.safe_load(f)\n", True),
    ("ML601", "import yaml\nparams = yaml.full_load(open('params.yaml'))\n", "import yaml\nparams = yaml.safe_load(open('params.yaml'))\n", True),
    ("ML601", "import yaml\ndocs = yaml.unsafe_load_all(open('tagged.yaml'))\n",
     "import yaml\ndocs = yaml.safe_load_all(open('tagged.yaml'))\n", False),
    ("ML601", "import yaml\ndef read(stream):\n    return yaml.load(stream)\n",
     "import yaml\ndef read(stream):\n    return yaml.safe_load(stream)\n", False),
    ("ML704", "import torch\nimport torchvision\nnet = torchvision.models.resnet18()\ny = net.forward(torch.ones(1, 3, 8, 8))\n",
     "import torch\nimport torchvision\nnet = torchvision.models.resnet18()\ny = net(torch.ones(1, 3, 8, 8))\n", True),
    ("ML705", "import numpy as np\nbad = x == np.nan\n", "import numpy as np\nbad = np.isnan(x)\n", False),
    ("ML705", "import pandas as pd\nknown = s != pd.NA\n", "import pandas as pd\nknown = pd.notna(s)\n", False),
]
#: Data files the cases read: plain YAML, and YAML a safe loader reads differently.
DATA = {"params.yaml": "lr: 0.1\nlayers: [16, 8]\n", "tagged.yaml": "point: !!python/tuple [1, 2]\n"}
CASE_IDS = [f"{code}-{number}" for number, (code, *_) in enumerate(FIXES)]


def test_every_fixable_rule_has_fix_cases():
    fixable = {code for code, rule in builtin_rules().items() if rule.fixable is not Fixability.NONE}
    assert fixable == {code for code, *_ in FIXES} | set(CLEARS)


@pytest.mark.parametrize(("code", "source", "fixed", "safe"), FIXES, ids=CASE_IDS)
def test_fix_in_a_python_file(tmp_path, code, source, fixed, safe):
    write_files(tmp_path, {"pyproject.toml": f"[tool.mllint]\nselect = ['{code}']\n", "load.py": source, **DATA})
    done = mllint("check", "--fix", cwd=tmp_path)
    assert (tmp_path / "load.py").read_text() == (fixed if safe else source), done.stdout + done.stderr
    if safe:
        assert (done.returncode, done.stdout.splitlines()[-1]) == (0, "Fixed 1 finding in 1 file."), done.stdout
        return
    assert done.returncode == 1 and "1 fixable with --fix --unsafe-fixes." in done.stdout
    unsafe = mllint("check", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert unsafe.returncode == 0, unsafe.stdout + unsafe.stderr
    assert (tmp_path / "load.py").read_text() == fixed


@pytest.mark.parametrize(("code", "source", "fixed", "safe"), FIXES, ids=CASE_IDS)
def test_fix_in_a_notebook_changes_only_the_cell_source(tmp_path, code, source, fixed, safe):
    original = notebook(["x = 1\n", source.splitlines(keepends=True)])
    write_files(tmp_path, {"pyproject.toml": f"[tool.mllint]\nselect = ['{code}']\n", "eda.ipynb": original, **DATA})
    args = ["check", "--fix", *([] if safe else ["--unsafe-fixes"])]
    done = mllint(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    # the whole file, byte for byte: the same dump with only that cell's source replaced
    assert (tmp_path / "eda.ipynb").read_text() == notebook(["x = 1\n", fixed.splitlines(keepends=True)])


def test_notebook_fix_edits_are_in_the_cells_coordinates(tmp_path):
    write_files(tmp_path, {"pyproject.toml": ONLY_ML601, "eda.ipynb": notebook(["import yaml\n", "x = 1\ncfg = yaml.load('a: 1')"])})
    [finding] = json.loads(mllint("check", "--format", "json", cwd=tmp_path).stdout)
    assert (finding["cell"], finding["line"], finding["column"]) == (3, 2, 7)
    assert finding["fix"]["applicability"] == "safe"
    assert finding["fix"]["edits"] == [{"line": 2, "column": 12, "end_line": 2, "end_column": 16, "content": "safe_load"}]


# --- notebook layouts: kept byte for byte, or the file is left alone with a reason ---------------

LOAD_CELL = ["import torch\n", "net.load_state_dict(torch.load('w.pt'))"]
FIXED_CELL = ["import torch\n", "net.load_state_dict(torch.load('w.pt', weights_only=True))"]


@pytest.mark.parametrize(
    ("layout", "dump"),
    [
        ("jupyter", lambda cell: notebook([cell])),
        ("indent 2, ASCII escapes", lambda cell: notebook([cell], indent=2, ensure_ascii=True)),
        ("CRLF line ends, BOM", lambda cell: "\ufeff" + notebook([cell]).replace("\n", "\r\n")),
        ("no final newline", lambda cell: notebook([cell]).rstrip("\n")),
        ("compact, one line", lambda cell: notebook([cell], indent=None, separators=(",", ":"))),
        ("tabs, sorted keys", lambda cell: notebook([cell], indent="\t", sort_keys=True)),
        ("source as one string", lambda cell: notebook(["".join(cell)])),
    ],
)
def test_notebook_layout_is_kept(tmp_path, layout, dump):
    write_files(tmp_path, {"pyproject.toml": ONLY_ML601})
    (tmp_path / "nb.ipynb").write_bytes(dump(LOAD_CELL).encode("utf-8"))
    done = mllint("check", "--fix", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    expected = dump(FIXED_CELL if "one string" not in layout else ["".join(FIXED_CELL)])
    assert (tmp_path / "nb.ipynb").read_bytes() == expected.encode("utf-8")


def test_a_fix_that_adds_lines_to_a_cell_keeps_the_list_layout(tmp_path):
    cell = ["import torch\n", "net.load_state_dict(torch.load(\n", "    'w.pt',\n", "))\n", "# é unchanged \\ line"]

    def escaped(text: str) -> str:  # an escape json.dumps would not write: the line's own JSON text must stay
        return text.replace('"# é unchanged', '"# \\u00e9 unchanged')

    write_files(tmp_path, {"pyproject.toml": ONLY_ML601, "nb.ipynb": escaped(notebook([cell]))})
    assert mllint("check", "--fix", cwd=tmp_path).returncode == 0
    fixed = [*cell[:3], "    weights_only=True,\n", *cell[3:]]
    assert (tmp_path / "nb.ipynb").read_text() == escaped(notebook([fixed]))


def test_a_cell_ipython_cleans_up_is_fixed_in_its_own_columns(tmp_path):
    cell = ["    import torch\n", "    net.load_state_dict(torch.load('w.pt'))\n"]  # runs in Jupyter: the indentation is removed
    write_files(tmp_path, {"pyproject.toml": ONLY_ML601, "nb.ipynb": notebook(["%matplotlib inline\n", cell])})
    assert mllint("check", "--fix", cwd=tmp_path).returncode == 0
    fixed = [cell[0], "    net.load_state_dict(torch.load('w.pt', weights_only=True))\n"]
    assert (tmp_path / "nb.ipynb").read_text() == notebook(["%matplotlib inline\n", fixed])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (notebook([["import torch\nnet.load_state_dict(", "torch.load('w.pt'))"]]), "the lines of its source are split unusually"),
        (json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
            {"cell_type": "code", "input": LOAD_CELL, "language": "python", "outputs": []}]}]}), "nbformat 3 notebook"),
    ],
    ids=["unusual-split", "nbformat-3"],
)
def test_a_notebook_whose_layout_cannot_be_kept_is_not_written(tmp_path, text, reason):
    write_files(tmp_path, {"pyproject.toml": ONLY_ML601, "nb.ipynb": text})
    done = mllint("check", "--fix", cwd=tmp_path)
    assert done.returncode == 1 and "ML601" in done.stdout
    assert "mllint: warning: nb.ipynb: not fixed: " in done.stderr and reason in done.stderr
    assert (tmp_path / "nb.ipynb").read_text() == text


# --- Python files: encodings, line ends, modes, links ---------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"import torch\r\nnet.load_state_dict(torch.load(\r\n    p,\r\n))\r\n",
         b"import torch\r\nnet.load_state_dict(torch.load(\r\n    p,\r\n    weights_only=True,\r\n))\r\n"),
        (b"\xef\xbb\xbfimport torch\nnet.load_state_dict(torch.load(p))  # \xc3\xa9\n",
         b"\xef\xbb\xbfimport torch\nnet.load_state_dict(torch.load(p, weights_only=True))  # \xc3\xa9\n"),
        (b"# -*- coding: latin-1 -*-\nimport torch\nnet.load_state_dict(torch.load('\xe9.pt'))\n",
         b"# -*- coding: latin-1 -*-\nimport torch\nnet.load_state_dict(torch.load('\xe9.pt', weights_only=True))\n"),
        (b"import torch\nif 1:\n\tnet.load_state_dict(torch.load(p)) if 0 else 0 # \xf0\x9f\x94\xa5\n",
         b"import torch\nif 1:\n\tnet.load_state_dict(torch.load(p, weights_only=True)) if 0 else 0 # \xf0\x9f\x94\xa5\n"),
    ],
    ids=["crlf", "bom", "latin-1", "tab-and-astral"],
)
def test_python_file_bytes_are_kept(tmp_path, before, after):
    write_files(tmp_path, {"pyproject.toml": ONLY_ML601})
    (tmp_path / "load.py").write_bytes(before)
    assert mllint("check", "--fix", cwd=tmp_path).returncode == 0
    assert (tmp_path / "load.py").read_bytes() == after


def test_write_keeps_the_mode_leaves_no_temporary_file_and_follows_links(tmp_path):
    write_files(tmp_path, {"pyproject.toml": ONLY_ML601, "src/load.py": "import yaml\nc = yaml.load('a: 1')\n"})
    (tmp_path / "src" / "load.py").chmod(0o640)
    (tmp_path / "link.py").symlink_to("src/load.py")
    done = mllint("check", "--fix", "src/load.py", "link.py", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "src" / "load.py").read_text() == "import yaml\nc = yaml.safe_load('a: 1')\n"
    assert (tmp_path / "src" / "load.py").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "link.py").is_symlink()
    assert sorted(p.name for p in (tmp_path / "src").iterdir()) == ["load.py"]


# --- passes, idempotence, the summary ----------------------------------------------------------


def test_overlapping_fixes_are_applied_on_a_second_pass(tmp_path):
    """The outer comparison's fix rewrites the text holding the inner one's: the
    inner fix waits for a second pass over the re-parsed file."""
    write_files(tmp_path, {"pyproject.toml": "[tool.mllint]\nselect = ['ML705']\n",
                           "m.py": "import numpy as np\nok = (a == np.nan) != np.nan\n"})
    shown = mllint("check", "--diff", "--unsafe-fixes", cwd=tmp_path)
    assert "+ok = ~np.isnan(a == np.nan)" in shown.stdout
    assert "1 more fix overlap these and would follow on a later pass of --fix" in shown.stderr
    done = mllint("check", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "Fixed 2 findings in 1 file."
    assert (tmp_path / "m.py").read_text() == "import numpy as np\nok = ~np.isnan(np.isnan(a))\n"


def test_nested_insertions_apply_in_one_pass(tmp_path):
    """ML601's fix inserts ``weights_only=True`` and touches nothing else of the
    call, so nested loads are fixed together."""
    write_files(tmp_path, {"pyproject.toml": ONLY_ML601, "load.py": "import torch\nnet.load_state_dict(torch.load(torch.load(p)))\n"})
    shown = mllint("check", "--diff", "--unsafe-fixes", cwd=tmp_path)
    assert "+net.load_state_dict(torch.load(torch.load(p, weights_only=True), weights_only=True))" in shown.stdout
    assert "overlap" not in shown.stderr
    done = mllint("check", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert done.stdout.splitlines()[-1] == "Fixed 2 findings in 1 file."
    assert (tmp_path / "load.py").read_text() == "import torch\nnet.load_state_dict(torch.load(torch.load(p, weights_only=True), weights_only=True))\n"


def test_second_fix_changes_nothing(tmp_path):
    write_files(tmp_path, {
        "pyproject.toml": ONLY_ML601,
        "a.py": "import torch\nimport yaml\nnet.load_state_dict(torch.load(p))\nm = torch.load(q)\nc = yaml.load('a: 1')\n",
        "nb.ipynb": notebook([["import yaml\n", "c = yaml.full_load('a: 1')"]]),
    })
    first = mllint("check", "--fix", cwd=tmp_path)
    assert first.returncode == 1  # the unsafe fix is left, with its finding
    assert first.stdout.splitlines()[-2:] == ["1 fixable with --fix --unsafe-fixes.", "Fixed 3 findings in 2 files."]
    fixed = snapshot(tmp_path)
    second = mllint("check", "--fix", cwd=tmp_path)
    assert snapshot(tmp_path) == fixed
    assert second.returncode == 1 and "Fixed" not in second.stdout and second.stderr == ""
    assert [line.split()[0] for line in second.stdout.splitlines() if "ML601" in line] == ["a.py:4:5:"]


def test_summary_counts_safe_and_unsafe_fixes(tmp_path):
    write_files(tmp_path, {"pyproject.toml": ONLY_ML601, "a.py": "import torch\nimport yaml\nm = torch.load(q)\nc = yaml.load('a: 1')\nd = yaml.load('b: 2')\n"})
    done = mllint("check", cwd=tmp_path)
    assert done.stdout.splitlines()[-1] == "2 fixable with --fix (1 more with --unsafe-fixes)."


def test_fix_only_reports_nothing_else_and_exits_0(tmp_path):
    write_files(tmp_path, {"pyproject.toml": ONLY_ML601, "a.py": "import torch\nimport yaml\nm = torch.load(q)\nc = yaml.load('a: 1')\n"})
    done = mllint("check", "--fix-only", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "mllint: Fixed 1 finding in 1 file.\n")
    assert "yaml.safe_load('a: 1')" in (tmp_path / "a.py").read_text()
    assert mllint("check", "--fix", "--no-fix", cwd=tmp_path).returncode == 1  # --no-fix: report only
    assert "torch.load(q)\n" in (tmp_path / "a.py").read_text()


# --- --diff writes nothing ----------------------------------------------------------------------


def test_diff_prints_the_fixes_and_writes_nothing(tmp_path):
    write_files(tmp_path, {
        "pyproject.toml": ONLY_ML601,
        "a.py": "import yaml\nc = yaml.load('a: 1')\n",
        "nb.ipynb": notebook([["import torch\n", "net.load_state_dict(torch.load(p))"]]),
    })
    before = snapshot(tmp_path)
    done = mllint("check", "--diff", cwd=tmp_path)
    assert snapshot(tmp_path) == before
    assert done.returncode == 1
    assert done.stdout == (
        "--- a.py\n+++ a.py\n@@ -1,2 +1,2 @@\n import yaml\n-c = yaml.load('a: 1')\n+c = yaml.safe_load('a: 1')\n"
        "--- nb.ipynb:cell 2\n+++ nb.ipynb:cell 2\n@@ -1,2 +1,2 @@\n import torch\n"
        "-net.load_state_dict(torch.load(p))\n\\ No newline at end of file\n"
        "+net.load_state_dict(torch.load(p, weights_only=True))\n\\ No newline at end of file\n"
    )
    assert done.stderr == "mllint: would fix 2 findings in 2 files\n"
    assert mllint("check", "--diff", "--exit-zero", cwd=tmp_path).returncode == 0


def test_diff_exits_0_when_nothing_can_be_fixed(tmp_path):
    write_files(tmp_path, {"pyproject.toml": ONLY_ML601, "a.py": "import torch\nm = torch.load(q)\n"})
    done = mllint("check", "--diff", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == "mllint: nothing to fix (1 more fix with --unsafe-fixes)\n"


# --- the machinery's guarantees, through its API ------------------------------------------------


def finding(path: str, line: int, source_line: str, *edits: Edit, safe: bool = True) -> Finding:
    return Finding("ML601", "m", path=path, line=line, column=1, end_line=line, end_column=1,
                   fix=Fix("a fix", tuple(edits), safe), source_line=source_line)


def test_a_fix_that_would_not_parse_is_dropped_and_the_others_applied(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("x = f(1)\ny = g(2)\n")
    broken = finding("a.py", 1, "x = f(1)", Edit(1, 6, 1, 7, "(("))
    good = finding("a.py", 2, "y = g(2)", Edit(2, 7, 2, 8, "3"))
    report = fix_in_place([broken, good], unsafe=False, relint=lambda paths, findings: [])
    assert (tmp_path / "a.py").read_text() == "x = f(1)\ny = g(3)\n"
    assert report.fixed == 1
    [problem] = report.problems
    assert problem.startswith("a.py:1:1: ML601 fix (a fix) dropped: the fixed code would not parse (")


def test_a_file_changed_between_read_and_write_is_not_overwritten(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("x = f(1)\n")
    plan = plan_fixes([finding("a.py", 1, "x = f(1)", Edit(1, 7, 1, 8, "2"))], unsafe=False)
    assert [change.after for change in plan.changes] == [b"x = f(2)\n"]
    (tmp_path / "a.py").write_text("x = f(1)  # edited meanwhile\n")
    written, problems = write_changes(plan.changes)
    assert written == []
    assert problems == ["a.py: not written: it changed on disk after mllint read it, so it was not overwritten"]
    assert (tmp_path / "a.py").read_text() == "x = f(1)  # edited meanwhile\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]


def test_a_file_changed_after_it_was_linted_is_not_fixed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, {"pyproject.toml": ONLY_ML601, "a.py": "import yaml\nc = yaml.load('a: 1')\n"})
    findings = lint_tree(tmp_path, select=["ML601"])
    assert [f.path for f in findings] == ["a.py"]
    (tmp_path / "a.py").write_text("import yaml\n\nc = yaml.load('a: 1')\n")  # a line inserted above
    plan = plan_fixes(findings, unsafe=False)
    assert (plan.changes, plan.problems) == ([], ["a.py: not fixed: it changed after it was linted"])


def test_unsafe_fixes_are_applied_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("x = f(1)\n")
    unsafe = [finding("a.py", 1, "x = f(1)", Edit(1, 7, 1, 8, "2"), safe=False)]
    assert plan_fixes(unsafe, unsafe=False).changes == []
    assert [change.after for change in plan_fixes(unsafe, unsafe=True).changes] == [b"x = f(2)\n"]


# --- the example, the rule list and the rule documents ----------------------------------------------


def test_fix_on_a_copy_of_the_leaky_example(tmp_path):
    copy = tmp_path / "leaky"
    shutil.copytree(LEAKY, copy, ignore=shutil.ignore_patterns(".mllint_cache"))
    notebook_before = (copy / "security_explore.ipynb").read_text()
    script_before = (copy / "train_torch.py").read_text()
    done = mllint("check", "--fix", "leaky", cwd=tmp_path)
    assert done.returncode == 1 and done.stdout.splitlines()[-1] == "Fixed 2 findings in 2 files.", done.stdout + done.stderr
    assert (copy / "security_explore.ipynb").read_text() == notebook_before.replace(
        '"    columns = yaml.load(f)"', '"    columns = yaml.safe_load(f)"')
    assert (copy / "train_torch.py").read_text() == script_before.replace("model.forward(xb)", "model(xb)")
    remaining = json.loads(mllint("check", "--format", "json", "leaky", cwd=tmp_path).stdout)
    assert remaining and not [f for f in remaining if f["fix"] is not None and f["fix"]["applicability"] == "safe"]
    fixed = snapshot(copy)
    again = mllint("check", "--fix", "leaky", cwd=tmp_path)
    assert snapshot(copy) == fixed and "Fixed" not in again.stdout


def test_readme_shows_what_diff_prints_on_the_example(tmp_path):
    shutil.copytree(LEAKY, tmp_path / "churn-leaky", ignore=shutil.ignore_patterns(".mllint_cache"))
    readme = (ROOT / "README.md").read_text()
    shown = readme.split("$ mllint check --diff churn-leaky")[1].split("\n", 1)[1].split("$ mllint check --fix")[0]
    done = mllint("check", "--diff", "churn-leaky", cwd=tmp_path)
    assert done.returncode == 1
    assert shown == done.stdout + done.stderr


def test_rules_lists_fix_availability():
    rows = {row["code"]: row for row in json.loads(mllint("rules", "--format", "json", cwd=ROOT).stdout)}
    expected = {"ML601": "safe/unsafe", "ML704": "safe", "ML705": "unsafe", "ML802": "unsafe", "ML805": "unsafe"}
    assert {code: rows[code]["fixable"] for code in expected} == expected
    assert {row["fixable"] for code, row in rows.items() if code not in expected} == {"no"}
    table = mllint("rules", cwd=ROOT).stdout.splitlines()
    assert {line.split()[0]: line.split()[5] for line in table if line.split()[0] in expected} == expected


@pytest.mark.parametrize("code", sorted(load_catalogue()))
def test_every_rule_document_says_how_safe_its_fixes_are(code):
    fix = load_catalogue()[code].sections["Fix"]
    [paragraph] = [p for p in fix.split("\n\n") if p.startswith("**Fix safety.**")]
    fixable = builtin_rules()[code].fixable
    if fixable is Fixability.NONE:
        assert paragraph.startswith("**Fix safety.** No automatic fix: ")
    elif fixable is Fixability.UNSAFE:
        assert "**unsafe**" in paragraph and "**safe**" not in paragraph and "--unsafe-fixes" in paragraph
    else:
        assert "**safe**" in fix and "**unsafe**" in fix


# --- ML802/ML805: clearing the reported cell's outputs, an unsafe fix --------------------------

#: The rules whose fix clears the reported cell's outputs, with the configuration that
#: makes the output of cell 3 of :func:`outputs_notebook` a finding.
CLEARS = {
    "ML802": "[tool.mllint]\nselect = ['ML802']\n",
    "ML805": "[tool.mllint]\nselect = ['ML805']\n[tool.mllint.rules.ML805]\nmax-output-size = \"1KiB\"\n",
}
#: Outputs a rule reports: a traceback (ML802) and a 2 KiB stream (ML805)
REPORTED = [
    {"ename": "ValueError", "evalue": "bad row", "output_type": "error", "traceback": ["Traceback (most recent call last)", "ValueError: bad row"]},
    {"name": "stdout", "output_type": "stream", "text": ["x" * 2048 + "\n"]},
]


def outputs_notebook(reported: list[dict[str, object]] | None = None) -> str:
    """:func:`notebook` with two code cells, cell 3's outputs replaced by *reported*
    (the stream output of :func:`notebook` when None)."""
    document = json.loads(notebook(["x = 1\n", ["rows = load()\n", "check(rows)"]]))
    if reported is not None:
        document["cells"][2]["outputs"] = reported
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("code", sorted(CLEARS))
def test_clearing_outputs_is_unsafe_and_changes_only_that_outputs_value(tmp_path, code):
    original = outputs_notebook(REPORTED)
    write_files(tmp_path, {"pyproject.toml": CLEARS[code], "eda.ipynb": original})
    # with the cache on: the second run reads the first run's findings, fix included
    safe = mllint("check", "--fix", cwd=tmp_path)
    assert safe.returncode == 1 and "1 fixable with --fix --unsafe-fixes." in safe.stdout
    assert (tmp_path / "eda.ipynb").read_text() == original
    done = mllint("check", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert (done.returncode, done.stdout.splitlines()[-1]) == (0, "Fixed 1 finding in 1 file."), done.stdout + done.stderr
    # byte for byte: the original text with exactly cell 3's `outputs` value replaced by []
    outputs = json.dumps(REPORTED, indent=1, ensure_ascii=False).replace("\n", "\n   ")
    assert original.count(f'"outputs": {outputs}') == 1
    assert (tmp_path / "eda.ipynb").read_text() == original.replace(f'"outputs": {outputs}', '"outputs": []')
    fixed = snapshot(tmp_path)
    again = mllint("check", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert (again.returncode, snapshot(tmp_path)) == (0, fixed)


def test_clearing_outputs_keeps_the_execution_count_and_the_other_cells(tmp_path):
    write_files(tmp_path, {"pyproject.toml": CLEARS["ML802"], "eda.ipynb": outputs_notebook(REPORTED)})
    mllint("check", "--fix", "--unsafe-fixes", cwd=tmp_path)
    cells = json.loads((tmp_path / "eda.ipynb").read_text())["cells"]
    assert [(cell.get("execution_count"), len(cell.get("outputs", []))) for cell in cells] == [(None, 0), (1, 1), (2, 0)]


def test_both_rules_on_one_cell_share_one_clearing(tmp_path):
    config = CLEARS["ML805"].replace("['ML805']", "['ML802', 'ML805']")
    write_files(tmp_path, {"pyproject.toml": config, "eda.ipynb": outputs_notebook(REPORTED)})
    done = mllint("check", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert (done.returncode, done.stdout.splitlines()[-1]) == (0, "Fixed 2 findings in 1 file."), done.stdout + done.stderr


def test_diff_shows_the_cleared_outputs_and_writes_nothing(tmp_path):
    write_files(tmp_path, {"pyproject.toml": CLEARS["ML802"], "eda.ipynb": outputs_notebook(REPORTED)})
    before = snapshot(tmp_path)
    hidden = mllint("check", "--diff", cwd=tmp_path)
    assert (hidden.returncode, hidden.stdout) == (0, "")
    assert hidden.stderr == "mllint: nothing to fix (1 more fix with --unsafe-fixes)\n"
    shown = mllint("check", "--diff", "--unsafe-fixes", cwd=tmp_path)
    assert (shown.returncode, shown.stdout) == (1, "eda.ipynb:cell 3: outputs cleared (2 outputs)\n")
    assert shown.stderr == "mllint: would fix 1 finding in 1 file\n"
    assert snapshot(tmp_path) == before


def test_json_says_the_fix_clears_outputs(tmp_path):
    write_files(tmp_path, {"pyproject.toml": CLEARS["ML802"], "eda.ipynb": outputs_notebook(REPORTED)})
    [finding] = json.loads(mllint("check", "--format", "json", cwd=tmp_path).stdout)
    assert finding["fix"] == {"message": "clear this cell's outputs", "applicability": "unsafe", "edits": [], "clear_outputs": True}


def test_clearing_outputs_is_refused_when_the_cell_has_two_outputs_keys(tmp_path):
    broken = outputs_notebook(REPORTED).replace('"execution_count": 2,', '"execution_count": 2,\n   "outputs": [],', 1)
    write_files(tmp_path, {"pyproject.toml": CLEARS["ML802"], "eda.ipynb": broken})
    before = snapshot(tmp_path)
    done = mllint("check", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert snapshot(tmp_path) == before
    assert "eda.ipynb: not fixed: cell 3: it has two `outputs` keys" in done.stderr
