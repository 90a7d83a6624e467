"""The result cache (``.mllint_cache/``), end to end through the command line:
cached runs print what uncached runs print, a warm run parses nothing, an edit
re-runs what it can affect, and a damaged, read-only or shared cache never
changes the outcome. Also: start-up imports only what ``--version`` needs."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import libcst
import pytest
from click.testing import CliRunner

from mllint import __version__
from mllint.analysis import model_facts, seeding
from mllint.analysis.model_facts import ModelPractices
from mllint.cli import main
from mllint.engine import cache as cache_module
from mllint.engine import runner
from mllint.engine.baseline import DEFAULT_BASELINE
from mllint.engine.cache import CACHE_DIR, FORMAT, CacheFolder, closure_digests
from mllint.engine.runner import Linter
from mllint.plugins import builtin_rules
from mllint.project.index import ProjectIndex, index_module
from mllint.testkit import git, notebook_json, write_files

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def mllint(*args: str, cwd: Path, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    return subprocess.run([*prefix, sys.executable, "-m", "mllint", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


def outcome(done: subprocess.CompletedProcess[str]) -> tuple[int, str, str]:
    return done.returncode, done.stdout, done.stderr


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("??/*.json"))


def copy_example(name: str, target: Path, copies: int = 0) -> Path:
    """An example project under *target*, with *copies* more copies of its
    modules and notebooks (a --jobs 2 run forks workers only for 16 files or more)."""
    project = target / name
    shutil.copytree(EXAMPLES / name, project, ignore=shutil.ignore_patterns(CACHE_DIR, "__pycache__"))
    lintable = [p for p in project.rglob("*") if p.suffix in (".py", ".ipynb")]
    for number in range(1, copies + 1):
        for path in lintable:
            copy = project / f"copy{number}" / path.relative_to(project)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, copy)
    return project


# -- the same output with and without the cache ---------------------------------


@pytest.mark.parametrize("copies", [0, 2], ids=["as-is", "with-copies"])
@pytest.mark.parametrize("example", ["churn-leaky", "churn-tidy"])
def test_cached_runs_print_what_uncached_runs_print(tmp_path, example, copies):
    project = copy_example(example, tmp_path, copies)
    uncached = outcome(mllint("check", "--format", "json", "--jobs", "1", "--no-cache", cwd=project))
    assert not (project / CACHE_DIR).exists()
    assert outcome(mllint("check", "--format", "json", "--jobs", "2", cwd=project)) == uncached  # cold, writes
    assert entries(project / CACHE_DIR)
    for jobs in ("1", "2"):
        assert outcome(mllint("check", "--format", "json", "--jobs", jobs, cwd=project)) == uncached  # warm
    if copies:
        return
    for options in (["--format", "text", "--show-source"], ["--format", "sarif"]):
        assert outcome(mllint("check", *options, cwd=project)) == outcome(mllint("check", *options, "--no-cache", cwd=project))
    assert outcome(mllint("report", cwd=project)) == outcome(mllint("report", "--no-cache", cwd=project))


# -- what a run re-does ------------------------------------------------------


@pytest.fixture
def seeded(tmp_path) -> Path:
    """An entry point seeded through a helper module; ML201 reads across modules,
    ML103 and ML604 read only their own file."""
    write_files(tmp_path, {
        "pyproject.toml": "[project]\nname = 'demo'\n\n[tool.mllint]\nselect = ['ML201', 'ML103', 'ML604']\n",
        "utils.py": "import numpy as np\n\n\ndef set_seed(seed):\n    np.random.seed(seed)\n",
        "train.py": (
            "import numpy as np\n\nfrom utils import set_seed\n\n"
            "if __name__ == '__main__':\n    set_seed(0)\n    print(np.random.normal(size=3))\n"
        ),
        "consts.py": "ROWS = 10\n",
    })
    return tmp_path


@pytest.fixture
def linted(monkeypatch) -> dict[str, frozenset[str]]:
    """The rules each file was linted with in the test's runs, by path (cached files are not linted)."""
    found: dict[str, frozenset[str]] = {}
    real = Linter._lint_file

    def recording(self, source_file, project, enabled, applied):
        found[source_file.path] = enabled
        return real(self, source_file, project, enabled, applied)

    monkeypatch.setattr(Linter, "_lint_file", recording)
    return found


