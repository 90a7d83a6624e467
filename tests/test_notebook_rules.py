"""ML801-ML807: notebook hygiene, on notebooks written by hand (the ``# %%`` marker
format of :func:`mllint.testkit.percent_notebook`), as JSON and with nbformat."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat import v3, v4

from mllint.engine.findings import Finding
from mllint.testkit import lint_tree, notebook_json, percent_cells, percent_notebook

ML8 = ["ML801", "ML802", "ML803", "ML804", "ML805", "ML806", "ML807"]
REPO = Path(__file__).resolve().parent.parent


def lint(tmp_path: Path, files: dict[str, str], select: list[str] | None = None) -> list[Finding]:
    return lint_tree(tmp_path, files, select=select or ML8)


def where(findings: list[Finding]) -> list[tuple[str, int | None, int, int]]:
    """(code, cell, line, column) of each finding, in report order."""
    return [(f.code, f.cell, f.line, f.column) for f in findings]


def one(tmp_path: Path, text: str, code: str, extra: dict[str, str] | None = None, name: str = "nb.ipynb") -> list[Finding]:
    """The findings of rule *code* on one notebook in ``# %%`` form."""
    return lint(tmp_path, {name: percent_notebook(text), **(extra or {})}, [code])


def stream(name: str, text: str) -> dict:
    return {"name": name, "output_type": "stream", "text": text}


def error(ename: str, evalue: str = "") -> dict:
    return {"ename": ename, "evalue": evalue, "output_type": "error",
            "traceback": ["\x1b[0;31mTraceback (most recent call last)\x1b[0m", f"{ename}: {evalue}"]}


# --- the marker format of rule examples --------------------------------------------------


def test_percent_notebook_reads_cell_kinds_counts_outputs_and_tags():
    notebook = json.loads(percent_notebook(
        "import x\n"
        "# %% [markdown]\n# # Title\n#\n# Text\n"
        "# %% count=2 stdout=\"a\\nb\" error=\"KeyError: 'k'\" tags=raises-exception,slow\nx[1]\n"
        "# %% count=3 result=42 image=10 display=hi stderr=warn\nx\n"
        "# %% Let's go (a title with a quote)\ny\n"
    ))
    plain, markdown, failing, shown, titled = notebook["cells"]
    assert plain["execution_count"] is None and plain["outputs"] == []
    assert markdown == {"cell_type": "markdown", "id": "cell-1", "metadata": {}, "source": ["# Title\n", "\n", "Text\n"]}
    assert failing["execution_count"] == 2 and failing["metadata"] == {"tags": ["raises-exception", "slow"]}
    assert [o["output_type"] for o in failing["outputs"]] == ["stream", "error"]
    assert failing["outputs"][0]["text"] == ["a\n", "b"] and failing["outputs"][1]["ename"] == "KeyError"
    assert [o["output_type"] for o in shown["outputs"]] == ["execute_result", "display_data", "display_data", "stream"]
    assert shown["outputs"][0]["execution_count"] == 3 and shown["outputs"][1]["data"]["image/png"] == "A" * 10
    assert titled["source"] == ["y\n"] and titled["execution_count"] is None
    assert nbformat.validate(nbformat.reads(json.dumps(notebook), as_version=4)) is None


def test_plain_markers_give_the_notebook_they_always_gave():
    text = "import a\n# %%\nb = 1\n\n# %% load\nc\n"
    assert percent_notebook(text) == notebook_json(percent_cells(text))


# --- ML801 --------------------------------------------------------------------------------

ML801_REPORTED = {
    "a later cell ran first": ("# %% count=1\na\n# %% count=3\nb\n# %% count=2\nc\n", 3, "cell 3 ran (In [2]) before cell 2"),
    "repeated counts": ("# %% count=1\na\n# %% count=2\nb\n# %% count=2\nc\n", 3, "cells 2 and 3 both show In [2]"),
    "markdown cells count in the numbering": (
        "# %% [markdown]\n# t\n# %% count=5\na\n# %% [markdown]\n# u\n# %% count=4\nb\n", 4, "cell 4 ran (In [4]) before cell 2"),
    "the first cell re-run at the end": ("# %% count=9\na\n# %% count=2\nb\n# %% count=3\nc\n", 2, "before cell 1 above it (In [9])"),
    "an unexecuted cell between does not hide it": ("# %% count=2\na\n# %%\nb\n# %% count=1\nc\n", 3, "cell 3 ran (In [1])"),
}


@pytest.mark.parametrize(("text", "cell", "says"), ML801_REPORTED.values(), ids=ML801_REPORTED)
def test_ml801_reports_where_the_order_breaks(tmp_path, text, cell, says):
    [finding] = one(tmp_path, text, "ML801")
    assert (finding.cell, finding.line, finding.column) == (cell, 1, 1)
    assert says in finding.message and "restart the kernel" in finding.message


def test_ml801_reports_once_per_notebook_and_counts_the_other_breaks(tmp_path):
    [finding] = one(tmp_path, "# %% count=2\na\n# %% count=1\nb\n# %% count=5\nc\n# %% count=4\nd\n", "ML801")
    assert finding.cell == 2 and "breaks 1 more time(s) below" in finding.message


