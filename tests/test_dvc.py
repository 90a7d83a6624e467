"""DVC facts: against files written by the real dvc CLI, and hand-written fixtures."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mllint.project.dvc import collect_dvc_facts
from mllint.project.git import ignored, ls_files
from mllint.testkit import find_dvc, offline_environment, run_dvc

DVC = find_dvc()
needs_dvc = pytest.mark.skipif(DVC is None, reason="the dvc executable is not installed (pip install dvc)")
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="dvc init needs git")


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# -- real dvc CLI -------------------------------------------------------------


@pytest.fixture
def dvc_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git + DVC project made by the dvc CLI, offline and without analytics."""
    for name, value in offline_environment(tmp_path).items():
        monkeypatch.setenv(name, value)
    root = tmp_path / "project"
    root.mkdir()
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q"], cwd=root, check=True)
    dvc(root, "init", "-q")
    return root


dvc = run_dvc


@needs_dvc
@needs_git
def test_real_dvc_add_remote_and_stage(dvc_repo: Path, tmp_path: Path) -> None:
    storage = str(tmp_path / "somewhere")
    write(dvc_repo / "data" / "raw.csv", "a,b\n1,2\n")
    write(dvc_repo / "train.py", "print('train')\n")
    dvc(dvc_repo, "add", "data/raw.csv")
    dvc(dvc_repo, "remote", "add", "-d", "storage", storage)
    dvc(dvc_repo, "stage", "add", "-n", "train", "-d", "train.py", "-o", "models/model.pkl",
        "-M", "metrics.json", "-p", "lr", "python train.py")

    facts = collect_dvc_facts(dvc_repo)

    assert facts.initialised
    assert facts.remotes == {"storage": storage}
    assert facts.default_remote == "storage"
    assert facts.outs == frozenset({"data/raw.csv", "models/model.pkl", "metrics.json"})
    assert facts.uncached_outs == frozenset({"metrics.json"})
    assert facts.metrics == frozenset({"metrics.json"})
    assert facts.params == frozenset({"params.yaml"})
    assert facts.stages == {"train": "dvc.yaml:2"}
    assert facts.warnings == []
    assert facts.covers("data/raw.csv")
    assert facts.covers("models/model.pkl")
    assert not facts.covers("train.py")
    assert not facts.covers("data/raw.csv.dvc")


@needs_dvc
@needs_git
def test_real_dvc_files_from_git_listing_and_local_remote(dvc_repo: Path, tmp_path: Path) -> None:
    write(dvc_repo / "data" / "images" / "cat.png", b"\x89PNG")
    dvc(dvc_repo, "add", "data/images")
    dvc(dvc_repo, "remote", "add", "shared", str(tmp_path / "shared"))
    dvc(dvc_repo, "remote", "add", "--local", "-d", "mine", str(tmp_path / "mine"))

    listed = ls_files(dvc_repo)
    facts = collect_dvc_facts(dvc_repo, listed)

    assert ".dvc/config.local" not in listed
    assert facts.remotes == {"shared": str(tmp_path / "shared"), "mine": str(tmp_path / "mine")}
    assert facts.default_remote == "mine"
    assert facts.outs == frozenset({"data/images"})
    assert facts.covers("data/images/cat.png")
    assert ignored(dvc_repo, ["data/images/cat.png", "data/images.dvc"]) == {"data/images/cat.png"}


@needs_dvc
@needs_git
def test_real_dvc_lock_with_wdir(dvc_repo: Path) -> None:
    write(dvc_repo / "train.py", "print('train')\n")
    write(dvc_repo / "exp" / "out.bin", b"\0")
    write(dvc_repo / "exp" / "scores.json", "{}")
    dvc(dvc_repo, "stage", "add", "-n", "fit", "-w", "exp", "-d", "../train.py", "-o", "out.bin",
        "-m", "scores.json", "python ../train.py")
    dvc(dvc_repo, "commit", "-q", "-f")  # records dvc.lock from the existing files; runs nothing

    lock_only = collect_dvc_facts(dvc_repo, ["dvc.lock"])
    both = collect_dvc_facts(dvc_repo)

    assert (dvc_repo / "dvc.lock").is_file()
    assert lock_only.outs == frozenset({"out.bin", "scores.json"})  # wdir is only in dvc.yaml
    assert both.outs == frozenset({"exp/out.bin", "exp/scores.json"})
    assert both.metrics == frozenset({"exp/scores.json"})


