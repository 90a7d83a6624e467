"""Every rule reads no farther than its declared reach (``Rule.reach()``).

The result cache keys a rule's findings on what its reach says they depend on
(``engine/cache.py``): a rule that reads more than it declares would serve stale
findings after an edit elsewhere. Here every rule runs on real-looking projects
with its reads recorded: the project index's modules, trees and texts, the
project's files and facts (kind, DVC, git, dependencies, CI), and the analyses
it asks for, each analysis built anew on every request so that what it reads is
recorded under the rule that asked. A rule whose reads go beyond its reach, or
that asks for an analysis it does not declare, fails with what it read.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

from mllint.engine import runner, traversal
from mllint.engine.cache import SETTINGS_MODULES
from mllint.engine.config import CliOverrides
from mllint.engine.context import ModuleContext, ProjectContext
from mllint.engine.findings import Reach
from mllint.engine.registry import Registry
from mllint.engine.rules import NotebookRule, SourceRule
from mllint.plugins import builtin_rules
from mllint.project.index import ProjectIndex, index_module
from mllint.testkit import notebook_json, write_files

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: A small ML project whose files reach into each other every way the rules follow:
#: helpers imported and called (seeding, saving, loading, fitting), a torch module
#: defined in one file and trained in another, a served model, tests with a
#: conftest, a notebook installing what the requirements declare or not.
PROJECT = {
    "pyproject.toml": "[project]\nname = 'shop'\ndependencies = ['torch>=2', 'scikit-learn', 'pandas']\n",
    "requirements.txt": "torch==2.3.0\nscikit-learn==1.5.0\npandas==2.2.0\nfastapi==0.110.0\n",
    "params.yaml": "lr: 0.1\n",
    "shop/__init__.py": "",
    "shop/seeding.py": "import random\n\nimport numpy as np\nimport torch\n\n\ndef seed_all(seed):\n"
                       "    random.seed(seed)\n    np.random.seed(seed)\n    torch.manual_seed(seed)\n",
    "shop/io.py": "import joblib\nimport torch\nimport pandas as pd\n\n\ndef save_model(model, path):\n"
                  "    torch.save(model.state_dict(), path)\n\n\ndef load_frame(path):\n    return pd.read_csv(path)\n\n\n"
                  "def load_scaler(path):\n    return joblib.load(path)\n",
    "shop/model.py": "import torch\nfrom torch import nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
                     "        super().__init__()\n        self.drop = nn.Dropout(0.5)\n        self.fc = nn.Linear(4, 1)\n\n"
                     "    def forward(self, x):\n        return self.fc(self.drop(x))\n",
    "shop/features.py": "from sklearn.preprocessing import StandardScaler\n\n\ndef scale(frame):\n"
                        "    return StandardScaler().fit_transform(frame)\n",
    "train.py": (
        "import numpy as np\nimport torch\nfrom sklearn.model_selection import train_test_split\n\n"
        "from shop.features import scale\nfrom shop.io import load_frame, save_model\nfrom shop.model import Net\n"
        "from shop.seeding import seed_all\n\n\ndef main():\n    seed_all(0)\n    frame = load_frame('data/train.csv')\n"
        "    frame['x'][frame['x'] > 1] = 1\n    X = scale(frame.drop(columns=['y']))\n"
        "    X_train, X_test, y_train, y_test = train_test_split(X, frame['y'])\n    model = Net()\n"
        "    opt = torch.optim.SGD(model.parameters(), lr=0.1)\n    for xb in torch.tensor(X_train):\n"
        "        loss = model.forward(xb).sum()\n        loss.backward()\n        opt.step()\n"
        "    print(model(torch.tensor(X_test)).mean(), np.random.rand())\n    save_model(model, 'model.pt')\n\n\n"
        "if __name__ == '__main__':\n    main()\n"
    ),
    "serve.py": (
        "import torch\nfrom fastapi import FastAPI\n\nfrom shop.model import Net\n\napp = FastAPI()\n"
        "model = Net()\nmodel.load_state_dict(torch.load('model.pt'))\n\n\n@app.post('/predict')\n"
        "def predict(x: list[float]):\n    return {'y': float(model(torch.tensor(x)))}\n"
    ),
    "tests/conftest.py": "import pytest\n\nfrom shop.model import Net\n\n\n@pytest.fixture\ndef net():\n    return Net()\n",
    "tests/helpers.py": "def check_shape(out, n):\n    assert out.shape[0] == n\n",
    "tests/test_model.py": (
        "import torch\n\nfrom shop.model import Net\nfrom tests.helpers import check_shape\n\n\n"
        "def test_forward(net):\n    check_shape(net(torch.zeros(2, 4)), 2)\n\n\ndef test_nothing():\n    Net()\n"
    ),
    "explore.py": "import pandas as pd\n\ndf = pd.read_csv('data/train.csv')\ndf.dropna()\n",  # paired with the notebook (jupytext)
    "explore.ipynb": notebook_json([
        "!pip install lightgbm torch\n", "import pandas as pd\nimport numpy as np\nfrom shop.io import load_frame\n",
        "df = load_frame('data/train.csv')\ndf[df.a == np.nan]\n", "df.dropna()\n",
    ]),
}


#: Facts read from more than settings: git's index, and the CI configuration
#: with the scripts (Python ones too) its commands run.
PROJECT_FACTS = ("git", "ci")


@dataclass
class Reads:
    """What each (rule, file) read while the rule ran on the file."""

    rule: str | None = None
    file: str | None = None
    seen: dict[tuple[str, str], set[tuple[str, ...]]] = field(default_factory=lambda: defaultdict(set))

    def add(self, *item: str) -> None:
        if self.rule is not None and self.file is not None:
            self.seen[(self.rule, self.file)].add(item)

    def module(self, path: str) -> None:
        self.add("module", path)


class _Modules(dict):
    """``ProjectIndex.modules`` that records which entries a rule looks at."""

    def __init__(self, reads: Reads, entries: dict[str, Any]) -> None:
        super().__init__(entries)
        self.reads = reads

    def __getitem__(self, path: str) -> Any:
        self.reads.module(path)
        return super().__getitem__(path)

    def get(self, path: str, default: Any = None) -> Any:
        self.reads.module(path)
        return super().get(path, default)

    def __contains__(self, path: object) -> bool:
        self.reads.add("names")
        return super().__contains__(path)

    def __iter__(self) -> Iterator[str]:
        self.reads.add("every module")
        return super().__iter__()

    def values(self) -> Any:
        self.reads.add("every module")
        return super().values()

    def items(self) -> Any:
        self.reads.add("every module")
        return super().items()

    def keys(self) -> Any:
        self.reads.add("names")
        return super().keys()


def _recording(monkeypatch: pytest.MonkeyPatch, rules: Registry) -> Reads:
    """Record reads in every run of this test; see the module docstring."""
    reads = Reads()
    real_init = ProjectIndex.__init__

    def index_init(self: ProjectIndex, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        self.modules = _Modules(reads, self.modules)

    monkeypatch.setattr(ProjectIndex, "__init__", index_init)
    for name in ("tree", "source", "module"):
        real = getattr(ProjectIndex, name)
        monkeypatch.setattr(ProjectIndex, name, lambda self, path, _real=real: reads.module(path) or _real(self, path))
    real_find = ProjectIndex.find_module

    def find_module(self: ProjectIndex, name: str, importer: Any = None) -> Any:
        found = real_find(self, name, importer)
        reads.add("names")
        if found is not None:
            reads.module(found.path)
        return found

    monkeypatch.setattr(ProjectIndex, "find_module", find_module)
    for name, kind in (("import_names", "names"), ("may_resolve", "names"), ("is_imported", "imported"), ("importers", "importers")):
        monkeypatch.setattr(ProjectIndex, name, _recorded_as(reads, kind, getattr(ProjectIndex, name)))

    class Recording(ProjectContext):
        """The project context, recording its facts' use and building every analysis anew."""

        def analysis(self, kind: Any) -> Any:
            """An analysis keyed by its answer (``Reach.ANSWERS``) reads the project
            while it is built, for its answer: that is not the asking rule's read."""
            reads.add("analysis", kind.__name__)
            self._analyses.clear()
            if not kind.answering():
                return super().analysis(kind)
            outer, reads.rule = reads.rule, None
            try:
                return super().analysis(kind)
            finally:
                reads.rule = outer

        def read_text(self, path: str) -> str | None:
            reads.module(path) if path in self.index.modules.keys() else reads.add("file", path)
            return super().read_text(path)

        def role(self, path: str) -> Any:
            if path != reads.file:
                reads.add("names")
            return super().role(path)

    for fact in ("kind", "dvc", "dependencies", "ci", "git", "file_set"):
        real_fact = getattr(ProjectContext, fact)
        setattr(Recording, fact, property(lambda self, _real=real_fact, _fact=fact: reads.add("fact", _fact) or _real.__get__(self)))
    monkeypatch.setattr(runner, "ProjectContext", Recording)

    real_lint_file = runner.Linter._lint_file

    def lint_file(self: Any, source_file: Any, project: Any, enabled: Any, applied: Any) -> Any:
        reads.file = source_file.path
        try:
            return real_lint_file(self, source_file, project, enabled, applied)
        finally:
            reads.file = None

    monkeypatch.setattr(runner.Linter, "_lint_file", lint_file)
    defining = {owner for code in rules for owner in rules[code].__mro__
                if "check" in owner.__dict__ and owner not in (SourceRule, NotebookRule) and issubclass(owner, (SourceRule, NotebookRule))}
    for owner in defining:  # once per function, run as the rule of the instance it is called on
        monkeypatch.setattr(owner, "check", _as_own_rule(reads, owner.__dict__["check"]))
    real_run = traversal.run_module_rules

    def run_module_rules(ctx: ModuleContext, classes: Any, on_error: Any) -> None:
        for rule in classes:  # one at a time, so that what each reads is its own
            _as_rule(reads, rule.code, real_run)(ctx, [rule], on_error)

    monkeypatch.setattr(traversal, "run_module_rules", run_module_rules)
    real_can_fire = runner._can_fire
    monkeypatch.setattr(runner, "_can_fire", lambda rule, ctx: _as_rule(reads, rule.code, real_can_fire)(rule, ctx))
    return reads