ML801_SILENT = {
    "in order": "# %% count=1\na\n# %% count=2\nb\n# %% count=3\nc\n",
    "gaps between counts": "# %% count=1\na\n# %% count=7\nb\n# %% count=30\nc\n",
    "never executed": "a\n# %%\nb\n# %%\nc\n",
    "unexecuted cells between": "# %% count=1\na\n# %%\nb\n# %% count=2\nc\n",
    "a blank cell with the last count": "# %% count=1\na\n# %% count=2\nb\n# %% count=2\n\n\n",
    "a comment cell out of order": "# %% count=1\na\n# %% count=5\nb\n# %% count=3\n# nothing to run\n",
    "markdown only": "# %% [markdown]\n# # Title\n# %% [markdown]\n# text\n",
    "a cell magic cell": "# %% count=1\n%%time\nx = 1\n# %% count=2\n%%bash\nls\n",
}


@pytest.mark.parametrize("text", ML801_SILENT.values(), ids=ML801_SILENT)
def test_ml801_silent(tmp_path, text):
    assert one(tmp_path, text, "ML801") == []


def test_ml801_ignores_counts_that_are_not_numbers(tmp_path):
    notebook = json.loads(notebook_json(["a\n", "b\n", "c\n"], counts={0: 5}))
    notebook["cells"][1]["execution_count"] = "3"
    notebook["cells"][2]["execution_count"] = True
    assert lint(tmp_path, {"nb.ipynb": json.dumps(notebook)}, ["ML801"]) == []


def test_ml801_on_a_v3_notebook_written_with_nbformat(tmp_path):
    cells = [v3.new_code_cell(input="import pandas as pd", prompt_number=2),
             v3.new_code_cell(input="df = pd.DataFrame()", prompt_number=1)]
    text = nbformat.writes(v3.new_notebook(worksheets=[v3.new_worksheet(cells=cells)]), version=3)
    assert where(lint(tmp_path, {"nb.ipynb": text}, ["ML801"])) == [("ML801", 2, 1, 1)]


# --- ML802 --------------------------------------------------------------------------------

ML802_REPORTED = {
    "an error output": ("# %% count=1\nimport pandas as pd\n# %% count=2 error=\"KeyError: 'churned'\"\ny = df['churned']\n",
                        2, "output 1 of this cell is an error `KeyError: 'churned'`"),
    "which output": ("# %% count=1 stdout=loading error=\"ValueError: bad\"\nfit()\n", 1, "output 2 of this cell is an error"),
    "a stderr traceback": (
        ("# %% count=1 stderr=\"Traceback (most recent call last):\\n  File \\\"train.py\\\", line 3\\nRuntimeError: CUDA out of memory\\n\"\n"
         "!python train.py\n"), 1, "output 1 of this cell (stderr) holds a traceback `RuntimeError: CUDA out of memory`"),
    "the output of code commented out since": ("# %% count=3 error=\"MemoryError: \"\n# model.fit(X_full, y_full)\n", 1,
                                              "is an error `MemoryError`"),
    "an interrupted cell": ("# %% count=1 error=KeyboardInterrupt\nmodel.fit(X, y)\n", 1, "is a `KeyboardInterrupt`"),
    "an interrupted cell, even when commented on": (
        "# %% count=1 error=KeyboardInterrupt\n# oops, this takes hours\nmodel.fit(X, y)\n", 1, "`KeyboardInterrupt`"),
    "markdown naming the exception three code cells up": (
        "# %% [markdown]\n# Predicting on one row raises a ValueError.\n# %% count=1\na = 1\n# %% count=2\nb = 2\n"
        "# %% count=3\nc = 3\n# %% count=4 error=\"ValueError: Expected 2D array\"\nclf.predict(x)\n", 5, "ValueError"),
    "markdown above a code cell that is not a magic": (
        "# %% [markdown]\n# This raises a ValueError:\n# %% count=1\nx = load()\n"
        "# %% count=2 error=\"NameError: name 'y' is not defined\"\ny\n", 3, "NameError"),
    "a notebook about a model's errors": (
        "# %% [markdown]\n# # Error analysis of the churn model\n"
        "# %% count=1 error=\"KeyError: 'churned'\"\ny = df['churned']\n", 2, "KeyError"),
    "markdown about the metric's error is no explanation": (
        "# %% [markdown]\n# We report the mean squared error.\n# %% count=1 error=\"NameError: name 'mse' is not defined\"\nmse\n",
        2, "NameError"),
}


@pytest.mark.parametrize(("text", "cell", "says"), ML802_REPORTED.values(), ids=ML802_REPORTED)
def test_ml802_reports_errors_committed_with_the_notebook(tmp_path, text, cell, says):
    [finding] = one(tmp_path, text, "ML802")
    assert finding.cell == cell and says in finding.message