# -- .dvc/config ------------------------------------------------------------


def test_config_local_overrides_config(tmp_path: Path) -> None:
    write(tmp_path / ".dvc" / "config", """[core]
    remote = origin
['remote "origin"']
    url = s3://bucket/path
['remote "backup"']
    url = gs://backup
""")
    write(tmp_path / ".dvc" / "config.local", """[core]
    remote = private
['remote "origin"']
    url = /mnt/local-mirror
['remote "private"']
    url = ssh://host/store
""")

    facts = collect_dvc_facts(tmp_path, [])

    assert facts.remotes == {"origin": "/mnt/local-mirror", "backup": "gs://backup", "private": "ssh://host/store"}
    assert facts.default_remote == "private"


def test_remote_without_default(tmp_path: Path) -> None:
    write(tmp_path / ".dvc" / "config", "['remote \"storage\"']\n    url = s3://bucket\n")

    facts = collect_dvc_facts(tmp_path, [])

    assert facts.initialised
    assert facts.remotes == {"storage": "s3://bucket"}
    assert facts.default_remote is None


def test_initialised_without_any_remote(tmp_path: Path) -> None:
    write(tmp_path / ".dvc" / "config", "")

    facts = collect_dvc_facts(tmp_path, [])

    assert facts.initialised
    assert facts.remotes == {}
    assert facts.default_remote is None
    assert facts.warnings == []


def test_not_initialised(tmp_path: Path) -> None:
    facts = collect_dvc_facts(tmp_path)

    assert not facts.initialised
    assert facts.remotes == {}
    assert facts.outs == frozenset()


def test_unquoted_section_and_quoted_values(tmp_path: Path) -> None:
    write(tmp_path / ".dvc" / "config", '[core]\nremote = "old"\n[remote "old"]\nurl = "/data/store"\n')

    facts = collect_dvc_facts(tmp_path, [])

    assert facts.remotes == {"old": "/data/store"}
    assert facts.default_remote == "old"


def test_malformed_config_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path / ".dvc" / "config", "this is not ini\n[core\n")

    facts = collect_dvc_facts(tmp_path, [])

    assert facts.remotes == {}
    assert len(facts.warnings) == 1
    assert facts.warnings[0].startswith(".dvc/config:")


# -- *.dvc files ------------------------------------------------------------


def test_dvc_file_outs_are_relative_to_its_folder(tmp_path: Path) -> None:
    write(tmp_path / "data" / "raw.csv.dvc", "outs:\n- md5: abc\n  path: raw.csv\n")
    write(tmp_path / "features.dvc", "outs:\n- path: features\n")
    write(tmp_path / "remote.dvc", "deps:\n- path: s3://b/x.csv\nouts:\n- path: s3://b/x.csv\n- path: ../up.csv\n")

    facts = collect_dvc_facts(tmp_path)

    assert facts.outs == frozenset({"data/raw.csv", "features"})
    assert facts.covers("features/part-1/a.parquet")
    assert not facts.covers("features.parquet")
    assert not facts.covers("data/raw.csv.bak")
    assert not facts.covers("data")


def test_files_argument_limits_the_dvc_files_read(tmp_path: Path) -> None:
    write(tmp_path / "a.csv.dvc", "outs:\n- path: a.csv\n")
    write(tmp_path / "b.csv.dvc", "outs:\n- path: b.csv\n")
    write(tmp_path / ".dvc" / "config", "[core]\nremote = r\n['remote \"r\"']\nurl = /store\n")

    facts = collect_dvc_facts(tmp_path, ["a.csv.dvc", "src/model.py"])

    assert facts.outs == frozenset({"a.csv"})
    assert facts.default_remote == "r"


def test_walk_skips_virtualenvs(tmp_path: Path) -> None:
    write(tmp_path / ".venv" / "lib" / "pkg" / "thing.dvc", "outs:\n- path: vendored.csv\n")
    write(tmp_path / "kept.csv.dvc", "outs:\n- path: kept.csv\n")

    assert collect_dvc_facts(tmp_path).outs == frozenset({"kept.csv"})


def test_covers_accepts_absolute_and_dotted_paths(tmp_path: Path) -> None:
    write(tmp_path / "data.dvc", "outs:\n- path: data\n")

    facts = collect_dvc_facts(tmp_path)

    assert facts.covers(tmp_path / "data" / "x.csv")
    assert facts.covers("./data/x.csv")
    assert not facts.covers("/somewhere/else/data/x.csv")