def check_in_process(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check", "--jobs", "1", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def test_a_warm_run_over_an_unchanged_tree_parses_nothing(seeded, monkeypatch):
    cold = check_in_process(seeded, monkeypatch)
    parsed: list[str] = []
    real_ast_parse, real_cst_parse = ast.parse, libcst.parse_module
    monkeypatch.setattr(ast, "parse", lambda *a, **k: parsed.append("ast") or real_ast_parse(*a, **k))
    monkeypatch.setattr(libcst, "parse_module", lambda *a, **k: parsed.append("libcst") or real_cst_parse(*a, **k))
    assert check_in_process(seeded, monkeypatch) == cold
    assert parsed == []
    assert check_in_process(seeded, monkeypatch, "--no-cache") == cold
    assert "ast" in parsed


def test_a_warm_run_over_an_unchanged_tree_reads_the_runs_entry_alone(seeded, monkeypatch):
    """One entry holds the whole run; the files' own entries serve the run after an edit."""
    cold = check_in_process(seeded, monkeypatch)
    read: list[str] = []
    real_load, real_load_run = CacheFolder.load, CacheFolder.load_run
    monkeypatch.setattr(CacheFolder, "load", lambda self, key: read.append("file") or real_load(self, key))
    monkeypatch.setattr(CacheFolder, "load_run", lambda self, key: read.append("run") or real_load_run(self, key))
    assert check_in_process(seeded, monkeypatch) == cold
    assert read == ["run"]
    read.clear()
    (seeded / "consts.py").write_text("ROWS = 20\n")
    assert check_in_process(seeded, monkeypatch) == check_in_process(seeded, monkeypatch, "--no-cache")
    assert read.count("run") == 1 and "file" in read


def test_a_run_entry_is_not_shared_with_another_selection_of_files(seeded, monkeypatch):
    check_in_process(seeded, monkeypatch)
    assert check_in_process(seeded, monkeypatch, "train.py") == check_in_process(seeded, monkeypatch, "train.py", "--no-cache")
    assert check_in_process(seeded, monkeypatch, "--no-project-rules") == check_in_process(
        seeded, monkeypatch, "--no-project-rules", "--no-cache"
    )


def test_an_edit_reruns_the_files_rules_and_the_cross_module_rules_elsewhere(seeded, monkeypatch, linted):
    check_in_process(seeded, monkeypatch)
    selected = linted["train.py"]
    assert set(linted) == {"utils.py", "train.py", "consts.py"} and {"ML201", "ML103", "ML604"} <= selected

    linted.clear()
    (seeded / "utils.py").write_text("import numpy as np\n\n\ndef set_seed(seed):\n    return seed\n")
    warm = check_in_process(seeded, monkeypatch)
    # the edited file: every rule; a file ML201 applies to: ML201 alone; a file it cannot fire on: nothing
    assert linted == {"utils.py": selected, "train.py": frozenset({"ML201"})}
    assert [f["code"] for f in json.loads(warm)] == ["ML201"]
    assert warm == check_in_process(seeded, monkeypatch, "--no-cache")


def test_results_for_a_reverted_edit_are_found_again(seeded, monkeypatch, linted):
    """Reverting an edit (or switching back to a branch) returns to a tree whose
    results the cache still holds, beside those of the edited one."""
    check_in_process(seeded, monkeypatch)
    original = (seeded / "utils.py").read_text()
    (seeded / "utils.py").write_text("import numpy as np\n\n\ndef set_seed(seed):\n    return seed\n")
    check_in_process(seeded, monkeypatch)
    (seeded / "utils.py").write_text(original)
    check_in_process(seeded, monkeypatch)
    linted.clear()
    (seeded / "consts.py").write_text("ROWS = 20\n")
    warm = check_in_process(seeded, monkeypatch)
    assert set(linted) == {"consts.py"}
    assert warm == check_in_process(seeded, monkeypatch, "--no-cache")


def test_module_lists_found_missing_are_stored_again(seeded, monkeypatch, linted):
    """A lost module list costs its results once: the run that misses them stores it again."""
    check_in_process(seeded, monkeypatch)
    for entry in entries(seeded / CACHE_DIR):
        if "paths" in json.loads(entry.read_text()):
            entry.unlink()
    (seeded / "consts.py").write_text("ROWS = 20\n")
    check_in_process(seeded, monkeypatch)
    linted.clear()
    (seeded / "consts.py").write_text("ROWS = 30\n")
    check_in_process(seeded, monkeypatch)
    assert set(linted) == {"consts.py"}


def test_an_edited_run_parses_only_what_its_rules_read(seeded, monkeypatch):
    """The unchanged modules are indexed from the cache: rules reading only their
    own file parse the edited module alone; after an edit of utils.py, ML201
    runs again on train.py, which imports it, from train.py's seeding facts
    kept in its index entry (cached by a run selecting other rules, and given
    ML201's facts by the next): only utils.py is parsed, as it is indexed, and
    the function the walk calls into is drawn from the tree the index holds."""
    check_in_process(seeded, monkeypatch, "--select", "ML103,ML604")
    check_in_process(seeded, monkeypatch)
    parsed: list[str] = []
    real_parse = ast.parse
    monkeypatch.setattr(ast, "parse", lambda source, *a, **k: parsed.append(source) or real_parse(source, *a, **k))
    (seeded / "consts.py").write_text("ROWS = 20\n")
    check_in_process(seeded, monkeypatch, "--select", "ML103,ML604")
    assert parsed == ["ROWS = 20\n"]
    parsed.clear()
    (seeded / "consts.py").write_text("ROWS = 30\n")
    check_in_process(seeded, monkeypatch)
    assert parsed == ["ROWS = 30\n"], "train.py, ML201's entry point, does not import consts.py"
    parsed.clear()
    edited = "import numpy as np\n\n\ndef set_seed(seed):\n    np.random.seed(seed + 1)\n"
    (seeded / "utils.py").write_text(edited)
    cached = check_in_process(seeded, monkeypatch)
    assert parsed == [edited]
    assert cached == check_in_process(seeded, monkeypatch, "--no-cache")


#: Edits of other modules against a rule whose results reach beyond its file:
#: (the files, the finding, an edit its results do not depend on, an edit they do
#: depend on, after which the finding is gone). The first edit re-lints the edited
#: file alone; the second also re-runs the rule on the file of the finding.
EDITS_ELSEWHERE = {
    # ML701 reads the modules a file imports (``Reach.IMPORTS``): train.py's
    # finding depends on features.py, which it imports, and never on report.py.
    "imports": (
        {
            "pyproject.toml": "[project]\nname = 'demo'\n\n[tool.mllint]\nselect = ['ML701', 'ML103']\n",
            "features.py": "from sklearn.preprocessing import StandardScaler\n\n\ndef scale(X):\n    return StandardScaler().fit_transform(X)\n",
            "train.py": (
                "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n\nfrom features import scale\n\n"
                "frame = pd.read_csv('data.csv')\nX = scale(frame.drop(columns=['y']))\n"
                "X_train, X_test, y_train, y_test = train_test_split(X, frame['y'])\nprint(X_test)\n"
            ),
            "report.py": "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n\nROWS = 10\n",
        },
        ("train.py", "ML701"),
        ("report.py", "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n\nROWS = 20\n"),
        ("features.py", "def scale(X):\n    return X\n"),
    ),
    # ML201 runs on entry points, and a script nobody imports is one (``Reach.GRAPH``):
    # it stays cached until a module starts importing the script.
    "graph": (
        {
            "pyproject.toml": "[project]\nname = 'demo'\n\n[tool.mllint]\nselect = ['ML201', 'ML103']\n",
            "run.py": "import numpy as np\n\nprint(np.random.rand())\n",
            "report.py": "ROWS = 10\n",
        },
        ("run.py", "ML201"),
        ("report.py", "ROWS = 20\n"),
        ("report.py", "import run\n\nROWS = 10\n"),
    ),
    # ML301 asks whether the project versions its models anywhere (``Reach.ANSWERS``):
    # it stays cached while the answer stays the same.
    "answers": (
        {
            "pyproject.toml": "[project]\nname = 'demo'\n\n[tool.mllint]\nselect = ['ML301', 'ML103']\n",
            "train.py": (
                "import joblib\nfrom sklearn.linear_model import LogisticRegression\n\n"
                "model = LogisticRegression().fit([[0], [1]], [0, 1])\njoblib.dump(model, 'model.joblib')\n"
            ),
            "report.py": "ROWS = 10\n",
        },
        ("train.py", "ML301"),
        ("report.py", "import pandas as pd\n\nROWS = pd.read_csv('rows.csv')\n"),
        ("report.py", "import mlflow\n\nmlflow.register_model('runs:/1/model', 'churn')\n"),
    ),
    # ML501 reports a handler that a module importing its own registers (``urlpatterns``):
    # what the project registers is an answer (``ServingAnswers``).
    "serving-registry": (
        {
            "pyproject.toml": "[project]\nname = 'demo'\n\n[tool.mllint]\nselect = ['ML501', 'ML103']\n",
            "predictor/__init__.py": "",
            "predictor/views.py": (
                "import json\n\nfrom django.http import JsonResponse\n\nfrom .ml import model\n\n\ndef predict(request):\n"
                "    payload = json.loads(request.body)\n    return JsonResponse({'y': model.predict([payload['x']]).tolist()})\n"
            ),
            "predictor/urls.py": "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path('predict/', views.predict)]\n",
            "predictor/ml.py": "import os\n\nimport joblib\n\nmodel = joblib.load(os.environ['MODEL'])\n",
            "report.py": "ROWS = 10\n",
        },
        ("predictor/views.py", "ML501"),
        ("report.py", "ROWS = 20\n"),
        ("predictor/urls.py", "from django.urls import path\n\nurlpatterns = []\n"),
    ),
    # ML504 reports a load where it is located, although the handler running it
    # per request lives in a module that imports it: the loads are an answer too.
    "serving-loads": (
        {
            "pyproject.toml": "[project]\nname = 'demo'\n\n[tool.mllint]\nselect = ['ML504', 'ML103']\n",
            "api.py": (
                "from fastapi import FastAPI\n\nfrom loading import load\n\napp = FastAPI()\n\n\n@app.post('/predict')\n"
                "def predict(payload: dict):\n    model = load(payload['segment'])\n"
                "    return {'churn': model.predict([payload['features']])[0]}\n"
            ),
            "loading.py": "import joblib\n\n\ndef load(segment):\n    return joblib.load(f'models/{segment}.joblib')\n",
            "report.py": "ROWS = 10\n",
        },
        ("loading.py", "ML504"),
        ("report.py", "ROWS = 20\n"),
        ("api.py", (
            "from fastapi import FastAPI\n\nfrom loading import load\n\napp = FastAPI()\nmodel = load('all')\n\n\n"
            "@app.post('/predict')\ndef predict(payload: dict):\n    return {'churn': model.predict([payload['features']])[0]}\n"
        )),
    ),
}


@pytest.mark.parametrize("files, finding, unrelated, related", EDITS_ELSEWHERE.values(), ids=EDITS_ELSEWHERE.keys())
def test_an_edit_reruns_a_rule_reaching_beyond_its_file_only_where_it_can_matter(
    tmp_path, monkeypatch, linted, files, finding, unrelated, related
):
    write_files(tmp_path, files)
    first = check_in_process(tmp_path, monkeypatch)
    assert [(f["path"], f["code"]) for f in json.loads(first)] == [finding]

    linted.clear()
    (tmp_path / unrelated[0]).write_text(unrelated[1])
    assert check_in_process(tmp_path, monkeypatch) == first
    assert set(linted) == {unrelated[0]}, f"{finding[0]}'s results stay cached"

    linted.clear()
    (tmp_path / related[0]).write_text(related[1])
    after = check_in_process(tmp_path, monkeypatch)
    assert linted == {related[0]: linted[related[0]], finding[0]: frozenset({finding[1]})}
    assert json.loads(after) == [] and after == check_in_process(tmp_path, monkeypatch, "--no-cache")


def test_an_edit_reruns_settings_reaching_rules_only_for_a_settings_change(tmp_path, monkeypatch, linted):
    """ML403 reads the test file, what it imports, and the project's settings
    (pytest's configuration, conftest.py): editing other code leaves it cached."""
    write_files(tmp_path, {
        "pyproject.toml": "[project]\nname = 'demo'\n\n[tool.mllint]\nselect = ['ML403', 'ML103']\n",
        "demo/__init__.py": "",
        "demo/model.py": "def predict(x):\n    return x\n",
        "demo/report.py": "ROWS = 10\n",
        "tests/conftest.py": "",
        "tests/test_model.py": "from demo.model import predict\n\n\ndef test_predict():\n    predict(1)\n",
    })
    first = check_in_process(tmp_path, monkeypatch)
    assert [(f["path"], f["code"]) for f in json.loads(first)] == [("tests/test_model.py", "ML403")]
    for edited, relinted in [
        ("demo/report.py", {"demo/report.py"}),
        ("tests/conftest.py", {"tests/conftest.py", "tests/test_model.py"}),
        ("demo/model.py", {"demo/model.py", "tests/test_model.py"}),
    ]:
        linted.clear()
        (tmp_path / edited).write_text((tmp_path / edited).read_text() + "# edited\n")
        assert check_in_process(tmp_path, monkeypatch) == first
        assert set(linted) == relinted, edited


def test_an_edit_of_an_imported_module_leaves_a_rule_reading_only_settings_cached(tmp_path, monkeypatch, linted):
    """ML601 reads the file and the declared torch version, and no module the file
    imports (``Reach.SETTINGS`` alone): editing one leaves its findings cached,
    raising the torch requirement to 2.6 (weights-only loads by default) re-runs it."""
    write_files(tmp_path, {
        "pyproject.toml": "[project]\nname = 'demo'\n\n[tool.mllint]\nselect = ['ML601', 'ML103']\n",
        "requirements.txt": "torch==2.3.0\n",
        "paths.py": "CHECKPOINT = 'model.pt'\n",
        "serve.py": "import torch\n\nfrom paths import CHECKPOINT\n\nmodel = torch.load(CHECKPOINT)\n",
    })
    first = check_in_process(tmp_path, monkeypatch)
    assert [(f["path"], f["code"]) for f in json.loads(first)] == [("serve.py", "ML601")]

    linted.clear()
    (tmp_path / "paths.py").write_text("CHECKPOINT = 'weights.pt'\n")
    assert check_in_process(tmp_path, monkeypatch) == first
    assert set(linted) == {"paths.py"}, "serve.py's ML601 results stay cached"
    assert check_in_process(tmp_path, monkeypatch, "--no-cache") == first

    linted.clear()
    (tmp_path / "requirements.txt").write_text("torch==2.6.0\n")
    after = check_in_process(tmp_path, monkeypatch)
    assert linted == {"serve.py": frozenset({"ML601"})}
    assert json.loads(after) == [] and after == check_in_process(tmp_path, monkeypatch, "--no-cache")


def test_an_answering_analysis_that_crashes_costs_its_rules_and_is_never_cached(tmp_path, monkeypatch):
    """The project state is computed outside any rule: a crash there must still be
    contained, reported by the rules asking the analysis, and retried next run."""
    write_files(tmp_path, {**EDITS_ELSEWHERE["answers"][0], "report.py": "import run\n"})
    real = ModelPractices.for_project.__func__
    crash = [True]

    def crashing(cls, project, options):
        if crash[0]:
            raise RuntimeError("boom")
        return real(cls, project, options)

    monkeypatch.setattr(ModelPractices, "for_project", classmethod(crashing))
    for _ in range(2):
        crashed = json.loads(check_in_process(tmp_path, monkeypatch))
        assert [(f["path"], f["code"]) for f in crashed] == [("train.py", "ML000")]
        assert "RuntimeError: boom" in crashed[0]["message"]
    crash[0] = False
    assert [(f["path"], f["code"]) for f in json.loads(check_in_process(tmp_path, monkeypatch))] == [("train.py", "ML301")]


def test_after_an_edit_the_serving_rules_judge_unchanged_modules_without_reading_them(tmp_path, monkeypatch):
    """Whether a module may serve is decided from its text; the facts that decision
    reads are cached with the module's index entry, so an edited run re-running
    the serving rules reads the modules that serve and none of the others."""
    handler = (
        "import joblib\nfrom fastapi import FastAPI\n\nfrom loading import load\n\napp = FastAPI()\n\n\n"
        "@app.post('/predict')\ndef predict(payload: dict):\n    model = load(payload['segment'])\n"
        "    return {'churn': model.predict([payload['features']])[0]}\n"
    )
    write_files(tmp_path, {
        "pyproject.toml": "[project]\nname = 'demo'\n\n[tool.mllint]\nselect = ['ML504']\n",
        "api.py": handler,
        "loading.py": "import joblib\n\n\ndef load(segment):\n    return joblib.load(f'models/{segment}.joblib')\n",
        **{f"features{number}.py": "import pandas as pd\n\n\ndef frame(path):\n    return pd.read_csv(path)\n"
           for number in range(3)},
    })
    first = check_in_process(tmp_path, monkeypatch)
    assert [(f["path"], f["code"]) for f in json.loads(first)] == [("loading.py", "ML504")]
    read: list[str] = []
    real_read_text = runner._read_text
    monkeypatch.setattr(runner, "_read_text", lambda root, path: read.append(path) or real_read_text(root, path))
    (tmp_path / "features0.py").write_text("import pandas as pd\n\n\ndef frame(path):\n    return pd.read_parquet(path)\n")
    assert check_in_process(tmp_path, monkeypatch) == first
    assert "features1.py" not in read and "features2.py" not in read
    assert {"api.py", "loading.py"} <= set(read)


def test_a_notebook_rule_reading_the_requirements_follows_them(tmp_path):
    """ML807 reads what the project declares: a cached finding must not outlive a change to requirements.txt."""
    write_files(tmp_path, {
        "requirements.txt": "numpy==1.26.0\n",
        "explore.ipynb": notebook_json(["!pip install lightgbm\n", "import lightgbm\n"]),
    })
    messages = []
    for requirements in ("numpy==1.26.0\n", "numpy==1.26.0\nlightgbm==4.3.0\n"):
        (tmp_path / "requirements.txt").write_text(requirements)
        done = mllint("check", "--select", "ML807", "--format", "json", cwd=tmp_path)
        assert outcome(done) == outcome(mllint("check", "--select", "ML807", "--format", "json", "--no-cache", cwd=tmp_path))
        messages.append(json.loads(done.stdout)[0]["message"])
    assert "declares it nowhere" in messages[0] and "already declares it" in messages[1]


SEEDS = {"utils.py": "import numpy as np\n\n\ndef set_seed(seed):\n    np.random.seed(seed)\n"}
DOES_NOT_SEED = {"utils.py": "def set_seed(seed):\n    return seed\n"}
SEEDS_IN_A_HELPER = {
    "utils.py": "from seeding import seed_all\n\n\ndef set_seed(seed):\n    seed_all(seed)\n",
    "seeding.py": "import numpy as np\n\n\ndef seed_all(seed):\n    np.random.seed(seed)\n",
}
HELPER_DOES_NOT_SEED = {**SEEDS_IN_A_HELPER, "seeding.py": "def seed_all(seed):\n    return seed\n"}


@pytest.mark.parametrize(
    "before, after",
    [(SEEDS, DOES_NOT_SEED), (DOES_NOT_SEED, SEEDS_IN_A_HELPER), (SEEDS_IN_A_HELPER, HELPER_DOES_NOT_SEED)],
    ids=["seeder-removed", "seeder-moved-into-a-helper-module", "the-helper-of-the-helper-stops-seeding"],
)
def test_a_change_in_a_module_a_cross_module_rule_reads_invalidates_its_result(seeded, before, after):
    """train.py never changes; ML201's finding on it follows the modules it calls into."""
    findings = []
    for files in (before, after):
        write_files(seeded, files)
        done = mllint("check", "--format", "json", cwd=seeded)
        assert outcome(done) == outcome(mllint("check", "--format", "json", "--no-cache", cwd=seeded))
        findings.append([(f["path"], f["code"]) for f in json.loads(done.stdout)])
    assert [bool(found) for found in findings] == [before is DOES_NOT_SEED, after in (DOES_NOT_SEED, HELPER_DOES_NOT_SEED)]
    assert all(found in ([], [("train.py", "ML201")]) for found in findings)


def test_project_rule_results_follow_the_files_they_read(tmp_path):
    """ML204 reads requirements files, which are not Python: an edit of the
    same size still changes the project's digest."""
    write_files(tmp_path, {
        "pyproject.toml": "[tool.mllint]\nselect = ['ML204']\n",
        "train.py": "import sklearn\n",
        "requirements.txt": "scikit-learn==1.3.0\n",
    })
    first = mllint("check", "--format", "json", cwd=tmp_path)
    assert json.loads(first.stdout) == []
    (tmp_path / "requirements.txt").write_text("scikit-learn>=1.3.0\n")
    second = mllint("check", "--format", "json", cwd=tmp_path)
    assert [(f["path"], f["code"]) for f in json.loads(second.stdout)] == [("requirements.txt", "ML204")]
    assert outcome(second) == outcome(mllint("check", "--format", "json", "--no-cache", cwd=tmp_path))


def test_project_rule_results_follow_gits_index(tmp_path):
    """ML101 reads blob sizes from git's index: unstaging a large data file,
    which leaves every file as it was, changes its result."""
    write_files(tmp_path, {
        "pyproject.toml": "[project]\nname = 'demo'\n\n[tool.mllint]\nselect = ['ML101']\n\n[tool.mllint.rules.ML101]\nmax-size = '2KiB'\n",
        "train.py": "import sklearn\n",
        "data/big.csv": "x\n" * 2048,
    })
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    first = mllint("check", "--format", "json", cwd=tmp_path)
    assert [f["code"] for f in json.loads(first.stdout)] == ["ML101"]
    assert outcome(mllint("check", "--format", "json", cwd=tmp_path)) == outcome(first)
    git(tmp_path, "rm", "-q", "--cached", "data/big.csv")
    second = mllint("check", "--format", "json", cwd=tmp_path)
    assert json.loads(second.stdout) == []
    assert outcome(second) == outcome(mllint("check", "--format", "json", "--no-cache", cwd=tmp_path))


# -- a cache that cannot be trusted or written --------------------------------


def _garbage(entry: Path) -> None:
    entry.write_bytes(b"\x00\xff not json")


def _truncated(entry: Path) -> None:
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])