ML802_SILENT = {
    "no error": "# %% count=1 result=3\n1 + 2\n",
    "a comment says it fails": "# %% count=1 error=\"ValueError: shapes\"\n# This will fail: the shapes do not match\na @ b\n",
    "the next markdown reacts": "# %% count=1 error=\"ValueError: x\"\nmodel.fit(X, y)\n# %% [markdown]\n# Oh no! We get an error.\n",
    "the next markdown asks why": "# %% count=1 error=\"TypeError: no numeric data\"\ndf.plot()\n# %% [markdown]\n# Why didn't it work?\n",
    "the markdown before names the exception": (
        "# %% [markdown]\n# Predicting on one row raises a ValueError:\n# %% count=1 error=\"ValueError: Expected 2D array\"\nclf.predict(x)\n"),
    "the next cell explains it in the error's words": (
        "# %% count=1 error=\"ValueError: shapes (3,) and (5,3) not aligned\"\nprices.dot(sales)\n"
        "# %% count=2\n# Shapes aren't aligned, transpose\nprices.dot(sales.T)\n"),
    "the markdown before a magic that sets the cell up says it": (
        "# %% [markdown]\n# Calling `func2` results in an error; `%xmode` changes the trace:\n# %% count=1\n%xmode Plain\n"
        "# %% count=2 error=\"ZeroDivisionError: division by zero\"\nfunc2(1)\n"),
    "the next markdown says why it was raised": (
        "# %% count=1 error=\"ZeroDivisionError: division by zero\"\nfunc2(1)\n# %% [markdown]\n"
        "# This extra information can help you narrow in on why the exception is being raised.\n"),
    "the markdown before explains it in the error's words": (
        "# %% [markdown]\n# With `or`, Python asks for the truth of the whole array, which is not defined:\n"
        "# %% count=1 error=\"ValueError: The truth value of an array with more than one element is ambiguous\"\nA or B\n"),
    "the markdown before says it will break": (
        "# %% [markdown]\n# This works, but it will break if a value is missing. For example:\n"
        "# %% count=1 error=\"AttributeError: 'NoneType' object has no attribute 'capitalize'\"\n[s.capitalize() for s in data]\n"),
    "the markdown before says it cannot be done": (
        "# %% [markdown]\n# Indices are immutable: they cannot be modified via the normal means:\n"
        "# %% count=1 error=\"TypeError: Index does not support mutable operations\"\nind[1] = 0\n"),
    "the markdown a cell further up names the exception": (
        "# %% [markdown]\n# `find()` returns -1, while `index()` raises a `ValueError`:\n# %% count=1 result=-1\n"
        "line.find('bear')\n# %% count=2 error=\"ValueError: substring not found\"\nline.index('bear')\n"),
    "a notebook about errors": (
        "# %% [markdown]\n# # Errors and Exceptions\n# %% [markdown]\n# Or you might compute an ill-defined result:\n"
        "# %% count=1 error=\"ZeroDivisionError: division by zero\"\n2 / 0\n"),
    "tagged raises-exception": "# %% count=1 error=\"ZeroDivisionError: division by zero\" tags=raises-exception\n1 / 0\n",
    "a warning on stderr": "# %% count=1 stderr=\"UserWarning: deprecated\\n  warnings.warn(\\n\"\nfit()\n",
    "a warning quoting a traceback": (
        "# %% count=1 stderr=\"_validation.py:548: FitFailedWarning: Estimator fit failed. Details: \\n"
        "Traceback (most recent call last):\\n  File \\\"x.py\\\", line 1\\nValueError: l1_ratio\\n\" result=GridSearchCV()\n"
        "grid.fit(X, y)\n"),
    "an exception Python ignored": (
        "# %% count=1 stderr=\"Exception ignored in: <function Dataset.__del__>\\nTraceback (most recent call last):\\n"
        "  File \\\"d.py\\\", line 1\\nKeyboardInterrupt: \\n\" stdout=done\nds.show(1)\n"),
    "a traceback printed to stdout": "# %% count=1 stdout=\"Traceback (most recent call last):\\nValueError\\n\"\nprint(log)\n",
}


@pytest.mark.parametrize("text", ML802_SILENT.values(), ids=ML802_SILENT)
def test_ml802_silent(tmp_path, text):
    assert one(tmp_path, text, "ML802") == []


def test_ml802_on_a_notebook_written_with_nbformat(tmp_path):
    notebook = v4.new_notebook(cells=[
        v4.new_markdown_cell("# Training"),
        v4.new_code_cell("import torch", execution_count=1),
        v4.new_code_cell("model.train()", execution_count=2, outputs=[
            v4.new_output("stream", name="stdout", text="epoch 1\n"),
            v4.new_output("error", ename="RuntimeError", evalue="CUDA error: device-side assert triggered",
                          traceback=["Traceback", "RuntimeError: CUDA error"]),
        ]),
    ])
    [finding] = lint(tmp_path, {"nb.ipynb": nbformat.writes(notebook)}, ["ML802"])
    assert (finding.cell, finding.message[:34]) == (3, "output 2 of this cell is an error ")


def test_ml802_reads_error_outputs_with_missing_fields(tmp_path):
    notebook = notebook_json(["fit()\n"], counts={0: 1}, outputs={0: [{"output_type": "error", "traceback": []}]})
    [finding] = lint(tmp_path, {"nb.ipynb": notebook}, ["ML802"])
    assert finding.message.startswith("output 1 of this cell is an error: ")


# --- ML803 --------------------------------------------------------------------------------

ML803_REPORTED = {
    "one cell skipped": ("# %% count=1\na = 1\n# %%\nb = a\n# %% count=2\nc = b\n", 2, "cell 2 was never executed"),
    "several cells skipped": ("# %% count=1\na\n# %%\nb\n# %%\nc\n# %% count=2\nd\n# %%\ne\n# %% count=3\nf\n", 2,
                              "cells 2, 3 and 5 were never executed"),
    "a display output without a count ran": (
        "# %% display=plot\nshow()\n# %%\nb\n# %% count=4\nc\n", 2, "cell 2 was never executed"),
}


@pytest.mark.parametrize(("text", "cell", "says"), ML803_REPORTED.values(), ids=ML803_REPORTED)
def test_ml803_reports_cells_skipped_between_executed_ones(tmp_path, text, cell, says):
    [finding] = one(tmp_path, text, "ML803")
    assert finding.cell == cell and says in finding.message


