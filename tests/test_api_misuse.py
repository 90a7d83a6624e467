"""ML705 nan-equality, ML706 chained-assignment, ML707 inplace-result-discarded,
ML710 hyperparameter-default, and the pandas inference ML706/ML707 rest on
(``mllint.analysis.dataframes``): positives, look-alikes that must stay silent,
notebooks, and ML705's fix through the CLI."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mllint.analysis import dataframes
from mllint.analysis.dataframes import Each, Items, Kind, PandasInference, infer_frames
from mllint.project.index import ModuleInfo, ProjectIndex
from mllint.testkit import (
    codes,
    lint_as_configured,
    lint_source,
    lint_tree,
    notebook_json,
)


def lint(tmp_path: Path, code: str, source: str, filename: str = "pipeline.py", extra: dict[str, str] | None = None):
    """The findings of rule *code* on one module (plus *extra* files)."""
    return lint_source(tmp_path, source, select=[code], filename=filename, extra_files=extra)


def lines(findings) -> list[int]:
    return sorted(f.line for f in findings)


# ------------------------------------------------------------------------ ML705

NAN_COMPARISONS = [
    "import numpy as np\nbad = x == np.nan\n",
    "import numpy as np\nbad = np.nan == x\n",
    "import numpy\nbad = x != numpy.NaN\n",
    "import numpy as np\nbad = x == np.NAN\n",
    "from numpy import nan\nbad = x == nan\n",
    "import math\nbad = x == math.nan\n",
    "bad = x != float('nan')\n",
    "bad = x == float(' NaN ')\n",
    "bad = x == float('-nan')\n",
    "import numpy as np\nbad = x == np.float64('nan')\n",
    "import torch\nbad = t == torch.nan\n",
    "import pandas as pd\nbad = s == pd.NA\n",
    "import pandas as pd\nbad = s != pd.NaT\n",
    "import numpy as np\nclean = np.where(a == np.nan, 0.0, a)\n",
    "import numpy as np\nif a == b == np.nan:\n    pass\n",
    "import numpy as np\ndef f(v):\n    return [e for e in v if e != np.nan]\n",
]


@pytest.mark.parametrize("source", NAN_COMPARISONS)
def test_nan_equality_is_reported(tmp_path, source):
    assert codes(lint(tmp_path, "ML705", source)) == ["ML705"]


NOT_NAN_COMPARISONS = [
    "is_nan = x != x\n",  # the deliberate NaN test
    "import numpy as np\ndemo = np.nan == np.nan\n",  # showing that NaN is unequal to itself
    "import numpy as np\nsame = x is np.nan\n",
    "import numpy as np\nfound = x in [np.nan]\n",
    "infinite = x == float('inf')\n",
    "nan = 0\nzero = x == nan\n",  # a local name, not numpy's
    "import numpy as np\nclose = x == np.nanmean(y)\n",
    "word = x == 'nan'\n",
    "import numpy as np\nfloor = x == np.float64('1.5')\n",
    "import numpy as np\nmissing = np.isnan(x)\n",
    "from mylib import nan\nflag = x == nan\n",
]


@pytest.mark.parametrize("source", NOT_NAN_COMPARISONS)
def test_nan_look_alikes_are_silent(tmp_path, source):
    assert lint(tmp_path, "ML705", source) == []


def test_nan_equality_in_a_test_is_still_reported(tmp_path):
    source = "import numpy as np\n\ndef test_fill():\n    assert fill(x)[0] != np.nan\n"
    assert codes(lint(tmp_path, "ML705", source, filename="tests/test_fill.py")) == ["ML705"]


@pytest.mark.parametrize(
    ("source", "replacement"),
    [
        ("import numpy as np\nimport pandas as pd\nbad = df['a'] == np.nan\n", "pd.isna(df['a'])"),
        ("import numpy as np\nimport pandas as pd\nbad = df['a'] != np.nan\n", "pd.notna(df['a'])"),
        ("import numpy as np\nbad = a[0] == np.nan\n", "np.isnan(a[0])"),
        ("import numpy as np\nbad = np.nan != a + b\n", "~np.isnan(a + b)"),
        ("import numpy\nbad = x == float('nan')\n", "numpy.isnan(x)"),
        ("import math\nbad = x == math.nan\n", "math.isnan(x)"),
        ("import math\nif x != float('nan'):\n    pass\n", "not math.isnan(x)"),
        ("import pandas as pd\nimport torch\nbad = t == torch.nan\n", "torch.isnan(t)"),
        ("import numpy as np\nimport pandas as pd\nbad = when == pd.NaT\n", "pd.isna(when)"),
        ("import pandas as pd\nbad = (s.fillna(0)\n       .clip(0, 1)) == pd.NA\n", "pd.isna(s.fillna(0)\n       .clip(0, 1))"),
    ],
)
def test_the_fix_uses_a_library_the_module_imports(tmp_path, source, replacement):
    [finding] = lint(tmp_path, "ML705", source)
    assert finding.fix is not None and not finding.fix.safe
    [edit] = finding.fix.edits
    assert edit.content == replacement
    assert f"use `{replacement.splitlines()[0]}" in finding.message


@pytest.mark.parametrize(
    "source",
    [
        "bad = x == float('nan')\n",  # nothing imported: no import is added
        "import numpy as np\nbad = s == pd.NA\nimport pandas as pd\n",  # pandas imported after the comparison
        "import numpy as np\nimport pandas as pd\nbad = a == b == np.nan\n",  # chained
        "import numpy as np\nbad = t == torch.nan\nimport torch\n",  # only torch tests tensors
        "def f():\n    import numpy as np\n    return x == np.nan\n",  # not a module-level import
    ],
)
def test_no_fix_without_a_fitting_import(tmp_path, source):
    [finding] = lint(tmp_path, "ML705", source)
    assert finding.fix is None
    assert "use `pd.isna(x)` or `np.isnan(x)`" in finding.message or "pd.notna" in finding.message


def test_nan_equality_in_a_notebook_points_at_its_cell(tmp_path):
    nb = notebook_json(["import numpy as np\n", "x = load()\nbad = x == np.nan\n"])
    [finding] = lint_tree(tmp_path, {"eda.ipynb": nb}, select=["ML705"])
    assert (finding.cell, finding.line, finding.column) == (2, 2, 7)


def mllint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    entry = str(Path(sys.executable).with_name("mllint"))
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    return subprocess.run([entry, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


def test_fix_through_the_cli_needs_unsafe_fixes(tmp_path):
    source = (
        "import numpy as np\nimport pandas as pd\n\n"
        "df = pd.read_csv('churn.csv')\n"
        "missing = df[df['income'] == np.nan]  # rows without income\n"
        "known = df['age'] != float('nan')\n"
        "is_nan = df['age'] != df['age']\n"
    )
    fixed = (
        "import numpy as np\nimport pandas as pd\n\n"
        "df = pd.read_csv('churn.csv')\n"
        "missing = df[pd.isna(df['income'])]  # rows without income\n"
        "known = pd.notna(df['age'])\n"
        "is_nan = df['age'] != df['age']\n"
    )
    (tmp_path / "pyproject.toml").write_text("[tool.mllint]\nselect = ['ML705']\n")
    (tmp_path / "clean.py").write_text(source)
    safe = mllint("check", "--fix", cwd=tmp_path)
    assert safe.returncode == 1 and "2 fixable with --fix --unsafe-fixes." in safe.stdout, safe.stdout + safe.stderr
    assert (tmp_path / "clean.py").read_text() == source
    diff = mllint("check", "--diff", "--unsafe-fixes", cwd=tmp_path)
    assert "+missing = df[pd.isna(df['income'])]  # rows without income" in diff.stdout
    done = mllint("check", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "clean.py").read_text() == fixed
    again = mllint("check", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert again.returncode == 0 and "Fixed" not in again.stdout
    assert (tmp_path / "clean.py").read_text() == fixed


def test_fix_through_the_cli_in_a_notebook_cell(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.mllint]\nselect = ['ML705']\n")
    (tmp_path / "eda.ipynb").write_text(notebook_json(["import math\n", "ok = [v for v in values if v != math.nan]\n"]))
    done = mllint("check", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    cells = json.loads((tmp_path / "eda.ipynb").read_text())["cells"]
    assert "".join(cells[1]["source"]) == "ok = [v for v in values if not math.isnan(v)]\n"
    assert "".join(cells[0]["source"]) == "import math\n"


# ------------------------------------------------------------------------ ML706

FRAME = "import pandas as pd\nimport numpy as np\ndf = pd.read_csv('churn.csv')\n"

CHAINED = [
    "df['a'][df['b'] > 0] = 1\n",
    "df[df['b'] > 0]['a'] = 1\n",
    "df.loc[df['b'] > 0]['a'] = 1\n",
    "df.iloc[0]['a'] = 1\n",
    "df['a'].loc[df['b'] > 0] = 1\n",
    "df['a'].iloc[0] = 1\n",
    "df.tenure[df.tenure < 0] = 0\n",
    "df['a'][0] += 1\n",
    "df[['a', 'b']]['a'], other = 1, 2\n",
    "df['a'].fillna(0, inplace=True)\n",
    "df.income.fillna(df.income.median(), inplace=True)\n",
    "df.loc[:, 'a'].replace(1, 2, inplace=True)\n",
    "sub = df.dropna().reset_index(drop=True)\nsub['a'][0] = 1\n",
    "for _, group in df.groupby('k'):\n    group['a'][0] = 1\n",
    "train, test = df.copy(), df.copy()\nfor part in [train, test]:\n    part['age'][part['age'] < 0] = 0\n",
    "from sklearn.model_selection import train_test_split\n"
    "X_train, X_test = train_test_split(df, test_size=0.2)\nX_train['a'][0] = 1\n",
    "def clean(frame: pd.DataFrame) -> None:\n    frame['a'][0] = 1\n",
    "def load():\n    return pd.read_csv('x.csv')\n\nloaded = load()\nloaded['a'][0] = 1\n",
    "while more():\n    df['a'][0] = 1\n",
]


@pytest.mark.parametrize("statement", CHAINED)
def test_chained_assignment_is_reported(tmp_path, statement):
    assert codes(lint(tmp_path, "ML706", FRAME + statement)) == ["ML706"]


@pytest.mark.parametrize(
    "source",
    [
        "import seaborn as sns\ntitanic = sns.load_dataset('titanic')\ntitanic['age'][0] = 0\n",
        "from sklearn.datasets import fetch_openml\nX, y = fetch_openml('titanic', as_frame=True, return_X_y=True)\n"
        "X['age'][0] = 0\n",
        "from sklearn.datasets import load_iris\niris = load_iris(as_frame=True)\niris.frame['target'][0] = 0\n",
        "import polars as pl\nframe = pl.read_csv('x.csv').to_pandas()\nframe['a'][0] = 0\n",
        "from pandas import read_parquet\nframe = read_parquet('x.parquet')\nframe['a'][0] = 0\n",
    ],
)
def test_pandas_objects_from_other_origins(tmp_path, source):
    assert codes(lint(tmp_path, "ML706", source)) == ["ML706"]


NOT_CHAINED = [
    "df.loc[df['b'] > 0, 'a'] = 1\n",
    "df.iloc[0, 1] = 1\n",
    "df[df['b'] > 0] = 1\n",
    "df['a'] = df['a'].fillna(0)\n",
    "df.fillna(0, inplace=True)\n",
    "df.at[0, 'a'] = 1\n",
    "grid = np.zeros((3, 3))\ngrid[0][1] = 1\n",
    "nested = [[0, 0], [0, 0]]\nnested[0][1] = 1\n",
    "metrics = {'train': {}}\nmetrics['train']['loss'] = 0.5\n",
    "frames = {'train': df}\nframes['train']['a'] = 1\n",  # a dict of frames: one step on the frame
    "df = df.values\ndf[0][1] = 2\n",  # rebound to an array
    "if flag:\n    df = np.zeros((2, 2))\ndf[0][1] = 2\n",  # a frame on one way only
    "def clean(frame):\n    frame['a'][0] = 1\n",  # an unknown parameter
    "import polars as pl\npolars_df = pl.read_csv('x.csv')\npolars_df['a'][0] = 1\n",
    "import xarray as xr\nds = xr.open_dataset('x.nc')\nds['t'][0] = 1\n",
    "values = df['a'].to_numpy()\nvalues[0] = 1\n",
    "row = df.shape\nrow[0][1] = 1\n",
    "chunks = pd.read_csv('x.csv', chunksize=100)\nchunks.x[0] = 1\n",
    "sheets = pd.read_excel('x.xlsx', sheet_name=None)\nsheets['s1']['a'] = 1\n",
    "loaded = pd.read_pickle('x.pkl')\nloaded['a'][0] = 1\n",
]


@pytest.mark.parametrize("statement", NOT_CHAINED)
def test_one_step_writes_and_look_alikes_are_silent(tmp_path, statement):
    assert lint(tmp_path, "ML706", FRAME + statement) == []


def test_chained_assignment_in_a_notebook(tmp_path):
    cells = ["import pandas as pd\ndf = pd.read_csv('churn.csv')\n", "df['age'][df['age'] < 0] = 0\ndf.head()\n"]
    [finding] = lint_tree(tmp_path, {"eda.ipynb": notebook_json(cells)}, select=["ML706"])
    assert (finding.cell, finding.line, finding.column) == (2, 1, 1)


# ------------------------------------------------------------------------ ML707

DISCARDED = [
    "df.dropna()\n",
    "df.fillna(0, inplace=False)\n",
    "df.drop(columns=['id'])\n",
    "df['plan'].str.lower()\n",
    "df.signup.dt.tz_localize('UTC')\n",
    "df.columns.drop('id')\n",
    "df.groupby('k').sum().reset_index()\n",
    "df.sort_values('a').drop_duplicates()\n",
    "for part in [df, df.copy()]:\n    part.dropna()\n",
    "def clean(frame: pd.DataFrame):\n    frame.rename(columns=str.lower)\n    return frame\n",
    "if ready:\n    df.astype({'a': int})\n",
]


@pytest.mark.parametrize("statement", DISCARDED)
def test_discarded_result_is_reported(tmp_path, statement):
    assert codes(lint(tmp_path, "ML707", FRAME + statement)) == ["ML707"]


def test_the_message_names_the_receiver_and_the_assignment(tmp_path):
    [finding] = lint(tmp_path, "ML707", FRAME + "df.dropna(subset=['a'])\nprint(df)\n")
    assert finding.message.startswith("`df.dropna(...)` returns a new DataFrame or Series and leaves `df` unchanged")
    assert "`df = df.dropna(...)`" in finding.message
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (4, 1, 4, 24)


KEPT = [
    "df = df.dropna()\n",
    "clean = df.dropna()\n",
    "df.dropna(inplace=True)\n",
    "df.dropna(inplace=flag)\n",
    "df.dropna(**options)\n",
    "print(df.dropna())\n",
    "df.to_csv('out.csv')\n",
    "df.update(other)\n",
    "df.insert(0, 'id', 1)\n",
    "df.apply(send_row, axis=1)\n",
    "df.plot.hist()\n",
    "try:\n    df.astype(int)\nexcept ValueError:\n    pass\n",
    "import pytest\nwith pytest.raises(KeyError):\n    df.drop(columns=['missing'])\n",
    "import polars as pl\nevents = pl.read_csv('e.csv')\nevents.drop('session_id')\n",
    "import xarray as xr\nds = xr.open_dataset('x.nc')\nds.drop('t')\n",
    "arr = np.array([3, 1, 2])\narr.round(2)\narr.clip(0, 1)\n",
    "values = df.to_numpy()\nvalues.round(2)\n",
    "names = []\nnames.append('x')\n",
    "def clean(frame):\n    frame.dropna()\n",  # an unknown parameter
    "df = df.values\ndf.round(2)\n",  # rebound to an array
    "for path in paths:\n    df.dropna()\n    df = read_other(path)\n",  # unknown at the loop's top
    "frames = [df]\nframes.append(object())\nfor f in frames:\n    f.dropna()\n",  # the list may hold anything
]


@pytest.mark.parametrize("statement", KEPT)
def test_kept_results_and_look_alikes_are_silent(tmp_path, statement):
    assert lint(tmp_path, "ML707", FRAME + statement) == []


def test_tests_are_not_checked(tmp_path):
    assert lint(tmp_path, "ML707", FRAME + "df.dropna()\n", filename="tests/test_clean.py") == []


def test_last_statement_of_a_notebook_cell_is_displayed(tmp_path):
    cells = [
        "import pandas as pd\ndf = pd.read_csv('churn.csv')\n",
        "df.dropna()\n",  # displayed: silent
        "df.drop_duplicates()\ndf.describe()\n",  # mid-cell: reported
        "df.sort_values('a');\n",  # the ; hides the output: reported
        "if show:\n    df.fillna(0)\n",  # not the cell's top level: reported
        "df.rename(columns=str.lower)  # displayed\n# a trailing comment\n",
    ]
    found = lint_tree(tmp_path, {"eda.ipynb": notebook_json(cells)}, select=["ML707"])
    assert [(f.cell, f.line) for f in found] == [(3, 1), (4, 1), (5, 2)]


@pytest.mark.parametrize("marker", ["# %%", "# In[3]:", "#" * 40])
def test_cells_of_a_py_file_run_cell_by_cell(tmp_path, marker):
    source = FRAME + f"{marker}\ndf.dropna()\n{marker}\ndf.fillna(0)\nprint(df)\n"
    assert lines(lint(tmp_path, "ML707", source)) == [7]


def test_a_script_displays_nothing(tmp_path):
    assert lines(lint(tmp_path, "ML707", FRAME + "df.dropna()\n")) == [4]


def test_a_py_export_beside_its_notebook(tmp_path):
    source = FRAME + "df.dropna()\n\n\ndf.fillna(0)\n\ndef clean(frame: pd.DataFrame):\n    frame.dropna()\n"
    nb = notebook_json([FRAME, "df.dropna()\n"])
    found = lint(tmp_path, "ML707", source, filename="ch04.py", extra={"ch04.ipynb": nb})
    assert [(f.path, f.line) for f in found] == [("ch04.py", 10)]


# ------------------------------------------------------------------------ ML710

DEFAULTS = [
    "from sklearn.cluster import KMeans\nlabels = KMeans(random_state=0).fit_predict(X)\n",
    "from sklearn.cluster import MiniBatchKMeans as MBK\nmodel = MBK()\n",
    "import sklearn.cluster\nmodel = sklearn.cluster.DBSCAN(min_samples=5).fit(X)\n",
    "from sklearn.mixture import GaussianMixture\ngm = GaussianMixture(covariance_type='full')\n",
    "import torch\nopt = torch.optim.Adam(model.parameters())\n",
    "from torch import optim\nopt = optim.SGD(model.parameters(), momentum=0.9)\n",
    "from torch.utils.data import DataLoader\nloader = DataLoader(train_ds, shuffle=True)\n",
    "from torch.utils.data import DataLoader, random_split\ntrain, val = random_split(ds, [8, 2])\n"
    "loader = DataLoader(random_split(ds, [8, 2])[0])\n",
    "from sklearn.cluster import KMeans\nfrom sklearn.pipeline import make_pipeline\n"
    "pipe = make_pipeline(StandardScaler(), KMeans())\n",
    "import torch\nopt = torch.optim.SGD([{'params': a, 'lr': 0.1}, {'params': b}])\n",
    "from torch.utils.data import DataLoader\ntrainer.fit(model, DataLoader(train_set))\n",
    "import torch\noptimizer = Lookahead(torch.optim.Adam(model.parameters()))\n",
]


@pytest.mark.parametrize("source", DEFAULTS)
def test_default_hyperparameter_is_reported(tmp_path, source):
    assert codes(lint(tmp_path, "ML710", source, filename="train.py")) == ["ML710"]


SET = [
    "from sklearn.cluster import KMeans\nmodel = KMeans(3)\n",
    "from sklearn.cluster import KMeans\nmodel = KMeans(n_clusters=k, random_state=0)\n",
    "from sklearn.cluster import DBSCAN\nmodel = DBSCAN(0.3)\n",
    "import torch\nopt = torch.optim.Adam(model.parameters(), 3e-4)\n",
    "import torch\nopt = torch.optim.AdamW(model.parameters(), lr=cfg.lr)\n",
    "import torch\nopt = torch.optim.SGD([{'params': a, 'lr': 0.1}, {'params': b, 'lr': 0.01}])\n",
    "from torch.utils.data import DataLoader\nloader = DataLoader(ds, 32)\n",
    "from torch.utils.data import DataLoader\nloader = DataLoader(ds, batch_sampler=sampler)\n",
    "from torch.utils.data import DataLoader\nloader = DataLoader(ds, **loader_config)\n",
    "import torch\nopt = torch.optim.Adam(*groups)\n",
    "from sklearn.cluster import KMeans\nKMeans()\n",  # a notebook showing the estimator
    "from sklearn.cluster import KMeans\nfrom sklearn.model_selection import GridSearchCV\n"
    "search = GridSearchCV(KMeans(random_state=0), {'n_clusters': [2, 4]})\n",
    "from sklearn.cluster import KMeans\nfrom sklearn.pipeline import Pipeline\n"
    "pipe = Pipeline([('km', KMeans())])\nsearch = GridSearchCV(pipe, {'km__n_clusters': [2, 4]})\n",
    "from sklearn.cluster import KMeans\nmodel = KMeans()\nmodel.set_params(n_clusters=4)\n",
    "from imblearn.under_sampling import ClusterCentroids\nfrom sklearn.cluster import MiniBatchKMeans\n"
    "sampler = ClusterCentroids(estimator=MiniBatchKMeans(n_init=1))\n",
    "from torch.utils.data import DataLoader\nloader = DataLoader(RandomDataset(32, 64))\n",
    "from torch.utils.data import DataLoader\nloader = DataLoader(dummy_data)\n",
    "from torch.utils.data import DataLoader\nclass BoringDataModule:\n    def train_dataloader(self):\n"
    "        return DataLoader(self.train_set)\n",
    "from torch.utils.data import DataLoader, random_split\nloader = DataLoader(random_split(ds, [8, 2])[0], 16)\n",
    "from sklearn.cluster import AgglomerativeClustering\nagg = AgglomerativeClustering(linkage='complete')\n",
    "from sklearn.decomposition import PCA\npca = PCA()\n",
    "class KMeans:\n    pass\n\nmodel = KMeans()\n",  # not scikit-learn's
    "import torch\nscheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=1)\n",
]


@pytest.mark.parametrize("source", SET)
def test_set_or_handed_over_hyperparameters_are_silent(tmp_path, source):
    assert lint(tmp_path, "ML710", source, filename="train.py") == []


def test_the_message_names_the_default(tmp_path):
    [finding] = lint(tmp_path, "ML710", "import torch\nopt = torch.optim.RMSprop(net.parameters())\n")
    assert finding.message.startswith("`RMSprop` is built without `lr`, so it uses the default learning rate of 1e-2")
    assert (finding.line, finding.column, finding.end_column) == (2, 7, 26)


def test_an_estimator_a_class_builds_in_its_methods_is_its_fallback(tmp_path):
    source = (
        "import torch\nfrom sklearn.cluster import KMeans\n\n"
        "class ClusterSampler:\n"
        "    def _validate_estimator(self):\n"
        "        self.estimator_ = KMeans(random_state=self.random_state)\n\n"
        "class Model(torch.nn.Module):\n"
        "    def configure_optimizers(self):\n"
        "        return torch.optim.Adam(self.parameters())\n"
    )
    assert lines(lint(tmp_path, "ML710", source, filename="sampler.py")) == [10]


def test_hyperparameter_default_is_off_by_default(tmp_path):
    (tmp_path / "train.py").write_text("from sklearn.cluster import KMeans\nmodel = KMeans(random_state=0)\n")
    assert "ML710" not in codes(lint_as_configured(tmp_path))


def test_hyperparameter_default_in_a_notebook(tmp_path):
    cells = ["import torch\nfrom torch import optim\n", "model = Net()\n", "optimizer = optim.Adam(model.parameters())\n"]
    [finding] = lint_tree(tmp_path, {"train.ipynb": notebook_json(cells)}, select=["ML710"])
    assert (finding.cell, finding.line) == (3, 1)


# ---------------------------------------------------------- pandas inference


def kinds(source: str, aliases: dict[str, str] | None = None) -> dict[str, object]:
    """What the inference says about each ``probe(<name>)`` argument's receiver: the
    kind of ``<expr>`` in every ``<expr>.probe`` of *source*."""
    tree = ast.parse(source)
    info = ModuleInfo("m.py", "m", aliases={"pd": "pandas", "np": "numpy", "pl": "polars", **(aliases or {})})
    facts = infer_frames(tree, info)
    return {ast.unparse(node.value): facts.kind_of(node.value)
            for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "probe"}


ORIGINS = [
    ("df = pd.read_csv(p)\ndf.probe", Kind.FRAME),
    ("df = pd.read_csv(p, chunksize=10)\nfor chunk in df:\n    chunk.probe", Kind.FRAME),
    ("df = pd.read_csv(p, **opts)\ndf.probe", None),
    ("df = pd.read_excel(p, sheet_name='s')\ndf.probe", Kind.FRAME),
    ("df = pd.read_excel(p, sheet_name=names)\ndf.probe", None),
    ("df = pd.read_html(p)\ndf.probe", None),
    ("df = pd.read_csv(p)\ndf.values.probe", None),
    ("df = pd.read_csv(p)\ndf.columns.probe", Kind.INDEX),
    ("df = pd.read_csv(p)\ndf.loc.probe", Kind.INDEXER),
    ("df = pd.read_csv(p)\ndf.at.probe", None),
    ("df = pd.read_csv(p)\ndf.a.str.probe", Kind.ACCESSOR),
    ("df = pd.read_csv(p)\ndf.groupby('k').probe", Kind.GROUPED),
    ("df = pd.read_csv(p)\ndf.groupby('k')['v'].mean().probe", Kind.FRAME),
    ("df = pd.read_csv(p)\ndf.rolling(3).probe", Kind.GROUPED),
    ("df = pd.read_csv(p)\ndf.sum().probe", None),  # a number for a Series
    ("df = pd.read_csv(p)\ndf.corr().probe", Kind.FRAME),
    ("df = pd.read_csv(p)\ndf.a.corr(df.b).probe", None),
    ("df = pd.read_csv(p)\n(df['a'] * 2 > 1).probe", Kind.FRAME),
    ("df = pd.read_csv(p)\n('%s' % df).probe", None),
    ("df = pd.read_csv(p)\n(df if c else df.copy()).probe", Kind.FRAME),
    ("df = pd.read_csv(p)\n(df if c else None).probe", None),
    ("s = pd.to_datetime(pd.read_csv(p).day)\ns.probe", Kind.FRAME),
    ("s = pd.to_datetime('2024-01-01')\ns.probe", None),
    ("i = pd.date_range('2024', periods=3)\ni.probe", Kind.INDEX),
    ("df = pl.read_csv(p)\ndf.probe", None),
    ("df = pl.read_csv(p).to_pandas()\ndf.probe", Kind.FRAME),
    ("frames = [pd.read_csv(f) for f in files]\nfor f in frames:\n    f.probe", Kind.FRAME),
    ("frames = [pd.read_csv(a), pd.read_csv(b)]\nframes[1].probe", Kind.FRAME),
    ("df = pd.read_csv(p)\nfor i, row in df.iterrows():\n    row.probe", Kind.FRAME),
    ("df = pd.read_csv(p)\nfor i, part in enumerate([df, df]):\n    part.probe", Kind.FRAME),
    ("df = pd.read_csv(p)\n[d.probe for d in [df, df]]", Kind.FRAME),
    ("df = pd.read_csv(p)\n[df.probe for df in arrays]", None),
    ("df = pd.read_csv(p)\nf = lambda df: df.probe", None),
    ("df = pd.read_csv(p)\ndel df\ndf.probe", None),
    ("import pandas\ndf = pd.read_csv(p)\ndf.probe", Kind.FRAME),
]


@pytest.mark.parametrize(("source", "expected"), ORIGINS)
def test_inference_by_origin(source, expected):
    assert list(kinds(source).values()) == [expected]


FLOWS = [
    # after a branch: the same kind on both ways, or one way only binds it
    ("if c:\n    df = pd.read_csv(a)\nelse:\n    df = pd.read_csv(b)\ndf.probe", Kind.FRAME),
    ("df = pd.read_csv(a)\nif c:\n    df = np.zeros(3)\ndf.probe", None),
    ("for f in files:\n    last = pd.read_csv(f)\nlast.probe", Kind.FRAME),
    ("try:\n    df = pd.read_csv(a)\nexcept OSError:\n    df = None\ndf.probe", None),
    ("try:\n    df = pd.read_csv(a)\nexcept OSError:\n    df = pd.DataFrame()\ndf.probe", Kind.FRAME),
    # a loop body starts from what holds before it and after one pass
    ("df = pd.read_csv(a)\nfor f in fs:\n    df.probe\n    df = f.load()", None),
    ("df = pd.read_csv(a)\nfor f in fs:\n    df.probe\n    df = df.merge(f)", Kind.FRAME),
    ("df = pd.read_csv(a)\nwhile c:\n    for f in fs:\n        df.probe\n    df = 3", None),
]


@pytest.mark.parametrize(("source", "expected"), FLOWS)
def test_inference_follows_the_flow(source, expected):
    assert list(kinds(source).values()) == [expected]


SCOPES = [
    ("df = pd.read_csv(a)\ndef f():\n    df.probe", Kind.FRAME),  # a global bound once
    ("df = pd.read_csv(a)\ndf = df.to_numpy()\ndef f():\n    df.probe", None),  # bound twice, differently
    ("df = pd.read_csv(a)\ndef f(df):\n    df.probe", None),  # a parameter shadows it
    ("def f(df: pd.DataFrame):\n    df.probe", Kind.FRAME),
    ("def f(df: 'pd.DataFrame | None' = None):\n    df.probe", Kind.FRAME),
    ("def f(df: Optional[pd.Series]):\n    df.probe", Kind.FRAME),
    ("class C:\n    df = pd.read_csv(a)\n    def m(self):\n        df.probe", None),  # class names are not visible
    ("def outer():\n    df = pd.read_csv(a)\n    def inner():\n        df.probe", Kind.FRAME),
]


@pytest.mark.parametrize(("source", "expected"), SCOPES)
def test_inference_across_scopes(source, expected):
    assert list(kinds(source, {"Optional": "typing.Optional"}).values()) == [expected]


RETURNS = [
    ("def load():\n    return pd.read_csv(p)\nload().probe", Kind.FRAME),
    ("def load() -> pd.DataFrame:\n    return fetch()\nload().probe", Kind.FRAME),
    ("def split(d):\n    return d.iloc[:5], d.iloc[5:]\na, b = split(pd.read_csv(p))\nb.probe", Kind.FRAME),
    ("def split(d):\n    return d.iloc[:5], d.iloc[5:]\na, b = split(arrays)\nb.probe", None),
    ("def pick(d, *, copy):\n    return d.copy() if copy else d\npick(pd.read_csv(p), copy=True).probe", Kind.FRAME),
    ("def load(c):\n    if c:\n        return pd.read_csv(p)\n    return None\nload(1).probe", None),
    ("def load():\n    yield pd.read_csv(p)\n    return pd.read_csv(p)\nload().probe", None),
    ("def load(n):\n    return load(n - 1)\nload(3).probe", None),
    ("def load():\n    return pd.read_csv(p)\ndef load():\n    return 3\nload().probe", None),  # defined twice
]


@pytest.mark.parametrize(("source", "expected"), RETURNS)
def test_inference_of_what_module_functions_return(source, expected):
    assert list(kinds(source).values()) == [expected]


def test_train_test_split_keeps_frames_and_arrays_apart():
    source = (
        "from sklearn.model_selection import train_test_split\n"
        "X, y = pd.read_csv(p), np.zeros(3)\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
        "X_test.probe\ny_train.probe\n"
    )
    assert kinds(source, {"train_test_split": "sklearn.model_selection.train_test_split"}) == {
        "X_test": Kind.FRAME, "y_train": None}


def test_value_kinds_compare_by_content():
    assert Items((Kind.FRAME, None)) == Items((Kind.FRAME, None)) and Each(Kind.FRAME) != Each(Kind.INDEX)


def test_the_analysis_keeps_the_last_modules_facts():
    inference = PandasInference()
    info = ModuleInfo("m.py", "m", aliases={"pd": "pandas"})
    tree = ast.parse("df = pd.read_csv(p)\ndf.probe\n")
    first = inference.facts(tree, info)
    assert inference.facts(tree, info) is first
    assert inference.facts(ast.parse("x = 1\n"), info) is not first


# ---------------------------------------------------- what keeps modules out of the costly parts


@pytest.fixture
def inferred(monkeypatch) -> list[str]:
    """The first line of every module the pandas inference runs on."""
    seen: list[str] = []

    def counting(tree: ast.Module, info: ModuleInfo):
        seen.append(info.path)
        return infer_frames(tree, info)

    monkeypatch.setattr(dataframes, "infer_frames", counting)
    return seen


@pytest.mark.parametrize(
    ("source", "runs"),
    [
        # no pandas imported: no pandas object can arise
        ("import polars as pl\ndf = pl.read_csv('x.csv')\ndf['a'][0] = 1\ndf.drop('a')\n", False),
        ("import numpy as np\ngrid = np.zeros((2, 2))\ngrid[0][1] = 1\ngrid.round(2)\n", False),
        # pandas, but no statement either rule would report on a frame
        (FRAME + "df = df.dropna()\ndf.loc[df['a'] > 0, 'b'] = 1\nprint(df.head())\n", False),
        # such statements, on what can never be a pandas object
        (FRAME + "scores = []\nscores.append(1)\nmodel = build()\nmodel.eval()\nos.path.join('a', 'b')\n", False),
        (FRAME + "grid = np.zeros((2, 2))\ngrid[0][1] = 1\nvalues = df.to_numpy()\nvalues[0][1] = 2\n", False),
        (FRAME + "def build():\n    return Net()\n\nmodel = build()\nmodel.eval()\n", False),
        (FRAME + "n = len(df)\nsizes = [n]\nsizes.append(2)\n", False),
        # ... and on what may be one
        (FRAME + "df.dropna()\n", True),
        (FRAME + "df['a'][0] = 1\n", True),
        ("import pandas as pd\ndef load():\n    return pd.read_csv('x.csv')\n\nframe = load()\nframe.dropna()\n", True),
        ("import pandas as pd\ndef first(d):\n    return d\n\nframe = first(pd.read_csv('x.csv'))\nframe.dropna()\n",
         True),
        ("import pandas as pd\ndef clean(frame: pd.DataFrame):\n    frame.dropna()\n", True),
        ("import pandas as pd\nfor chunk in pd.read_csv('x.csv', chunksize=10):\n    chunk.dropna()\n", True),
        (FRAME + "s = df['a'].str\ns.lower()\n", True),  # an accessor's every method gives a Series
        ("import pandas as pd\nif (n := 3):\n    pass\nscores = []\nscores.append(n)\n", True),  # ``:=``: no filter
    ],
)
def test_the_inference_runs_only_where_a_pandas_object_may_be_reported(tmp_path, inferred, source, runs):
    lint_source(tmp_path, source, select=["ML706", "ML707"], filename="clean.py")
    assert bool(inferred) is runs


def test_filtered_runs_report_what_the_inference_says(tmp_path, inferred):
    source = ("import pandas as pd\ndef first(d):\n    return d\n\n"
              "frame = first(pd.read_csv('x.csv'))\nframe.dropna()\nframe['a'][0] = 1\n")
    assert sorted(codes(lint_source(tmp_path, source, select=["ML706", "ML707"], filename="clean.py"))) == [
        "ML706", "ML707"]
    assert inferred == ["clean.py"]  # asked once for both rules


def probes_in_their_scope(tree: ast.Module) -> list[ast.expr]:
    """The receivers of ``.probe`` but those inside comprehensions and lambdas,
    whose variables the filter does not look at (rules never ask about them)."""
    nested = {id(inner) for node in ast.walk(tree)
              if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda))
              for inner in ast.walk(node) if inner is not node}
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and n.attr == "probe" and id(n) not in nested]


@pytest.mark.parametrize(("source", "expected"), [*ORIGINS, *FLOWS, *SCOPES, *RETURNS])
def test_what_the_inference_finds_pandas_is_suspect(source, expected):
    """The filter over-approximates the inference: a pandas kind is never missed."""
    tree = ast.parse(source)
    info = ModuleInfo("m.py", "m", aliases={"pd": "pandas", "np": "numpy", "pl": "polars",
                                            "Optional": "typing.Optional"})
    facts, suspects = infer_frames(tree, info), PandasInference().suspects(tree, info, source)
    for probe in probes_in_their_scope(tree):
        if isinstance(facts.kind_of(probe), Kind):
            assert suspects.may_be_pandas(probe), ast.unparse(probe)


@pytest.fixture
def trees_read(monkeypatch) -> list[str]:
    """The modules whose ``ast`` a rule asked the index for."""
    seen: list[str] = []
    original = ProjectIndex.tree

    def counting(self: ProjectIndex, path: str):
        seen.append(path)
        return original(self, path)

    monkeypatch.setattr(ProjectIndex, "tree", counting)
    return seen


@pytest.mark.parametrize(
    ("code", "source", "read"),
    [
        ("ML705", "import numpy as np\nmissing = np.isnan(x)\nsame = a == b\n", False),
        ("ML705", "import numpy as np\nnan_mean = np.nanmean(x) == 0\nlabel = 'NA'\n", False),
        ("ML705", "import numpy as np\nbad = x == np.nan\n", True),
        ("ML710", "import torch\noptimizer_name = 'adam'\nlr = torch.optim.lr_scheduler.StepLR(opt, 1)\n", False),
        ("ML710", "from sklearn.cluster import KMeans\n", False),
        ("ML710", "import torch\nopt = torch.optim.Adam(model.parameters())\n", True),
    ],
)
def test_the_tree_is_read_only_where_the_text_and_index_allow_a_finding(tmp_path, trees_read, code, source, read):
    lint_source(tmp_path, source, select=[code], filename="train.py")
    assert ("train.py" in trees_read) is read


NAN_TEXTS = [
    "import numpy as np\nbad = (x ==  # a comment\n       np.nan)\n",
    "import numpy as np\nbad = x == np \\\n    .nan\n",
    "bad = float('nan',) == x\n",
    "bad = x == float(  # why\n    'nan')\n",
    "bad = x == float('''\\tnan''')\n",
    "from numpy import nan as missing\nbad = x == missing\n",
    "import numpy as np\n@check(lambda x: x == np.nan)\ndef f():\n    pass\n",  # in a decorator
    "import numpy as np\ndef f(a=(x != np.nan)):\n    pass\n",  # in a default
    "import numpy as np\nmatch v:\n    case 1 if v == np.nan:\n        pass\n",  # in a guard
    "import numpy as np\ntry:\n    pass\nexcept (A if x == np.nan else B):\n    pass\n",
    "import numpy as np\nclass C:\n    flag = [y for y in ys if y == np.nan]\n",
    "import numpy as np\nwhile x != np.nan:\n    pass\n",
    "import numpy as np\nif ok:\n    pass\nelif (x\n      == np.nan):\n    pass\n",
]


@pytest.mark.parametrize("source", NAN_TEXTS)
def test_nan_comparisons_however_spelled_and_wherever_they_stand(tmp_path, source):
    assert codes(lint(tmp_path, "ML705", source)) == ["ML705"]


@pytest.mark.parametrize(
    "source",
    [
        "from torch.utils.data import DataLoader\nwith ctx(DataLoader(ds)) as loader:\n    pass\n",
        "from torch.utils.data import DataLoader\nfor batch in DataLoader(ds):\n    pass\n",
        "from torch.utils.data import DataLoader\n@wrap\ndef train():\n    return DataLoader(ds)\n",
        # a module-level function shadowing the import: the index names the call after the module
        "from sklearn.cluster import KMeans as KM\n\ndef KM():\n    pass\n\nmodel = KM()\n",
    ],
)
def test_hyperparameter_default_wherever_the_call_stands(tmp_path, source):
    assert codes(lint(tmp_path, "ML710", source, filename="train.py")) == ["ML710"]


@pytest.mark.parametrize(
    "source",
    [
        FRAME + "x = 1.  " + "#" * 60 + "\nplt.show()\n",  # a line of ``#`` after a dot (accessor search)
        "# 'nan'" + " )" * 20000 + "\nsame = a == b\n",  # closing brackets after a NaN text
        "same = a == " + "a . " * 5000 + "b\n",  # a long dotted name after a comparison
    ],
)
def test_the_text_filters_stay_linear(tmp_path, source):
    started = time.process_time()
    lint_source(tmp_path, source, select=["ML705", "ML707"], filename="clean.py")
    assert time.process_time() - started < 5