def _recorded_as(reads: Reads, kind: str, method: Any) -> Any:
    """*method* of the index, recorded as one read of *kind* (with its argument):
    what it looks at inside is its own business, not the rule's."""
    def recorded(self: ProjectIndex, *args: Any) -> Any:
        reads.add(kind, *map(str, args))
        outer, reads.rule = reads.rule, None
        try:
            return method(self, *args)
        finally:
            reads.rule = outer
    return recorded


def _as_own_rule(reads: Reads, check: Any) -> Any:
    def running(rule: Any, *args: Any) -> Any:
        return _as_rule(reads, type(rule).code, check)(rule, *args)
    return running


def _as_rule(reads: Reads, code: str, function: Any) -> Any:
    def running(*args: Any, **kwargs: Any) -> Any:
        outer, reads.rule = reads.rule, code
        try:
            return function(*args, **kwargs)
        finally:
            reads.rule = outer
    return running


def observed(reads: Reads, index: ProjectIndex, rule: Any, path: str) -> tuple[Reach, list[str]]:
    """What *rule* read on *path* reaches, and the reads that reach beyond its declaration."""
    closure = index.import_closure(path)
    declared = rule.reach()
    found, beyond = Reach.FILE, []
    for item in sorted(reads.seen[(rule.code, path)]):
        kind, *what = item
        if kind == "module" and what[0] == path:
            continue
        if kind == "analysis":
            reach = Reach.FILE if what[0] in {a.__name__ for a in rule.analyses} else Reach.PROJECT
        elif kind == "names":  # which modules exist: the import keys hold them, and so does the file list
            reach = Reach.SETTINGS if Reach.SETTINGS in declared and Reach.IMPORTS not in declared else Reach.IMPORTS
        elif kind == "module" and what[0] in closure:
            reach = Reach.IMPORTS
        elif kind == "imported" and what[0] == path:
            reach = Reach.GRAPH
        elif kind == "file" or (kind == "fact" and what[0] not in PROJECT_FACTS) or (
                kind == "module" and what[0].rpartition("/")[2] in SETTINGS_MODULES):
            reach = Reach.SETTINGS
        else:
            reach = Reach.PROJECT
        found |= reach
        if reach & ~declared:
            beyond.append(" ".join(item))
    return found, beyond