ML803_SILENT = {
    "all executed": "# %% count=1\na\n# %% count=2\nb\n",
    "nothing executed": "a\n# %%\nb\n# %%\nc\n",
    "counts stripped, some outputs kept": "# %% display=x\na\n# %%\nb = 1\n# %% display=y\nc\n",
    "run part of the way": "# %% count=1\na\n# %% count=2\nb\n# %%\nc\n# %%\nd\n",
    "cells added before the run's first cell": "a\n# %%\nb\n# %% count=1\nc\n",
    "a comment cell never run": "# %% count=1\na\n# %%\n# an idea for later\n# %% count=2\nb\n",
    "display() outputs with no count": "# %% display=x\nshow(a)\n# %% display=y\nshow(b)\n",
    "markdown only": "# %% [markdown]\n# # Title\n",
}


@pytest.mark.parametrize("text", ML803_SILENT.values(), ids=ML803_SILENT)
def test_ml803_silent(tmp_path, text):
    assert one(tmp_path, text, "ML803") == []


# --- ML804 --------------------------------------------------------------------------------

ML804_REPORTED = {
    "import after loading data": (
        "# %% count=1\nimport pandas as pd\ndf = pd.read_csv('d.csv')\n# %% count=2\nimport seaborn as sns\n",
        2, 1, "`import seaborn as sns` first appears in cell 2, below cells that already work on data or models (from cell 1 on)"),
    "from x import y": (
        "# %%\nimport pandas as pd\n# %%\ndf = pd.read_csv('d.csv')\n# %%\nx = 1\nfrom sklearn.svm import SVC\n",
        3, 2, "`from sklearn.svm import SVC` first appears in cell 3"),
    "an import in a top-level try": (
        "# %%\nimport numpy as np\nX = np.load('x.npy')\n# %%\ntry:\n    import xgboost\nexcept ImportError:\n    xgboost = None\n",
        2, 2, "`import xgboost`"),
    "a print that reads data": (
        "# %%\nimport pandas as pd\nprint(pd.read_csv('d.csv').shape)\n# %%\nimport numpy as np\n", 2, 1, "`import numpy as np`"),
    "several late cells are counted": (
        "# %%\ndf = load()\n# %%\nimport a\n# %%\nimport b\n# %%\nimport c\n", 2, 1, "(and imports in 2 more cell(s) below)"),
}


@pytest.mark.parametrize(("text", "cell", "line", "says"), ML804_REPORTED.values(), ids=ML804_REPORTED)
def test_ml804_reports_the_first_late_import(tmp_path, text, cell, line, says):
    [finding] = one(tmp_path, text, "ML804")
    assert (finding.cell, finding.line) == (cell, line) and says in finding.message


ML804_SILENT = {
    "imports first": "# %%\nimport pandas as pd\nfrom sklearn.svm import SVC\n# %%\ndf = pd.read_csv('d.csv')\n",
    "an import cell after markdown-only cells": (
        "# %% [markdown]\n# # Churn\n# %% [markdown]\n# Setup\n# %%\nimport pandas as pd\n# %%\ndf = pd.read_csv('d.csv')\n"),
    "setup before the imports": (
        "# %%\n%matplotlib inline\n%load_ext autoreload\n# %%\nimport sys\nsys.path.append('..')\nSEED = 42\n"
        "DATA = Path('data') / 'raw'\nassert sys.version_info >= (3, 8)\nprint('numpy', np.__version__)\n"
        "warnings.filterwarnings('ignore')\nnp.random.seed(SEED)\nplt.rcParams.update({'font.size': 12})\n"
        "def helper(x):\n    return x\n"
        "# %%\nImage(filename='figures/overview.png')\n1 + 1\nprint(f'Last updated: {datetime.now()}')\n"
        "# %%\nimport pandas as pd\n# %%\ndf = pd.read_csv('d.csv')\n"),
    "a hosted-runtime setup cell": (
        "# %%\nimport sys\nif 'google.colab' in sys.modules:\n    %pip install skorch\n    from google.colab import drive\n"
        "# %%\ntry:\n    import google.colab\n    subprocess.run(['pip', 'install', 'skorch'])\nexcept ImportError:\n    pass\n"
        "# %%\nimport torch\n# %%\nX = torch.zeros(3)\n"),
    "a repeated import": "# %%\nimport numpy as np\n# %%\nX = np.zeros(3)\n# %%\nimport numpy as np\nY = np.ones(3)\n",
    "an import inside a function": "# %%\nX = load()\n# %%\ndef plot(X):\n    import matplotlib.pyplot as plt\n    plt.plot(X)\n",
    "a cell magic cell": "# %%\n%%time\nimport pandas as pd\n# %%\n%%bash\nls data\n# %%\ndf = pd.read_csv('d.csv')\n",
    "no code": "# %% [markdown]\n# # Notes\n",
}


@pytest.mark.parametrize("text", ML804_SILENT.values(), ids=ML804_SILENT)
def test_ml804_silent(tmp_path, text):
    assert one(tmp_path, text, "ML804") == []


@pytest.mark.parametrize("name", ["docs/tutorial.ipynb", "examples/demo.ipynb", "tests/fixture.ipynb"])
def test_ml804_leaves_tutorials_and_tests_alone(tmp_path, name):
    text = "# %%\nimport pandas as pd\ndf = pd.read_csv('d.csv')\n# %%\nimport seaborn as sns\n"
    assert one(tmp_path, text, "ML804", name=name) == []