def _rewrite(**changes: object):
    def damage(entry: Path) -> None:
        entry.write_text(json.dumps({**json.loads(entry.read_text()), **changes}))
    return damage


def _wrong_types(entry: Path) -> None:
    """Every field of the entry's payload, and the text facts of an index entry,
    of a type mllint never writes there."""
    data = json.loads(entry.read_text())
    if isinstance(data.get("module"), dict):
        data["module"]["facts"] = {"serving": {"markers": "yes", "registers": 1, "bases": [3]}, "model-practices": []}
        entry.write_text(json.dumps(data))
        return
    entry.write_text(json.dumps({**data, **{name: 7 for name in data if name not in ("format", "mllint", "key")}}))


DAMAGE = {
    "garbage": _garbage,
    "wrong-types": _wrong_types,
    "truncated": _truncated,
    "empty": lambda entry: entry.write_bytes(b""),
    "other-mllint-version": _rewrite(mllint="0.0.1-other"),
    "other-format": _rewrite(format=FORMAT + 1),
    "other-key": _rewrite(key="0" * 40),
    "not-findings": _rewrite(findings=[["ML201", "message", -1, "one"]]),
    "not-findings-in-the-run": _rewrite(files={"train.py": {"findings": [["ML201", "x", -1]], "ran": [], "notes": []}}),
    "deeply-nested": lambda entry: entry.write_text("[" * 100_000 + "]" * 100_000),
    "a-folder": lambda entry: entry.unlink() or entry.mkdir(),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_damaged_entries_are_ignored_and_rebuilt(tmp_path, damage):
    project = copy_example("churn-leaky", tmp_path)
    uncached = outcome(mllint("check", "--format", "json", "--no-cache", cwd=project))
    mllint("check", cwd=project)
    damaged = entries(project / CACHE_DIR)
    assert damaged
    for entry in damaged:
        damage(entry)
    assert outcome(mllint("check", "--format", "json", cwd=project)) == uncached
    for entry in entries(project / CACHE_DIR):
        if entry.is_file():
            data = json.loads(entry.read_text())
            assert (data["format"], data["mllint"], data["key"]) == (FORMAT, __version__, entry.parent.name + entry.stem)
    assert outcome(mllint("check", "--format", "json", cwd=project)) == uncached


def _without_privileges() -> tuple[str, ...]:
    """A prefix that makes the command honour file permissions even as root."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    return ("setpriv", "--bounding-set=-all", "--inh-caps=-all")


@pytest.mark.parametrize("read_only", ["cache-folder", "project-folder"])
def test_a_cache_that_cannot_be_written_is_not_used(tmp_path, read_only):
    project = copy_example("churn-leaky", tmp_path)
    prefix = _without_privileges()
    if read_only == "cache-folder":
        mllint("check", cwd=project)
    folder = project / CACHE_DIR if read_only == "cache-folder" else project
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    (project / "train.py").write_text((project / "train.py").read_text() + "\nprint('edited')\n")
    modes = {path: path.stat().st_mode for path in [folder, *folder.rglob("*")] if path.is_dir()}
    try:
        for path in modes:
            path.chmod(0o555)
        done = mllint("check", "--format", "json", cwd=project, prefix=prefix)
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
    assert outcome(done) == outcome(mllint("check", "--format", "json", "--no-cache", cwd=project))
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


def test_processes_sharing_a_cache(tmp_path):
    project = copy_example("churn-leaky", tmp_path, copies=1)
    uncached = outcome(mllint("check", "--format", "json", "--no-cache", cwd=project))
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    command = [sys.executable, "-m", "mllint", "check", "--format", "json", "--jobs", "1"]
    processes = [
        subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(3)
    ]
    results = [(process.wait(timeout=300), *process.communicate()) for process in processes]
    assert results == [uncached] * 3
    assert outcome(mllint("check", "--format", "json", cwd=project)) == uncached
    assert [p.name for p in (project / CACHE_DIR).rglob(".*") if p.name not in (".gitignore",)] == []  # no temporary left


# -- where the cache lives ------------------------------------------------------


def test_the_cache_folder_is_tagged_and_ignored_by_git(tmp_path):
    write_files(tmp_path, {"pyproject.toml": "[project]\nname = 'demo'\n", "train.py": "import random\n"})
    git(tmp_path, "init", "-q")
    mllint("check", cwd=tmp_path)
    folder = tmp_path / CACHE_DIR
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55\n")
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert entries(folder)
    assert git(tmp_path, "status", "--porcelain", "--untracked-files=all").splitlines() == ["?? pyproject.toml", "?? train.py"]


def test_no_cache_writes_nothing(tmp_path):
    write_files(tmp_path, {"pyproject.toml": "[project]\nname = 'demo'\n", "train.py": "import random\n"})
    for command in ("check", "report"):
        assert mllint(command, "--no-cache", cwd=tmp_path).returncode in (0, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml", "train.py"]
    mllint("report", cwd=tmp_path)
    assert entries(tmp_path / CACHE_DIR)


def test_cache_dir_is_relative_to_the_configuration_file(tmp_path):
    project = tmp_path / "project"
    write_files(project, {
        "pyproject.toml": "[project]\nname = 'demo'\n\n[tool.mllint]\ncache-dir = '../shared/cache'\n",
        "pkg/train.py": "import random\n",
    })
    done = mllint("check", ".", cwd=project / "pkg")  # run from below the configuration
    assert done.returncode in (0, 1), done.stderr
    assert entries(tmp_path / "shared" / "cache")
    assert not (project / CACHE_DIR).exists() and not (project / "pkg" / CACHE_DIR).exists()


@pytest.mark.parametrize("value", ["5", "''", "['a']"])
def test_a_bad_cache_dir_is_a_configuration_error(tmp_path, value):
    write_files(tmp_path, {"pyproject.toml": f"[tool.mllint]\ncache-dir = {value}\n", "train.py": "import random\n"})
    done = mllint("check", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == 'mllint: error: pyproject.toml: tool.mllint.cache-dir: expected a folder name, such as ".mllint_cache"\n'


# -- start-up -------------------------------------------------------------------


def test_version_imports_neither_libcst_nor_the_rules():
    script = (
        "import sys\nfrom mllint.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('libcst', 'nbformat')"
        " or m.startswith(('mllint.checks.', 'mllint.analysis', 'mllint.engine.runner', 'mllint.reporters.'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout == f"mllint, version {__version__}\n[]\n", done.stderr


def _libcst_imported(*args: str) -> bool:
    """Whether ``mllint <args>`` imports libcst, run in a fresh process."""
    script = (
        "import sys\nfrom mllint.cli import main\n"
        f"try:\n    main({list(args)!r})\nexcept SystemExit:\n    pass\n"
        "print(any(m.split('.')[0] == 'libcst' for m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    return {"True": True, "False": False}[done.stderr.strip().splitlines()[-1]]


def test_libcst_is_imported_only_for_a_tree_no_result_in_the_cache_holds(tmp_path):
    """A file only source rules fire on, and a run answered by the cache, never
    build a libcst tree: start-up does not pay for importing it."""
    write_files(tmp_path, {"plain.py": "def add(a, b):\n    return a + b\n"})
    assert not _libcst_imported("check", "--jobs", "1", str(tmp_path))
    (tmp_path / "train.py").write_text('import torch\n\nmodel = torch.load("model.pt")\n')
    assert _libcst_imported("check", "--jobs", "1", str(tmp_path))
    assert not _libcst_imported("check", "--jobs", "1", str(tmp_path))  # every result is cached now


def test_a_cached_run_asks_no_distribution_for_its_version(tmp_path):
    """libcst's release keys the entries by its installed files, not through
    ``importlib.metadata``, whose import alone was a tenth of a cached run."""
    write_files(tmp_path, {"train.py": 'import torch\n\nmodel = torch.load("model.pt")\n'})
    script = (
        "import sys\nfrom mllint.cli import main\n"
        f"try:\n    main(['check', '--jobs', '1', {str(tmp_path)!r}])\nexcept SystemExit:\n    pass\n"
        "print('importlib.metadata' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stderr.strip().splitlines()[-1] == "False"


def test_another_release_of_libcst_keys_other_entries(tmp_path, monkeypatch):
    package = tmp_path / "site" / "fakecst"
    write_files(package, {"__init__.py": "", "_version.py": "__version__ = '1.0.0'\n"})
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    before = cache_module._installed("fakecst")
    (package / "_version.py").write_text("__version__ = '1.1.0'\n")
    assert cache_module._installed("fakecst") != before
    assert cache_module._installed("not_installed_anywhere") is None


def test_init_help_names_the_default_baseline():
    """The help text is written out so that start-up need not import the baseline module."""
    result = CliRunner().invoke(main, ["init", "--help"])
    assert f"(default: {DEFAULT_BASELINE} beside" in " ".join(result.stdout.split())


def test_rules_still_load_for_the_commands_that_need_them():
    """The lazily imported engine is the same one: every rule is listed."""
    result = CliRunner().invoke(main, ["rules", "--format", "json"])
    assert [row["code"] for row in json.loads(result.stdout)] == list(builtin_rules())


def test_after_an_edit_the_seeding_facts_of_unchanged_modules_are_read_back(seeded, monkeypatch):
    """ML201 walks every module an entry point reaches and draws the events of
    the functions it calls into; after an edit only the edited module's are
    drawn again, the others' come from the cache."""
    check_in_process(seeded, monkeypatch)
    drawn: list[tuple[str, str]] = []
    real = seeding._Extractor.function
    monkeypatch.setattr(seeding._Extractor, "function", lambda facts, owner, *rest: drawn.append((facts.info.path, owner)) or real(facts, owner, *rest))
    (seeded / "train.py").write_text((seeded / "train.py").read_text() + "    print(np.random.normal(size=4))\n")
    check_in_process(seeded, monkeypatch)
    assert drawn == []  # ``set_seed`` is read back
    (seeded / "utils.py").write_text("import numpy as np\n\n\ndef set_seed(seed):\n    np.random.seed(seed + 1)\n")
    cached = check_in_process(seeded, monkeypatch)
    assert drawn == [("utils.py", "set_seed")]
    assert cached == check_in_process(seeded, monkeypatch, "--no-cache")
    assert drawn == [("utils.py", "set_seed")] * 2  # with no cache, drawn again


def test_the_linting_workers_keep_the_seeding_facts_they_draw(seeded, monkeypatch):
    """With two jobs the workers lint and draw the helper's events; each saves
    what it drew after its last file, so the next run reads them back."""
    write_files(seeded, {f"consts_{n}.py": f"ROWS = {n}\n" for n in range(20)})
    check_in_process(seeded, monkeypatch, "--jobs", "2")
    drawn: list[tuple[str, str]] = []
    real = seeding._Extractor.function
    monkeypatch.setattr(seeding._Extractor, "function", lambda facts, owner, *rest: drawn.append((facts.info.path, owner)) or real(facts, owner, *rest))
    (seeded / "train.py").write_text((seeded / "train.py").read_text() + "    print(np.random.normal(size=4))\n")
    check_in_process(seeded, monkeypatch)
    assert drawn == []


def test_seeding_facts_depend_on_the_configured_seeders(seeded, monkeypatch):
    """A project seeding through its own helper, configured as a seeder: facts
    stored without that option are not read back with it."""
    write_files(seeded, {
        "utils.py": "import numpy as np\n\n\ndef set_seed(seed):\n    pass\n",
    })
    unseeded = json.loads(check_in_process(seeded, monkeypatch))
    assert any(f["code"] == "ML201" for f in unseeded)
    pyproject = seeded / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.mllint.analysis.seeding]\nseeders = ['utils.set_seed']\n")
    configured = json.loads(check_in_process(seeded, monkeypatch))
    assert not any(f["code"] == "ML201" for f in configured)
    assert configured == json.loads(check_in_process(seeded, monkeypatch, "--no-cache"))