def lint_recorded(root: Path, monkeypatch: pytest.MonkeyPatch, rules: Registry, select: str = "ALL") -> tuple[Reads, ProjectIndex]:
    reads = _recording(monkeypatch, rules)
    indexes: list[ProjectIndex] = []
    real_lint_project = runner.Linter._lint_project

    def lint_project(self: Any, project: Any, settings: Any, result: Any) -> None:
        real_add = ProjectIndex.add
        monkeypatch.setattr(ProjectIndex, "add", lambda index, *a, **k: indexes.append(index) or real_add(index, *a, **k))
        real_lint_project(self, project, settings, result)

    monkeypatch.setattr(runner.Linter, "_lint_project", lint_project)
    runner.Linter(rules, CliOverrides(select=[select]), jobs=1, cache=False).lint([root])
    return reads, indexes[-1]


@pytest.fixture(params=["churn-leaky", "churn-tidy", "cross-module"])
def project(request, tmp_path) -> Path:
    if request.param == "cross-module":
        write_files(tmp_path, PROJECT)
        return tmp_path
    return EXAMPLES / request.param


def test_every_rule_reads_no_farther_than_its_reach(project, monkeypatch):
    rules = builtin_rules()
    reads, index = lint_recorded(project, monkeypatch, rules)
    assert reads.seen, "rules ran and read"
    beyond = {
        f"{code} on {path}": found
        for code, path in reads.seen
        if (found := observed(reads, index, rules[code], path)[1])
    }
    assert beyond == {}