# --- ML805 --------------------------------------------------------------------------------

ML805_REPORTED = {
    "an embedded image": ("# %% count=1 image=600KiB\nplot()\n", "output 1 of this cell is 600.0 KiB (a PNG image)"),
    "the second output": ("# %% count=1 stdout=hi image=520KiB\nplot()\n", "output 2 of this cell is 520.0 KiB"),
}


@pytest.mark.parametrize(("text", "says"), ML805_REPORTED.values(), ids=ML805_REPORTED)
def test_ml805_reports_large_outputs(tmp_path, text, says):
    [finding] = one(tmp_path, text, "ML805")
    assert finding.cell == 1 and says in finding.message and "500.0 KiB" in finding.message


def test_ml805_names_data_tables_and_counts_each_output_once_per_cell(tmp_path):
    table = "<table>" + "<tr><td>alice@example.org</td><td>42</td></tr>" * 20000 + "</table>"
    output = {"data": {"text/html": table, "text/plain": "df"}, "metadata": {}, "output_type": "display_data"}
    notebook = notebook_json(["df\n"], counts={0: 1}, outputs={0: [output, output]})
    [finding] = lint(tmp_path, {"nb.ipynb": notebook}, ["ML805"])
    assert "(an HTML table: the data itself is committed)" in finding.message
    assert "(and 1 more output(s) over the limit)" in finding.message


def test_ml805_reads_a_configured_limit(tmp_path):
    config = '[tool.mllint.rules.ML805]\nmax-output-size = "2KiB"\n'
    [finding] = one(tmp_path, "# %% count=1 image=3KiB\nplot()\n", "ML805", {"pyproject.toml": config})
    assert "over `max-output-size` (2.0 KiB)" in finding.message


ML805_SILENT = {
    "small outputs": "# %% count=1 image=40KiB stdout=done\nplot()\n",
    "many small outputs": "# %% count=1 " + " ".join(["image=100KiB"] * 6) + "\nplot()\n",
    "no outputs": "# %% count=1\nx = 1\n",
}


@pytest.mark.parametrize("text", ML805_SILENT.values(), ids=ML805_SILENT)
def test_ml805_silent(tmp_path, text):
    assert one(tmp_path, text, "ML805") == []


# --- ML806 --------------------------------------------------------------------------------

_ML_CODE = "# %% count=1\nimport pandas as pd\n# %% count=2\ndf = pd.read_csv('d.csv')\n# %% count=3\ndf.describe()\n"

ML806_REPORTED = {
    "no markdown at all": (_ML_CODE, "no markdown cell"),
    "only a title": ("# %% [markdown]\n# # Churn\n" + _ML_CODE, "and markdown with no prose, only a heading:"),
    "a header comment that is only a link": (
        "# Data: https://www.kaggle.com/competitions/titanic/data?select=train.csv\n" + _ML_CODE, "no markdown cell"),
    "a markdown link and an image": (
        "# %% [markdown]\n# [https://example.org/churn-dataset-v2](https://example.org/a) ![plot](p.png)\n" + _ML_CODE,
        "and markdown with no prose:"),
}


@pytest.mark.parametrize(("text", "says"), ML806_REPORTED.values(), ids=ML806_REPORTED)
def test_ml806_reports_ml_notebooks_without_prose(tmp_path, text, says):
    [finding] = one(tmp_path, text, "ML806")
    assert (finding.cell, finding.line) == (1, 1) and says in finding.message


ML806_SILENT = {
    "prose": "# %% [markdown]\n# Which customers leave, judged by recall on 2023.\n" + _ML_CODE,
    "named sections": "# %% [markdown]\n# ## Load\n" + _ML_CODE + "# %% [markdown]\n# ## Explore\n",
    "a documented header comment": "# Explore the churn table: which columns are missing, how tenure relates\n" + _ML_CODE,
    "no ML code": "# %%\nimport os\n# %%\nprint(os.getcwd())\n# %%\nos.listdir()\n",
    "a scratch pad": "# %%\nimport torch\n# %%\ntorch.cuda.is_available()\n",
    "markdown only": "# %% [markdown]\n# # Notes\n",
}


@pytest.mark.parametrize("text", ML806_SILENT.values(), ids=ML806_SILENT)
def test_ml806_silent(tmp_path, text):
    assert one(tmp_path, text, "ML806") == []


# --- ML001 in notebooks: a cell that does not parse, on purpose ------------------------------

ML001_ON_PURPOSE = {
    "the markdown before says so": (
        "# %% [markdown]\n# Creating a slice within a tuple will lead to a syntax error:\n"
        "# %% count=1 error=\"SyntaxError: invalid syntax\"\nhealth_data.loc[(:, 1), (:, 'HR')]\n"),
    "tagged raises-exception": "# %% count=1 tags=raises-exception\nprint 'hello'\n",
    "the next markdown names it": "# %% count=1\nprint 'hello'\n# %% [markdown]\n# Python 3 raises a SyntaxError here.\n",
}


@pytest.mark.parametrize("text", ML001_ON_PURPOSE.values(), ids=ML001_ON_PURPOSE)
def test_a_cell_shown_not_to_parse_on_purpose_is_no_syntax_error(tmp_path, text):
    """Teaching notebooks show what Python rejects, as they show errors (ML802)."""
    assert one(tmp_path, text, "ML001") == []