def test_after_an_edit_the_save_helpers_of_unchanged_modules_are_read_back(tmp_path, monkeypatch):
    """Which functions wrap a model save is a whole-project answer, found again
    after every edit; the helpers that wrap a save directly are drawn as each
    module is indexed and kept in its cached entry, so only the edited module is
    searched for them. Entries cached by a run of other rules lacked them: the
    next run draws them again, with them."""
    write_files(tmp_path, {
        "pyproject.toml": "[project]\nname = 'demo'\n\n[tool.mllint]\nselect = ['ML301']\n",
        "io_utils.py": "import joblib\n\n\ndef save_object(file_path, obj):\n    joblib.dump(obj, file_path)\n",
        "train.py": "from io_utils import save_object\n\nsave_object('artifacts/model.pkl', model)\n",
        "report.py": "import joblib\n\n\ndef dump_table(table, path):\n    joblib.dump(table, path)\n",
    })
    check_in_process(tmp_path, monkeypatch, "--select", "ML103")
    searched: list[tuple[str, str]] = []
    real = model_facts._helper_in

    def searching(tree, info, name, index, known):
        searched.append((info.path, name))
        return real(tree, info, name, index, known)

    monkeypatch.setattr(model_facts, "_helper_in", searching)
    cold = json.loads(check_in_process(tmp_path, monkeypatch))
    assert [(f["code"], f["path"]) for f in cold] == [("ML301", "train.py")]
    assert sorted(searched) == [("io_utils.py", "save_object"), ("report.py", "dump_table")]
    searched.clear()
    (tmp_path / "report.py").write_text("import joblib\n\n\ndef dump_table(table, path):\n    joblib.dump(table, path, compress=3)\n")
    assert json.loads(check_in_process(tmp_path, monkeypatch)) == cold
    assert searched == [("report.py", "dump_table")]
    assert json.loads(check_in_process(tmp_path, monkeypatch, "--no-cache")) == cold


def test_a_closure_digest_changes_with_every_module_of_the_closure_and_no_other():
    """``closure_digests`` keys the entries of the rules reading imported modules:
    it must change when any module a file imports (through others, or in an
    import cycle) changes, and stay when anything else does."""
    modules = {
        "app.py": "import pkg.a\n", "pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n",
        "pkg/b.py": "from pkg import a\nimport util\n", "util.py": "", "other.py": "import util\n",
    }
    index = ProjectIndex([index_module(path, text) for path, text in modules.items()])
    contents = {path: f"hash of {path}" for path in modules}
    before = closure_digests(index.import_graph(), contents)
    assert before["pkg/a.py"] == before["pkg/b.py"] != before["app.py"]
    for edited in modules:
        after = closure_digests(index.import_graph(), {**contents, edited: "edited"})
        changed = {path for path in modules if after[path] != before[path]}
        assert changed == {path for path in modules if edited in index.import_closure(path)}, edited
