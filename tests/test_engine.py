"""The engine on hostile input: nothing aborts the run or loses other findings."""

from __future__ import annotations

import json

from mllint.testkit import init_git, lint_tree, notebook_json

PROBE = "import probe as pb\npb.target()\n"


def by_path(findings):
    grouped = {}
    for f in findings:
        grouped.setdefault(f.path, []).append(f.code)
    return grouped


def test_hostile_tree_is_linted_without_losing_findings(tmp_path, probes):
    files = {
        "good.py": PROBE,
        "syntax.py": "def f(:\n    pass\n",
        "truncated.ipynb": notebook_json(["import probe\n"])[:40],
        "binary.py": bytes(range(256)),
        "latin1.py": "# -*- coding: latin-1 -*-\nimport probe\nname = 'café'\nprobe.target()\n".encode("latin-1"),
        "empty.py": "",
        "deep.py": "import probe\nx = " + " + ".join(["1"] * 20_000) + "\nprobe.target()\n",
        "parens.py": "x = " + "(" * 5000 + ")" * 5000 + "\n",
        "magics.ipynb": notebook_json(
            [
                "%matplotlib inline\n%load_ext autoreload\n!pip install probe\n",
                "%%bash\necho hi\n",
                "%%time\nimport probe\nfiles = !ls\nprobe.target?\n",
                "probe.target()\n",
            ]
        ),
        "nul.py": "import probe\nx = 1\x00\n",
    }
    found = by_path(lint_tree(tmp_path, files, select=["ML990", "ML001", "ML002"], rules=probes))
    assert found["good.py"] == ["ML990"]
    assert found["syntax.py"] == ["ML001"]
    assert found["truncated.ipynb"] == ["ML002"]
    assert found["binary.py"] == ["ML001"]
    assert found["latin1.py"] == ["ML990"]
    assert "empty.py" not in found
    assert found["deep.py"] == ["ML001"]
    assert found["parens.py"] == ["ML001"]
    assert found["magics.ipynb"] == ["ML990"]
    assert found["nul.py"] == ["ML001"]


def test_syntax_error_position_is_precise(tmp_path):
    [finding] = lint_tree(tmp_path, {"bad.py": "x = 1\ndef f(:\n    pass\n"}, select=["ML001"])
    assert (finding.code, finding.line, finding.column) == ("ML001", 2, 7)


def test_crashing_rule_is_reported_and_others_keep_their_findings(tmp_path, probes):
    findings = lint_tree(tmp_path, {"a.py": PROBE, "b.py": PROBE}, select=["ML990", "ML991"], rules=probes)
    assert sorted((f.path, f.code) for f in findings) == [
        ("a.py", "ML000"), ("a.py", "ML990"), ("b.py", "ML000"), ("b.py", "ML990"),
    ]
    crash = next(f for f in findings if f.code == "ML000")
    assert "ML991" in crash.message and "ValueError: boom" in crash.message


def test_aliases_resolve_and_lookalikes_do_not(tmp_path, probes):
    source = (
        "from probe import target as t\n"
        "import probe\n"
        "def target():\n    pass\n"
        "t()\n"           # alias: reported
        "target()\n"      # local function of the same name: silent
        "obj.target()\n"  # method on an unrelated object: silent
        "'probe.target()'\n"  # a string: silent
        "# probe.target()\n"  # a comment: silent
    )
    findings = lint_tree(tmp_path, {"m.py": source}, select=["ML990"], rules=probes)
    assert [(f.line, f.column) for f in findings] == [(5, 1)]


def test_files_without_trigger_text_are_not_parsed_with_libcst(tmp_path, probes, monkeypatch):
    import libcst

    parsed = []
    original = libcst.parse_module
    monkeypatch.setattr(libcst, "parse_module", lambda src, *a, **k: parsed.append(src) or original(src, *a, **k))
    lint_tree(tmp_path, {"plain.py": "x = 1\n", "hit.py": PROBE}, select=["ML990"], rules=probes)
    assert parsed == [PROBE]


def test_notebook_findings_carry_cell_and_line(tmp_path, probes):
    notebook = notebook_json(
        [
            ("markdown", "# Churn model\n"),
            "import probe\n%matplotlib inline\n",
            ("markdown", "## Train\n"),
            "x = 1\n\nprobe.target()\n",
        ]
    )
    [finding] = lint_tree(tmp_path, {"nb.ipynb": notebook}, select=["ML990"], rules=probes)
    assert (finding.cell, finding.line, finding.column) == (4, 3, 1)
    # the physical line in the .ipynb file holds that source line
    physical = (tmp_path / "nb.ipynb").read_text().splitlines()[finding.physical_line - 1]
    assert "probe.target()" in physical
    assert json.loads(physical.strip().rstrip(",")) == "probe.target()\n"