# -- dvc.yaml ---------------------------------------------------------------


def test_wdir_and_nested_pipeline(tmp_path: Path) -> None:
    write(tmp_path / "pipelines" / "dvc.yaml", """stages:
  prepare:
    cmd: python prep.py
    wdir: ../work
    outs:
    - clean.csv
    params:
    - prep.ratio
""")

    facts = collect_dvc_facts(tmp_path)

    assert facts.outs == frozenset({"work/clean.csv"})
    assert facts.params == frozenset({"work/params.yaml"})
    assert facts.stages == {"pipelines/dvc.yaml:prepare": "pipelines/dvc.yaml:2"}


def test_dict_form_outs_metrics_and_plots(tmp_path: Path) -> None:
    write(tmp_path / "dvc.yaml", """stages:
  train:
    cmd: python train.py
    outs:
    - models/model.pkl
    - logs:
        cache: false
    - checkpoints:
        persist: true
    metrics:
    - eval/metrics.json:
        cache: false
    plots:
    - eval/roc.csv:
        x: fpr
        y: tpr
""")

    facts = collect_dvc_facts(tmp_path)

    assert facts.outs == frozenset(
        {"models/model.pkl", "logs", "checkpoints", "eval/metrics.json", "eval/roc.csv"}
    )
    assert facts.uncached_outs == frozenset({"logs", "eval/metrics.json"})
    assert facts.metrics == frozenset({"eval/metrics.json"})
    assert facts.covers("logs/run-1.txt")


def test_params_default_and_dict_forms(tmp_path: Path) -> None:
    write(tmp_path / "dvc.yaml", """stages:
  a:
    cmd: x
    params:
    - lr
    - configs/train.yaml:
      - epochs
    - whole.json:
  b:
    cmd: y
params:
- extra/params.toml
metrics:
- reports/summary.json
""")

    facts = collect_dvc_facts(tmp_path)

    assert facts.params == frozenset({"params.yaml", "configs/train.yaml", "whole.json", "extra/params.toml"})
    assert facts.metrics == frozenset({"reports/summary.json"})
    assert facts.outs == frozenset()


def test_stage_without_params_adds_no_params_file(tmp_path: Path) -> None:
    write(tmp_path / "dvc.yaml", "stages:\n  a:\n    cmd: x\n    outs: [o.bin]\n")

    assert collect_dvc_facts(tmp_path).params == frozenset()


def test_foreach_and_matrix_are_expanded(tmp_path: Path) -> None:
    write(tmp_path / "params.yaml", "data_dir: data\nregions: [us, eu]\n")
    write(tmp_path / "dvc.yaml", """vars:
- model_dir: models
stages:
  per_region:
    foreach: ${regions}
    do:
      cmd: python prep.py ${item}
      outs:
      - ${data_dir}/${item}.parquet
  per_split:
    foreach:
      train: {frac: 0.8}
      test: {frac: 0.2}
    do:
      cmd: python split.py ${key} ${item.frac}
      outs:
      - splits/${key}.csv
  grid:
    matrix:
      algo: [rf, gbm]
      depth: [3, 5]
    cmd: python train.py
    outs:
    - ${model_dir}/${item.algo}-${item.depth}.pkl
""")

    facts = collect_dvc_facts(tmp_path)

    assert facts.outs == frozenset({
        "data/us.parquet", "data/eu.parquet",
        "splits/train.csv", "splits/test.csv",
        "models/rf-3.pkl", "models/rf-5.pkl", "models/gbm-3.pkl", "models/gbm-5.pkl",
    })
    assert facts.out_patterns == frozenset()
    assert set(facts.stages) == {"per_region", "per_split", "grid"}


def test_unresolvable_templates_become_patterns(tmp_path: Path) -> None:
    write(tmp_path / "dvc.yaml", """stages:
  build:
    foreach: ${not_defined}
    do:
      cmd: make ${item}
      outs:
      - artifacts/${item}/model.onnx
""")

    facts = collect_dvc_facts(tmp_path)

    assert facts.outs == frozenset()
    assert facts.out_patterns == frozenset({"artifacts/${item}/model.onnx"})
    assert facts.covers("artifacts/v2/model.onnx")
    assert not facts.covers("artifacts/v2/other.onnx")
    assert not facts.covers("artifacts/a/b/model.onnx")