EXERCISE_CELL = "# %% [markdown]\n# Define the training loop.\n# %%\nfor batch in loader:\n    # TODO: Training pass\n    loss = \n"


@pytest.mark.parametrize(
    ("name", "text", "reported"),
    [
        # a course's template: the reader completes it
        ("Sentiment_RNN_Exercise.ipynb", "# %%\nreviews = load()\n# %%\nreviews_ints = [\n", False),
        ("Part 3 - Training Neural Networks (Exercises).ipynb", "# %%\nmodel = build(:)\n", False),
        ("dlnd_face_generation.ipynb", EXERCISE_CELL, False),
        ("train.ipynb", "# %%\none_hot_data = pass\n", False),
        ("train.ipynb", "# %%\nmodel = # train(n_epochs, loaders)\n", False),
        # a placeholder on the failing line or just above it (MIT's introtodeeplearning labs)
        ("Part1_MNIST.ipynb", "# %%\nmodel = tf.keras.Sequential([\n    [TODO Dense layer to output probabilities]\n])\n", False),
        ("Part1_MNIST.ipynb", "# %%\nlayers = [\n    Conv2D('''TODO''')\n    MaxPool2D('''TODO''')\n]\n", False),
        ("Music.ipynb", "# %%\ndef vectorize_string(string):\n  # TODO\n\nvectorized = vectorize_string(songs)\n", False),
        ("lab.ipynb", "# %%\ndef loss_fn(y, p):\n    # YOUR CODE HERE\n\nmodel = fit()\n", False),
        # a value in angle brackets for the reader to put in its place (llama-cookbook)
        ("agent.ipynb", "# %%\nimport os\nos.environ['LANGCHAIN_API_KEY'] = <your-api-key>\n", False),
        ("agent.ipynb", "# %%\nclient = Client(token=<YOUR_TOKEN>)\n", False),
        ("agent.ipynb", "# %%\nmodel_id = <insert model name>\n", False),
        # a comparison that does not parse is no placeholder
        ("train.ipynb", "# %%\nok = a < limit >\n", True),
        # a placeholder further up says nothing of this line; nor does a lower-case todo
        ("train.ipynb", "# %%\n# TODO: tune\nlr = 0.1\nepochs = 3\nsteps = 4\nloss = criterion(out, \n", True),
        ("train.ipynb", "# %%\n# todo: clean up\nloss = criterion(out, \n", True),
        # the exercise's solutions must run
        ("Sentiment_RNN_Exercise_Solution.ipynb", "# %%\nreviews_ints = [\n", True),
        # an expression that does not parse is no blank left to fill in
        ("train.ipynb", "# %%\nloss = criterion(out, \n", True),
        ("train.ipynb", "# %%\nloss == \n", True),
    ],
)
def test_a_blank_left_for_the_reader_is_no_syntax_error(tmp_path, name, text, reported):
    assert bool(one(tmp_path, text, "ML001", name=name)) is reported


def test_a_cell_that_does_not_parse_is_a_syntax_error(tmp_path):
    text = "# %% [markdown]\n# Load the customers.\n# %% count=1\ncustomers = load(:)\n# %% count=2\nx = 1\n"
    assert where(one(tmp_path, text, "ML001")) == [("ML001", 2, 1, 18)]


def test_an_r_notebook_is_no_python_with_syntax_errors_but_its_secrets_are_found(tmp_path):
    notebook = json.loads(notebook_json(["library(ggplot2)\n", 'Sys.setenv(HF_TOKEN = "hf_' + "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0dF3g" + '")\n']))
    notebook["metadata"] = {"kernelspec": {"display_name": "R", "language": "R", "name": "ir"}}
    findings = lint_tree(tmp_path, {"eda.ipynb": json.dumps(notebook)}, select=["ML001", "ML602"])
    assert [(f.code, f.cell) for f in findings] == [("ML602", 2)]
    assert "in a non-Python cell" in findings[0].message


# --- ML807 --------------------------------------------------------------------------------

ML807_REPORTED = {
    "no declaration file": (
        "!pip install -q xgboost\nimport xgboost\n", {}, (1, 1, 1),
        ("`!pip install -q xgboost` installs `xgboost` from inside the notebook, and the project declares it nowhere: "
         "a fresh environment lacks it and each run may get another version; declare it, pinned, in a "
         "`requirements.txt` (or `pyproject.toml`)")),
    "a requirements file without it": (
        "# %%\nimport sys\n# %%\nx = 1\n%pip install lightgbm==4.3.0 'catboost>=1'\n", {"requirements.txt": "pandas==2.2.0\n"},
        (2, 2, 1), ("installs `lightgbm`, `catboost` from inside the notebook, and the project declares them nowhere: a fresh "
                    "environment lacks them and each run may get another version; declare them, pinned, in `requirements.txt`")),
    "pinned installs": (
        "!pip install openai==0.27.8 tqdm==4.65.0\n", {"requirements.txt": "pandas==2.2.0\n"}, (1, 1, 1),
        "a fresh environment lacks them; declare them in `requirements.txt`"),
    "conda into an environment file": (
        "!conda install -y -c conda-forge pyarrow\n", {"environment.yml": "dependencies:\n  - pandas=2.2.0\n"}, (1, 1, 1),
        "declare it, pinned, in `environment.yml`"),
    "already declared": (
        "!pip install pandas\n", {"requirements.txt": "pandas==2.2.0\n"}, (1, 1, 1),
        "installs `pandas` from inside the notebook although `requirements.txt` already declares it"),
    "on Colab only, declared nowhere": (
        "import sys\nif 'google.colab' in sys.modules:\n    %pip install urlextract\n", {"requirements.txt": "pandas==2.2.0\n"},
        (1, 3, 5), "installs `urlextract` on Colab/Kaggle only from inside the notebook, and the project declares it nowhere"),
    "the interpreter's pip": ("!{sys.executable} -m pip install optuna\n", {}, (1, 1, 1), "installs `optuna`"),
    "uv": ("!uv pip install polars\n", {}, (1, 1, 1), "installs `polars`"),
    "automagic": ("pip install polars\nimport polars\n", {}, (1, 1, 1), "`pip install polars` installs `polars`"),
    "a bash cell": ("# %%\n%%bash\ncd /tmp\npip install --quiet rich\n", {}, (1, 3, 1), "`pip install --quiet rich` installs `rich`"),
    "a library's notebook": (
        "!pip install mylib datasets\n",
        {"pyproject.toml": "[build-system]\nbuild-backend = 'hatchling.build'\n[project]\nname = 'mylib'\ndependencies = ['numpy>=1']\n",
         "mylib/__init__.py": ""},
        (1, 1, 1), ("installs `datasets` from inside the notebook, and the project declares it nowhere: a fresh environment "
                    "lacks it and each run may get another version; declare it as an optional extra (or development "
                    "dependency) in `pyproject.toml`")),
}