def test_notebook_cell_syntax_error_keeps_other_cells(tmp_path, probes):
    notebook = notebook_json(["import probe\n", "def broken(:\n", ("markdown", "text"), "probe.target()\n"])
    findings = lint_tree(tmp_path, {"nb.ipynb": notebook}, select=["ML990", "ML001"], rules=probes)
    assert sorted((f.code, f.cell, f.line) for f in findings) == [("ML001", 2, 1), ("ML990", 4, 1)]


def test_schema_invalid_but_usable_notebook_is_linted(tmp_path, probes):
    notebook = json.loads(notebook_json(["import probe\nprobe.target()\n"]))
    del notebook["cells"][0]["id"]
    notebook["cells"][0]["unexpected"] = 1
    findings = lint_tree(tmp_path, {"nb.ipynb": json.dumps(notebook)}, select=["ML990", "ML002"], rules=probes)
    assert [f.code for f in findings] == ["ML990"]


def test_gitignored_files_are_skipped_but_explicit_files_are_linted(tmp_path, probes):
    (tmp_path / ".gitignore").write_text("generated/\n")
    files = {"generated/out.py": PROBE, "src/keep.py": PROBE}
    lint_tree(tmp_path, files, rules=probes)
    init_git(tmp_path)
    assert by_path(lint_tree(tmp_path, select=["ML990"], rules=probes)) == {"src/keep.py": ["ML990"]}
    explicit = lint_tree(tmp_path, select=["ML990"], paths=["generated/out.py"], rules=probes)
    assert by_path(explicit) == {"generated/out.py": ["ML990"]}


def test_default_excludes_outside_git(tmp_path, probes):
    files = {".venv/lib/x.py": PROBE, "build/y.py": PROBE, "node_modules/z.py": PROBE, "app.py": PROBE}
    assert by_path(lint_tree(tmp_path, files, select=["ML990"], rules=probes)) == {"app.py": ["ML990"]}


def test_unrendered_templates_are_not_linted(tmp_path, probes):
    # cookiecutter and copier name files and folders with Jinja placeholders: not Python until rendered
    template = "import {{ cookiecutter.module_slug }}\n" + PROBE
    files = {"templates/{{ cookiecutter.module_slug }}/{{ cookiecutter.module_slug }}.py": template,
             "templates/{{cookiecutter.project}}/train.py": PROBE, "templates/render.py": PROBE}
    assert by_path(lint_tree(tmp_path, files, select=["ML990", "ML001"], rules=probes)) == {"templates/render.py": ["ML990"]}
    init_git(tmp_path)
    assert by_path(lint_tree(tmp_path, select=["ML990", "ML001"], rules=probes)) == {"templates/render.py": ["ML990"]}


def test_symlink_loops_and_links_out_of_the_project(tmp_path, probes):
    project = tmp_path / "project"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(PROBE)
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname='x'\n")
    (project / "loop").symlink_to(project, target_is_directory=True)
    (project / "linked.py").symlink_to(outside / "secret.py")
    (project / "app.py").write_text(PROBE)
    assert by_path(lint_tree(project, select=["ML990"], rules=probes)) == {"app.py": ["ML990"]}


def test_rule_recursing_without_end_is_its_own_crash(tmp_path, probes, monkeypatch):
    def runaway(self, node):
        return runaway(self, node)

    monkeypatch.setattr(probes["ML991"], "visit_Call", runaway)
    findings = lint_tree(tmp_path, {"a.py": PROBE}, select=["ML990", "ML991"], rules=probes)
    assert sorted(f.code for f in findings) == ["ML000", "ML990"]
    assert "RecursionError" in next(f.message for f in findings if f.code == "ML000")


def test_module_rules_ask_the_ast_before_libcst_parses(tmp_path, monkeypatch):
    """ML301's triggers ("save") match most files; its ``can_fire`` looks for an
    actual save call in the ``ast`` so the others are never parsed with libcst."""
    import libcst

    parsed = []
    original = libcst.parse_module
    monkeypatch.setattr(libcst, "parse_module", lambda src, *a, **k: parsed.append(src) or original(src, *a, **k))
    wording = "def save_settings(cfg):\n    '''Save the settings.'''\n    return dict(cfg)\n"
    saving = "import joblib\n\nmodel = object()\njoblib.dump(model, 'model.pkl')\n"
    findings = lint_tree(tmp_path, {"wording.py": wording, "saving.py": saving}, select=["ML301"])
    assert parsed == [saving]
    assert [(f.path, f.code) for f in findings] == [("saving.py", "ML301")]


def test_a_failing_ast_prefilter_lets_the_rule_run(tmp_path, monkeypatch):
    from mllint.checks.model import UnversionedModelArtifact

    def broken(cls, ctx):
        raise RuntimeError("prefilter bug")

    monkeypatch.setattr(UnversionedModelArtifact, "can_fire", classmethod(broken))
    source = "import joblib\n\nmodel = object()\njoblib.dump(model, 'model.pkl')\n"
    findings = lint_tree(tmp_path, {"saving.py": source}, select=["ML301"])
    assert [f.code for f in findings] == ["ML301"]