def test_lock_outs_use_the_stage_wdir(tmp_path: Path) -> None:
    write(tmp_path / "dvc.yaml", "stages:\n  fit:\n    cmd: x\n    wdir: exp\n    outs: [model.pt]\n")
    write(tmp_path / "dvc.lock", """schema: '2.0'
stages:
  fit:
    cmd: x
    params:
      params.yaml:
        lr: 0.1
    outs:
    - path: model.pt
      md5: 1
    - path: extra.bin
      md5: 2
  gone@0:
    cmd: y
    outs:
    - path: old/out.csv
""")

    facts = collect_dvc_facts(tmp_path)

    assert facts.outs == frozenset({"exp/model.pt", "exp/extra.bin", "old/out.csv"})
    assert facts.params == frozenset({"exp/params.yaml"})


def test_artifacts_section(tmp_path: Path) -> None:
    write(tmp_path / "dvc.yaml", "artifacts:\n  classifier:\n    path: models/clf.pkl\n    type: model\n")

    assert collect_dvc_facts(tmp_path).artifacts == {"classifier": "models/clf.pkl"}


# -- bad input --------------------------------------------------------------


def test_malformed_yaml_is_a_warning_and_other_files_still_count(tmp_path: Path) -> None:
    write(tmp_path / "dvc.yaml", "stages:\n  train: [unclosed\n")
    write(tmp_path / "dvc.lock", "\tnot: yaml: at all\n")
    write(tmp_path / "data.csv.dvc", "outs:\n- path: data.csv\n")

    facts = collect_dvc_facts(tmp_path)

    assert facts.outs == frozenset({"data.csv"})
    assert sorted(w.split(":")[0] for w in facts.warnings) == ["dvc.lock", "dvc.yaml"]
    assert all("invalid YAML" in warning for warning in facts.warnings)


@pytest.mark.parametrize(
    ("name", "content", "expected_warning"),
    [
        ("dvc.yaml", "stages:\n- a\n- b\n", "dvc.yaml: 'stages' is not a mapping"),
        ("dvc.yaml", "stages:\n  a: just a string\n", "dvc.yaml: stage 'a' is not a mapping"),
        ("dvc.yaml", "- a list\n", "dvc.yaml: expected a mapping at the top level"),
        ("x.dvc", "just text\n", "x.dvc: expected a mapping at the top level"),
        ("dvc.lock", "schema: '2.0'\n", "dvc.lock: no 'stages' mapping"),
        ("dvc.yaml", b"stages:\n  \xff\xfe: {}\n", "dvc.yaml: cannot read"),
        ("dvc.yaml", "a: !!python/object:os.system x\n", "dvc.yaml: invalid YAML"),
    ],
)
def test_unexpected_structure_is_a_warning(
    tmp_path: Path, name: str, content: str | bytes, expected_warning: str
) -> None:
    write(tmp_path / name, content)

    facts = collect_dvc_facts(tmp_path)

    assert facts.outs == frozenset()
    assert len(facts.warnings) == 1
    assert facts.warnings[0].startswith(expected_warning)


def test_listed_file_missing_on_disk_is_a_warning(tmp_path: Path) -> None:
    facts = collect_dvc_facts(tmp_path, ["gone.dvc"])

    assert facts.outs == frozenset()
    assert facts.warnings and facts.warnings[0].startswith("gone.dvc: cannot read")


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_arbitrary_pipeline_text_never_raises(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write(root / "dvc.yaml", text)
        write(root / "dvc.lock", text)
        write(root / "x.dvc", text)
        write(root / ".dvc" / "config", text)

        facts = collect_dvc_facts(root)

    assert all(isinstance(warning, str) for warning in facts.warnings)
    assert all(not out.startswith(("/", "../")) for out in facts.outs)


KEYS = st.sampled_from(
    ["stages", "outs", "path", "wdir", "metrics", "params", "plots", "foreach", "do", "matrix",
     "vars", "cache", "cmd", "artifacts", "${item}", "x", "../.."]
)
YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | KEYS | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=60, deadline=None)
@given(document=st.dictionaries(KEYS, YAML_VALUES, max_size=5))
def test_arbitrary_yaml_structures_never_raise(document: dict) -> None:
    text = yaml.safe_dump(document)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name in ("dvc.yaml", "dvc.lock", "x.dvc", "params.yaml"):
            write(root / name, text)

        facts = collect_dvc_facts(root)

    assert all(not out.startswith(("/", "../")) for out in facts.outs)