@pytest.mark.parametrize(("text", "extra", "position", "says"), ML807_REPORTED.values(), ids=ML807_REPORTED)
def test_ml807_names_the_package_and_where_to_declare_it(tmp_path, text, extra, position, says):
    [finding] = one(tmp_path, text, "ML807", extra)
    assert (finding.cell, finding.line, finding.column) == position
    assert says in finding.message


@pytest.mark.parametrize(("name", "says"), [("analysis/explore.ipynb", "in `analysis/requirements.txt`"),
                                            ("reports/explore.ipynb", "in `requirements.txt`")])
def test_ml807_names_the_declaration_file_nearest_the_notebook(tmp_path, name, says):
    extra = {"requirements.txt": "pandas==2.2.0\n", "analysis/requirements.txt": "numpy==1.26.4\n"}
    [finding] = one(tmp_path, "!pip install shap\n", "ML807", extra, name=name)
    assert says in finding.message


#: A repository of several projects, each declaring its own environment, and the root too.
_MONOREPO = {"pyproject.toml": "[project]\nname = 'projects'\ndependencies = ['black']\n",
             "agent/requirements.txt": "langchain==0.1.0\n", "churn/requirements.txt": "zenml==0.56.3\n",
             "docker/requirements.txt": "uvicorn==0.30.0\n", "notebooks/env/requirements.txt": "seaborn==0.13.2\n"}


@pytest.mark.parametrize(
    ("name", "install", "says"),
    [
        # a neighbour project's requirements declare nothing for this one
        ("agent/run.ipynb", "zenml", "the project declares it nowhere: a fresh environment lacks it and each run may "
                                     "get another version; declare it, pinned, in `agent/requirements.txt`"),
        ("agent/run.ipynb", "langchain", "although `agent/requirements.txt` already declares it"),
        # in a project the root declares, its other files count (a Docker image's environment)
        ("analysis/explore.ipynb", "uvicorn", "although `docker/requirements.txt` already declares it"),
        # a folder's ``env/`` declares for the folder, and the folder then for its notebooks alone
        ("notebooks/explore.ipynb", "seaborn", "although `notebooks/env/requirements.txt` already declares it"),
        ("notebooks/explore.ipynb", "uvicorn", "the project declares it nowhere"),
        ("explore.ipynb", "zenml", "although `churn/requirements.txt` already declares it"),
    ],
)
def test_ml807_reads_the_declarations_of_the_notebooks_own_project(tmp_path, name, install, says):
    [finding] = one(tmp_path, f"!pip install {install}\n", "ML807", _MONOREPO, name=name)
    assert says in finding.message


def test_ml807_reads_no_package_in_a_comment(tmp_path):
    """``# install`` after the command is the shell's comment, not two packages;
    a ``#`` inside a word (a URL's ``#egg=``) is no comment."""
    text = "%pip install -qr requirements.txt comet_ml  # install\n# %%\n!pip install git+https://host/org/repo.git#egg=tool  # dev\n"
    messages = [finding.message for finding in one(tmp_path, text, "ML807")]
    assert len(messages) == 2
    assert "installs `comet_ml` from inside" in messages[0] and "`tool` from inside" in messages[1]


def test_ml807_reports_each_install_command(tmp_path):
    text = "!pip install a && pip install b\n# %%\n%pip install c\n"
    assert where(one(tmp_path, text, "ML807")) == [("ML807", 1, 1, 1), ("ML807", 1, 1, 1), ("ML807", 2, 1, 1)]


_DECLARED = {"requirements.txt": "gymnasium[box2d]~=0.29.1\nurlextract==1.8.0\n#pyvirtualdisplay  # headless servers only\n",
             "environment.yml": "dependencies:\n  - box2d-py=2.3\n  - py-xgboost=1.7\n"}

_ON_COLAB = "try:\n    import google.colab\n    %pip install {}\nexcept ImportError:\n    pass\n"