def test_the_recorder_sees_a_rule_reading_beyond_its_reach(tmp_path, monkeypatch):
    """The check above can fail: rules declared to read their file alone that look
    at the dependency declarations, at every module, or at an imported module, and
    one declared to read the settings that looks at an imported module."""

    class ReadsDependencies(SourceRule):
        code, name, severity = "ML990", "reads-dependencies", builtin_rules()["ML201"].severity

        def check(self) -> None:
            self.ctx.project.dependencies

    class ReadsEveryModule(SourceRule):
        code, name, severity = "ML993", "reads-every-module", builtin_rules()["ML201"].severity

        def check(self) -> None:
            list(self.ctx.index.modules.values())

    class ReadsImports(SourceRule):
        code, name, severity = "ML991", "reads-imports", builtin_rules()["ML201"].severity

        def check(self) -> None:
            self.ctx.index.tree("shop/seeding.py")

    class DeclaresImports(ReadsImports):
        code, name, reads = "ML992", "declares-imports", Reach.IMPORTS

    class DeclaresSettings(ReadsImports):
        code, name, reads = "ML995", "declares-settings", Reach.SETTINGS

    class AsksWhoImports(SourceRule):
        """Whether another module imports its own file is ``Reach.GRAPH``; whether one
        imports some other module is beyond it."""

        code, name, reads = "ML994", "asks-who-imports", Reach.GRAPH
        severity = builtin_rules()["ML201"].severity

        def check(self) -> None:
            self.ctx.index.is_imported(self.ctx.path)
            if self.ctx.path == "serve.py":
                self.ctx.index.is_imported("shop/io.py")

    write_files(tmp_path, PROJECT)
    rules = builtin_rules().with_rules(
        [ReadsDependencies, ReadsEveryModule, ReadsImports, DeclaresImports, DeclaresSettings, AsksWhoImports])
    reads, index = lint_recorded(tmp_path, monkeypatch, rules, select="ML99")
    assert observed(reads, index, ReadsDependencies, "train.py") == (Reach.SETTINGS, ["fact dependencies"])
    assert observed(reads, index, ReadsEveryModule, "train.py") == (Reach.PROJECT, ["every module"])
    assert observed(reads, index, ReadsImports, "train.py") == (Reach.IMPORTS, ["module shop/seeding.py"])
    assert observed(reads, index, DeclaresImports, "train.py") == (Reach.IMPORTS, [])
    assert observed(reads, index, DeclaresImports, "serve.py") == (Reach.PROJECT, ["module shop/seeding.py"])
    assert observed(reads, index, DeclaresSettings, "train.py") == (Reach.IMPORTS, ["module shop/seeding.py"])
    assert observed(reads, index, AsksWhoImports, "train.py") == (Reach.GRAPH, [])
    assert observed(reads, index, AsksWhoImports, "serve.py") == (Reach.PROJECT, ["imported shop/io.py"])


@pytest.mark.parametrize("kind", sorted(
    {kind for rule in builtin_rules().values() for kind in rule.analyses if kind.answering()}, key=lambda kind: kind.name))
def test_an_analysis_keyed_by_its_answer_cannot_read_after_it_is_built(kind, tmp_path):
    """The cache keys ``Reach.ANSWERS`` results by ``answer()``, and the recorder
    does not count what such an analysis reads while it is built: it must be
    immutable data that holds neither the project nor its index."""
    write_files(tmp_path, PROJECT)
    index = ProjectIndex(reader=PROJECT.get)
    for path, text in PROJECT.items():
        if path.endswith(".py"):
            index.add(index_module(path, text))
    analysis = ProjectContext(tmp_path, sorted(PROJECT), index).analysis(kind)
    assert dataclasses.is_dataclass(analysis) and type(analysis).__dataclass_params__.frozen
    assert not any(isinstance(value, (ProjectContext, ProjectIndex)) for value in vars(analysis).values())
    assert analysis.answer() and json.dumps(analysis.answer())


def test_an_import_closure_follows_imports_through_modules_and_packages(tmp_path, monkeypatch):
    write_files(tmp_path, PROJECT)
    _, index = lint_recorded(tmp_path, monkeypatch, builtin_rules(), select="ML001")
    assert index.import_closure("train.py") == {
        "train.py", "shop/__init__.py", "shop/features.py", "shop/io.py", "shop/model.py", "shop/seeding.py"}
    assert index.import_closure("tests/test_model.py") == {"tests/test_model.py", "tests/helpers.py", "shop/__init__.py", "shop/model.py"}
    assert index.import_closure("shop/seeding.py") == {"shop/seeding.py"}
