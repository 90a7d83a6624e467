"""Finding fingerprints: stable across runs and edits elsewhere, different for other lines."""

from __future__ import annotations

from mllint.engine.fingerprints import fingerprint
from mllint.testkit import lint_tree, notebook_json

LOAD = "import pickle\nmodel = pickle.load(open('m.pkl', 'rb'))\n"


def prints(root, files):
    return sorted(f.fingerprint for f in lint_tree(root, files, select=["ML601"]))


def test_equal_across_runs_and_after_lines_are_added_above(tmp_path):
    first = prints(tmp_path / "a", {"serve.py": LOAD})
    assert first == prints(tmp_path / "a", {"serve.py": LOAD})
    assert first == prints(tmp_path / "b", {"serve.py": "# a comment\n\n" + LOAD.replace("import pickle\n", "import pickle\n\n\n")})
    assert first == prints(tmp_path / "c", {"serve.py": LOAD.replace("model = ", "model =   ")})  # reformatted


def test_different_rule_path_or_line_text_differ():
    lines = ["import pickle", "model = pickle.load(f)", ""]
    base = fingerprint("ML601", "serve.py", lines, 2, "m")
    assert base != fingerprint("ML602", "serve.py", lines, 2, "m")
    assert base != fingerprint("ML601", "api.py", lines, 2, "m")
    assert base != fingerprint("ML601", "serve.py", ["import pickle", "other = pickle.load(f)", ""], 2, "m")
    assert fingerprint("ML204", "requirements.txt", None, 0, "a") != fingerprint("ML204", "requirements.txt", None, 0, "b")


def test_notebook_findings_do_not_depend_on_the_cells_position(tmp_path):
    cells = ["import pickle\n", "model = pickle.load(open('m.pkl', 'rb'))\n"]
    moved = prints(tmp_path / "b", {"nb.ipynb": notebook_json([("markdown", "# Intro\n"), *cells])})
    assert prints(tmp_path / "a", {"nb.ipynb": notebook_json(cells)}) == moved