ML807_SILENT = {
    "a requirements file": ("!pip install -r requirements.txt\n", {}),
    "the project itself": ("!pip install -e .\n%pip install ..\n", {}),
    "pip itself": ("!pip install --upgrade pip setuptools wheel\n", {}),
    "other pip commands": ("!pip list\n!pip uninstall -y gym\n!pip freeze > frozen.txt\n", {}),
    "declared, on Colab only": (
        "IS_COLAB = 'google.colab' in sys.modules\nif IS_COLAB or IS_KAGGLE:\n    %pip install -q -U urlextract\n", _DECLARED),
    "declared as an extra, a conda spelling or a commented-out option, in a try block": (
        "try:\n    import google.colab\n    %pip install box2d xgboost pyvirtualdisplay\nexcept ImportError:\n    pass\n", _DECLARED),
    "a shell test for Colab": ('! [ ! -z "$COLAB_GPU" ] && pip install urlextract\n', _DECLARED),
    "commented out on consecutive lines, each its own line, on Colab only": (
        _ON_COLAB.format("pyvirtualdisplay box2d"), {"requirements.txt": "# pyvirtualdisplay\n# box2d\n"}),
    "commented out with extras and a version, on Colab only": (
        _ON_COLAB.format("box2d"), {"requirements.txt": "# box2d[all] >= 2.3\n"}),
    "a library's notebook installing the library": (
        "!pip install mylib\n", {"pyproject.toml": "[project]\nname = 'mylib'\n", "mylib/__init__.py": ""}),
}


@pytest.mark.parametrize(("text", "extra"), ML807_SILENT.values(), ids=ML807_SILENT)
def test_ml807_silent(tmp_path, text, extra):
    assert one(tmp_path, text, "ML807", extra) == []


@pytest.mark.parametrize("name", ["docs/quickstart.ipynb", "examples/colab.ipynb", "tests/data/nb.ipynb", "tutorial.ipynb"])
def test_ml807_leaves_tutorials_and_tests_alone(tmp_path, name):
    assert one(tmp_path, "!pip install xgboost\n", "ML807", name=name) == []


def test_ml807_declared_on_colab_guard_is_not_fooled_by_a_local_else_branch(tmp_path):
    text = "if IS_LOCAL:\n    pass\nelse:\n    %pip install pandas\n"
    [finding] = one(tmp_path, text, "ML807", {"requirements.txt": "pandas==2.2.0\n"})
    assert "already declares it" in finding.message


# --- every rule on unusual but valid notebooks ----------------------------------------------------


def _unusual_notebooks() -> dict[str, str]:
    bare = {"cells": [
        {"cell_type": "code", "metadata": {}, "source": "import pandas as pd\n",
         "outputs": [{"output_type": "display_data", "data": {"text/plain": "x"}}]},
        {"cell_type": "code", "metadata": {}, "source": [], "outputs": []},
        {"cell_type": "code", "metadata": {}, "source": "", "execution_count": None, "outputs": []},
        {"cell_type": "raw", "metadata": {}, "source": "raw text"},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    v3_notebook = nbformat.writes(v3.new_notebook(worksheets=[v3.new_worksheet(cells=[
        v3.new_heading_cell("Churn"),
        v3.new_code_cell(input="import pandas as pd", prompt_number=1),
        v3.new_code_cell(input="df = pd.read_csv('d.csv')", prompt_number=2,
                         outputs=[v3.new_output("pyout", output_text="df", prompt_number=2)]),
    ])]), version=3)
    displays = v4.new_notebook(cells=[
        v4.new_markdown_cell("Widgets show their progress with `display()`, without an execution count."),
        v4.new_code_cell("import pandas as pd\nfrom IPython.display import display"),
        v4.new_code_cell("display(pd.DataFrame())", outputs=[v4.new_output("display_data", data={"text/plain": "Empty"})]),
    ])
    return {
        "no cells": json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
        "markdown only": notebook_json([("markdown", "# Title\n\nText.\n")]),
        "empty cells, no counts, outputs without metadata": json.dumps(bare),
        "a v3 notebook": v3_notebook,
        "display outputs without counts": nbformat.writes(displays),
        "cell magic cells": percent_notebook("# %% count=1\n%%time\nimport numpy as np\n# %% count=2\n%%writefile a.py\nx = 1\n"),
    }


UNUSUAL = _unusual_notebooks()


@pytest.mark.parametrize("text", UNUSUAL.values(), ids=UNUSUAL)
def test_every_rule_reads_unusual_notebooks_without_failing_or_reporting(tmp_path, text):
    findings = lint_tree(tmp_path, {"nb.ipynb": text}, select=[*ML8, "ML000"])
    assert where(findings) == []


def test_findings_point_at_the_notebook_file_line_of_their_cell(tmp_path):
    notebook = notebook_json(["import pandas as pd\n", "x = 1\n!pip install shap\n"], counts={0: 2, 1: 1})
    findings = lint(tmp_path, {"nb.ipynb": notebook}, ["ML801", "ML807"])
    lines = notebook.splitlines()
    assert {f.code: lines[f.physical_line - 1].strip() for f in findings} == {
        "ML801": '"x = 1\\n",', "ML807": '"!pip install shap\\n"'}


# --- the examples ---------------------------------------------------------------------------------


def test_the_leaky_example_shows_notebook_findings_and_the_tidy_one_none():
    leaky = {f.code for f in lint_tree(REPO / "examples" / "churn-leaky", select=ML8)}
    assert {"ML801", "ML802", "ML803", "ML804", "ML806", "ML807"} <= leaky
    assert lint_tree(REPO / "examples" / "churn-tidy", select=ML8) == []
