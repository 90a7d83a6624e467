"""ML601-ML605: security, privacy and model integrity.

Credentials in this file are fake and assembled with ``+`` so that the file
itself holds no token literal (mllint would rightly report one).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest

from mllint.analysis.deserialization import lowest_version
from mllint.analysis.secrets import (
    find_pii,
    find_secrets_in_text,
    luhn_valid,
    mask_secret,
)
from mllint.engine.findings import Finding, Severity
from mllint.testkit import codes, lint_source, lint_tree, notebook_json

ROOT = Path(__file__).resolve().parent.parent

HF = "hf_" + "Q7kLm9PzX2vB8nR4tY6wE1sD3fG5hJ0aZc"
OPENAI = "sk-" + "proj-Ab3dEf9hIj2kLm5nOp8qRs1tUv4wXy7zQ2"
ANTHROPIC = "sk-" + "ant-api03-Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1Ji0Hg9F"
AWS_ID = "AKIA" + "Q3R7T2W9Y4U6I1O5"
AWS_SECRET = "wJa1rXUtnFEMI/K7MDENG/bPxRfiCY9q" + "Zk3Lm8Np"
GITHUB = "ghp_" + "R4nd0mT0k3nV4lu3W1thD1g1tsAndL3tt3rs9"
GITHUB_PAT = "github_pat_" + "11AQ7X2F0pZ9kHiJkL_mNoPqRsTuVwXyZ0918273645"
GOOGLE = "AIza" + "SyD3x9Kq2Lm7Np4Rs8Tv1Wx6Yz0Ab5Cd2Ef"
SLACK = "xoxb-" + "2750193846-9081726354-Zq8Wx7Ec6Rv5Tb4"
WANDB = "4e1f9c2a7b3d8e6f0a5c" + "1b9d2e7f3a8c6b0d4e2f"
PRIVATE_KEY = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq9xT2lWm4kZr8P1sN6yQ3vU0hJ5cG9dF2aL8eR\n-----END RSA PRIVATE KEY-----\n"


def lint(tmp_path: Path, source: str, code: str, filename: str = "example.py") -> list[Finding]:
    return [f for f in lint_source(tmp_path, source, select=[code], filename=filename) if f.code == code]


def apply_fix(source: str, finding: Finding) -> str:
    """Apply a finding's edits (1-based line/column positions) to *source*."""
    assert finding.fix is not None
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    for edit in sorted(finding.fix.edits, key=lambda e: (e.line, e.column), reverse=True):
        begin, end = offset(edit.line, edit.column), offset(edit.end_line, edit.end_column)
        source = source[:begin] + edit.content + source[end:]
    cst.parse_module(source)  # the fixed code must still parse
    return source


# --- ML601 unsafe-deserialization ---------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "import pickle\nwith open(p, 'rb') as f:\n    m = pickle.load(f)\n",
        "import pickle\nm = pickle.loads(blob)\n",
        "from pickle import load as l\nm = l(f)\n",
        "from pickle import Unpickler\nm = Unpickler(f).load()\n",
        "import dill\nm = dill.load(f)\n",
        "import cloudpickle as cp\nm = cp.loads(b)\n",
        "import joblib\nm = joblib.load(p)\n",
        "from joblib import load\nm = load(p)\n",
        "import pandas as pd\ndf = pd.read_pickle(p)\n",
        "import pandas\ndf = pandas.read_pickle(p)\n",
        "import torch as t\nm = t.load(p)\n",
        "import torch\nm = torch.load(p, weights_only=False)\n",
        "import numpy as np\na = np.load(p, allow_pickle=True)\n",
        "import keras\nm = keras.models.load_model(p, safe_mode=False)\n",
        "import tensorflow as tf\nm = tf.keras.models.load_model(p, safe_mode=False)\n",
        "import yaml\nc = yaml.load(f)\n",
        "import yaml\nc = yaml.load(f, Loader=yaml.Loader)\n",
        "import yaml\nc = yaml.load(f, yaml.FullLoader)\n",
        "import yaml\nc = yaml.load(f, Loader=yaml.UnsafeLoader)\n",
        "import yaml\nc = yaml.unsafe_load(f)\n",
        "import yaml\nc = yaml.full_load(f)\n",
        "import jsonpickle\no = jsonpickle.decode(text)\n",
    ],
)
def test_unsafe_loaders_are_reported(tmp_path, source):
    findings = lint(tmp_path, source, "ML601")
    assert len(findings) == 1
    assert findings[0].line == source.count("\n")


@pytest.mark.parametrize(
    "source",
    [
        "import torch\nm = torch.load(p, weights_only=True)\n",
        "import torch\nm = torch.load(p, **load_kwargs)\n",
        "import torch\nm = torch.load(p, weights_only=flag)\n",
        "import numpy as np\na = np.load(p)\n",
        "import numpy as np\na = np.load(p, allow_pickle=False)\n",
        "import keras\nm = keras.models.load_model(p)\n",
        "import yaml\nc = yaml.safe_load(f)\n",
        "import yaml\nc = yaml.load(f, Loader=yaml.SafeLoader)\n",
        "import yaml\nc = yaml.load(f, Loader=yaml.CSafeLoader)\n",
        "import yaml\nc = yaml.load(f, Loader=yaml.BaseLoader)\n",
        "from yaml import SafeLoader, load\nc = load(f, Loader=SafeLoader)\n",
        "import yaml\nc = yaml.load(f, Loader=ProjectLoader)\n",
        # look-alikes: nothing below comes from a deserialising library
        "def load(path):\n    return path\n\nm = load('model.pkl')\n",
        "class Store:\n    def get(self, p):\n        return self.load(p)\n",
        "import torch\nm = model.load('x.pt')\nstate = checkpoint.load(p)\n",
        "import json\nd = json.load(f)\n",
        "import pickle\npickle.dump(model, f)\n",
        "import pickle\ncopy = pickle.loads(pickle.dumps(model))\n",
        "import pickle\nclass SafeUnpickler(pickle.Unpickler):\n    pass\nm = SafeUnpickler(f).load()\n",
        "import torch\n# torch.load(p) would be unsafe\n",
        'import torch\ndef f():\n    """Calls torch.load(p) internally."""\n',
    ],
)
def test_safe_loads_and_look_alikes_are_silent(tmp_path, source):
    assert lint(tmp_path, source, "ML601") == []


def test_severity_is_warning_for_own_constant_artifact(tmp_path):
    source = "import joblib\nmodel = joblib.load('models/churn.joblib')\n"
    [finding] = lint(tmp_path, source, "ML601")
    assert finding.severity is Severity.WARNING
    assert "own artifact `models/churn.joblib`" in finding.message


def test_own_artifact_through_with_open_and_path_join(tmp_path):
    source = (
        "import os, pickle\n"
        "with open(os.path.join('models', 'm.pkl'), 'rb') as f:\n"
        "    m = pickle.load(f)\n"
    )
    [finding] = lint(tmp_path, source, "ML601")
    assert finding.severity is Severity.WARNING


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("import torch\nsd = torch.load('https://example.org/m.pt')\n", "from a URL"),
        ("import pickle, requests\nm = pickle.loads(requests.get(url).content)\n", "downloaded"),
        (
            "import joblib\nfrom huggingface_hub import hf_hub_download\n"
            "path = hf_hub_download('org/model', 'model.joblib')\nm = joblib.load(path)\n",
            "downloaded",
        ),
        (
            "import pickle\nfrom urllib.request import urlretrieve\n"
            "local, _ = urlretrieve(url)\nwith open(local, 'rb') as f:\n    m = pickle.load(f)\n",
            "downloaded",
        ),
        ("import sys, joblib\nm = joblib.load(sys.argv[1])\n", "user input"),
        (
            "import argparse, joblib\nargs = argparse.ArgumentParser().parse_args()\nm = joblib.load(args.model)\n",
            "user input",
        ),
        ("import pickle\nfrom flask import request\nm = pickle.loads(request.files['m'].read())\n", "user input"),
    ],
)
def test_severity_is_error_for_remote_or_user_data(tmp_path, source, words):
    [finding] = lint(tmp_path, source, "ML601")
    assert finding.severity is Severity.ERROR
    assert words in finding.message


def test_unknown_origin_keeps_rule_default(tmp_path):
    [finding] = lint(tmp_path, "import pickle\ndef f(path):\n    return pickle.load(open(path, 'rb'))\n", "ML601")
    assert finding.severity is Severity.ERROR
    assert ", here" not in finding.message


def test_parameter_shadows_module_level_binding(tmp_path):
    source = (
        "import joblib\npath = 'models/m.joblib'\n"
        "def load_user_model(path):\n    return joblib.load(path)\n"
    )
    [finding] = lint(tmp_path, source, "ML601")
    assert finding.severity is Severity.ERROR


def test_configured_severity_overrides_origin(tmp_path):
    files = {
        "pyproject.toml": "[tool.mllint.severity]\nML601 = 'info'\n",
        "example.py": "import joblib\nm = joblib.load('models/m.joblib')\n",
    }
    findings = [f for f in lint_tree(tmp_path, files, select=["ML601"]) if f.code == "ML601"]
    assert [f.severity for f in findings] == [Severity.INFO]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "import torch as t\nm.load_state_dict(t.load(p))\n",
            "import torch as t\nm.load_state_dict(t.load(p, weights_only=True))\n",
        ),
        (
            "import torch\nsd = torch.load(p, map_location='cpu')\nm.load_state_dict(sd)\n",
            "import torch\nsd = torch.load(p, map_location='cpu', weights_only=True)\nm.load_state_dict(sd)\n",
        ),
        (
            "import torch\nm.load_state_dict(torch.load(\n    p,\n    map_location='cpu',\n))\n",
            "import torch\nm.load_state_dict(torch.load(\n    p,\n    map_location='cpu',\n    weights_only=True,\n))\n",
        ),
        (
            "import torch\nm.load_state_dict(torch.load(\n    p,\n))\n",
            "import torch\nm.load_state_dict(torch.load(\n    p,\n    weights_only=True,\n))\n",
        ),
        ("import yaml as y\nc = y.load('lr: 0.1')\n", "import yaml as y\nc = y.safe_load('lr: 0.1')\n"),
    ],
)
def test_safe_fixes(tmp_path, source, expected):
    [finding] = lint(tmp_path, source, "ML601")
    assert finding.fix is not None and finding.fix.safe
    assert apply_fix(source, finding) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import torch as t\nm = t.load(p)\n", "import torch as t\nm = t.load(p, weights_only=True)\n"),  # maybe a whole model
        ("import yaml as y\nc = y.load(f)\n", "import yaml as y\nc = y.safe_load(f)\n"),  # maybe tagged objects
    ],
)
def test_unsafe_fixes_where_the_data_may_not_be_plain(tmp_path, source, expected):
    [finding] = lint(tmp_path, source, "ML601")
    assert finding.fix is not None and not finding.fix.safe
    assert apply_fix(source, finding) == expected


@pytest.mark.parametrize(
    ("source", "inserted"),
    [
        ("import torch\nm = torch.load('https://u:Zr8Tq4Vm2W@h/m.pt')\n", ", weights_only=True"),
        ("import torch\nm = torch.load(\n    'https://u:Zr8Tq4Vm2W@h/m.pt',\n    map_location='cpu',\n)\n",
         ",\n    weights_only=True"),
        ("import torch\nm = torch.load(\n    'https://u:Zr8Tq4Vm2W@h/m.pt'\n)\n", ",\n    weights_only=True"),
    ],
)
def test_weights_only_fix_is_an_insertion_that_quotes_nothing_of_the_call(tmp_path, source, inserted):
    """The fix's edit is shown in --format json and cached: it must not carry the call's URL."""
    [finding] = lint(tmp_path, source, "ML601")
    assert finding.fix is not None
    [edit] = finding.fix.edits
    assert ((edit.line, edit.column), edit.content) == ((edit.end_line, edit.end_column), inserted)


def test_fix_is_idempotent_after_applying(tmp_path):
    source = "import torch\nm = torch.load(p)\n"
    [finding] = lint(tmp_path, source, "ML601")
    assert lint(tmp_path, apply_fix(source, finding), "ML601") == []


@pytest.mark.parametrize(
    "source",
    [
        "import torch\nm = torch.load(p, weights_only=False)\n",  # the user chose False: no silent flip
        "import yaml\nc = yaml.load(f, Loader=yaml.Loader)\n",
        "from yaml import load\nc = load(f)\n",  # safe_load is not imported
        "import pickle\nm = pickle.load(f)\n",
    ],
)
def test_no_safe_fix_where_behaviour_could_change(tmp_path, source):
    [finding] = lint(tmp_path, source, "ML601")
    assert finding.fix is None or not finding.fix.safe


@pytest.mark.parametrize("call", ["yaml.full_load(f)", "yaml.load(f, Loader=yaml.FullLoader)"])
def test_full_loader_risk_is_not_overstated(tmp_path, call):
    [finding] = lint(tmp_path, f"import yaml\nc = {call}\n", "ML601")
    assert "builds arbitrary Python objects" in finding.message


def test_full_load_gets_an_unsafe_suggestion(tmp_path):
    source = "import yaml\nc = yaml.full_load(f)\n"
    [finding] = lint(tmp_path, source, "ML601")
    assert finding.fix is not None and not finding.fix.safe
    assert apply_fix(source, finding) == "import yaml\nc = yaml.safe_load(f)\n"


def test_unsafe_load_in_notebook_lands_on_its_cell(tmp_path):
    notebook = notebook_json(["import torch\n", ("markdown", "# Load\n"), "x = 1\nm = torch.load('m.pt')\n"])
    [finding] = lint(tmp_path, notebook, "ML601", filename="analysis.ipynb")
    assert (finding.cell, finding.line) == (3, 2)


# --- ML601: the torch version decides what a plain torch.load does --------------------------

LOAD = "import torch\nm = torch.load(p)\n"


@pytest.mark.parametrize(
    "declaration",
    [
        {"requirements.txt": "torch>=2.6\n"},
        {"requirements.txt": "torch==2.7.1\nnumpy\n"},
        {"requirements/base.txt": "torch >=2.6.0, <3.0\n"},  # a requirements/ folder serves the folder above
        {"pyproject.toml": "[project]\nname = 'x'\nversion = '1'\ndependencies = ['torch[cuda]>=2.7,<3; python_version>\"3.9\"']\n"},
        {"pyproject.toml": "[tool.poetry.dependencies]\npython = '^3.10'\ntorch = '^2.6'\n"},
        {"environment.yml": "dependencies:\n  - python=3.11\n  - pytorch::pytorch=2.6.0\n"},
        {"requirements.txt": "torch>=2.6\n", "setup.py": "from setuptools import setup\nsetup(install_requires=['torch'])\n"},
    ],
)
def test_plain_torch_load_is_silent_when_declared_torch_defaults_to_weights_only(tmp_path, declaration):
    files = {**declaration, "example.py": LOAD}
    assert [f for f in lint_tree(tmp_path, files, select=["ML601"]) if f.code == "ML601"] == []


@pytest.mark.parametrize(
    ("declaration", "path"),
    [
        ({}, "example.py"),
        ({"requirements.txt": "torch\n"}, "example.py"),  # unversioned: any release, 2.5 included
        ({"requirements.txt": "torch>=2.0,<2.11\n"}, "example.py"),
        ({"requirements.txt": "torch<2.6\n"}, "example.py"),
        ({"requirements.txt": "torch>2.5\n"}, "example.py"),  # 2.5.1 is admitted
        ({"requirements.txt": "torch>=2.6\n", "setup.py": "from setuptools import setup\nsetup(install_requires=['torch>=2.0'])\n"},
         "example.py"),  # the package still supports 2.0
        ({"a/requirements.txt": "torch>=2.6\n", "b/requirements.txt": "torch>=1.11\n"}, "b/example.py"),
        ({"a/requirements.txt": "torch>=2.6\n"}, "b/example.py"),  # a neighbour's requirement does not apply
    ],
)
def test_plain_torch_load_is_reported_when_older_torch_is_admitted(tmp_path, declaration, path):
    files = {**declaration, path: LOAD}
    [finding] = [f for f in lint_tree(tmp_path, files, select=["ML601"]) if f.code == "ML601"]
    assert "the default from torch 2.6" in finding.message
    assert finding.fix is not None and not finding.fix.safe  # the loaded object may be a whole model


def test_nearest_declaring_folder_decides(tmp_path):
    files = {
        "requirements.txt": "torch>=1.13\n",
        "serving/requirements.txt": "torch>=2.6\n",
        "serving/load.py": LOAD,
        "train.py": LOAD,
    }
    findings = [f for f in lint_tree(tmp_path, files, select=["ML601"]) if f.code == "ML601"]
    assert [f.path for f in findings] == ["train.py"]


def test_explicit_weights_only_false_is_reported_whatever_the_torch_version(tmp_path):
    files = {"requirements.txt": "torch>=2.6\n", "example.py": "import torch\nm = torch.load(p, weights_only=False)\n"}
    assert codes(f for f in lint_tree(tmp_path, files, select=["ML601"]) if f.code == "ML601") == ["ML601"]


@pytest.mark.parametrize(
    ("requirement", "lowest"),
    [
        ("torch", None),
        ("torch>=2.6", (2, 6)),
        ("torch >=2.0.0, <2.11.0", (2, 0, 0)),
        ("torch<2.6", None),
        ("torch!=2.5,>=2.6", (2, 6)),
        ("torch >= 2.7.1; sys_platform == 'linux'", (2, 7, 1)),
        ("torch~=2.6.0", (2, 6, 0)),
        ("torch==2.6.*", (2, 6)),
        ("torch>2.5", (2, 5)),
        ("torch @ https://example.org/torch-2.7.0-cp311-linux_x86_64.whl", None),
        ("pytorch=2.6.0=py3.11_cuda12.4", (2, 6, 0)),
        ("pytorch::pytorch>=2.7", (2, 7)),
        ("pytorch 2.6.*", (2, 6)),
        ("pytorch 2.6.*|2.5.*", (2, 5)),
        ('torch = "^2.6"', (2, 6)),
        ('torch = "2.6.0"', (2, 6, 0)),
        ('torch = {version = ">=2.5", optional = true}', (2, 5)),
        ('torch = "*"', None),
    ],
)
def test_lowest_declared_version(requirement, lowest):
    assert lowest_version(requirement) == lowest


@pytest.mark.parametrize(
    ("source", "reported"),
    [
        ("import torch\nwith torch.serialization.safe_globals([Net]):\n    m = torch.load(p)\n", False),
        ("from torch.serialization import safe_globals\nimport torch\nwith safe_globals([Net]):\n    m = torch.load(p)\n",
         False),
        ("import torch\nwith torch.serialization.safe_globals([Net]):\n    m = torch.load(p, weights_only=False)\n", True),
        ("import torch\nwith torch.no_grad():\n    m = torch.load(p)\n", True),
    ],
)
def test_load_inside_safe_globals_is_restricted(tmp_path, source, reported):
    assert len(lint(tmp_path, source, "ML601")) == int(reported)


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\na = np.load(p, allow_pickle=1)\n",
        "import numpy as np\na = np.load(p, allow_pickle='True')\n",
        "import numpy as np\na = np.load(p, allow_pickle='False')\n",  # a non-empty string is truthy
        "import numpy as np\na = np.load(p, None, True)\n",  # by position
        "import numpy as np\nPICKLE = True\na = np.load(p, allow_pickle=PICKLE)\n",
        "import numpy as np\ndef f(p):\n    allow = not False\n    return np.load(p, allow_pickle=allow)\n",
        "import torch\nWEIGHTS_ONLY = False\nm = torch.load(p, weights_only=WEIGHTS_ONLY)\n",
        "import torch\nm = torch.load(p, weights_only=0)\n",
        "import torch\nm = torch.load(p, weights_only=False, **load_kwargs)\n",  # a keyword cannot be given twice
        "import keras\nm = keras.models.load_model(p, safe_mode=0)\n",
        "import yaml\nc = yaml.load(f, Loader=yaml.FullLoader, **kwargs)\n",
        "import yaml\nc = yaml.load(f, yaml.UnsafeLoader, **kwargs)\n",
    ],
)
def test_unsafe_flag_values_are_read_as_python_reads_them(tmp_path, source):
    assert codes(lint(tmp_path, source, "ML601")) == ["ML601"]


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\na = np.load(p, allow_pickle=0)\n",
        "import numpy as np\na = np.load(p, allow_pickle='')\n",
        "import numpy as np\na = np.load(p, allow_pickle=None)\n",
        "import numpy as np\ndef f(p, allow):\n    return np.load(p, allow_pickle=allow)\n",  # the caller decides
        "import torch\nWEIGHTS_ONLY = True\nm = torch.load(p, weights_only=WEIGHTS_ONLY)\n",
        "import torch\nm = torch.load(p, weights_only=1)\n",
        "import torch\ndef f(p, weights_only=False):\n    return torch.load(p, weights_only=weights_only)\n",
        "import keras\nm = keras.models.load_model(p, safe_mode=None)\n",
        "import yaml\nc = yaml.load(f, **kwargs)\n",  # the Loader may be in kwargs
        "import yaml\nc = yaml.load(f, Loader=yaml.SafeLoader, **kwargs)\n",
    ],
)
def test_safe_or_unknown_flag_values_are_silent(tmp_path, source):
    assert lint(tmp_path, source, "ML601") == []


@pytest.mark.parametrize(
    "source",
    [
        "import yaml\nfrom ruamel.yaml import YAML\n\nyaml = YAML(typ='rt')\nc = yaml.load(f)\n",
        "import yaml\nfrom ruamel.yaml import YAML\n\ndef read(f):\n    yaml = YAML()\n    return yaml.load(f)\n",
        "import pickle\n\ndef restore(pickle, f):\n    return pickle.load(f)\n",  # a parameter named like the module
        "import torch\n\nclass Hub:\n    def get(self):\n        torch = self.backend\n        return torch.load(p)\n",
    ],
)
def test_local_name_shadowing_a_module_is_not_the_module(tmp_path, source):
    assert lint(tmp_path, source, "ML601") == []


@pytest.mark.parametrize(
    "source",
    [
        # the assignment is in another function: here the name is still the module
        "import yaml\nfrom ruamel.yaml import YAML\n\ndef a():\n    yaml = YAML()\n\ndef b(f):\n    return yaml.load(f)\n",
        # re-imported after the assignment
        "import yaml\nyaml = None\nimport yaml\nc = yaml.load(f)\n",
    ],
)
def test_module_name_not_shadowed_where_called_is_reported(tmp_path, source):
    assert codes(lint(tmp_path, source, "ML601")) == ["ML601"]


ALL_GATHER = (
    "import pickle\n\nimport torch\nimport torch.distributed as dist\n\n\ndef all_gather(data):\n"
    "    buffer = pickle.dumps(data)\n    tensor = torch.ByteTensor(torch.ByteStorage.from_buffer(buffer)).to('cuda')\n"
    "    tensor_list = [torch.empty_like(tensor) for _ in range(dist.get_world_size())]\n"
    "    dist.all_gather(tensor_list, tensor)\n    data_list = []\n    for tensor in tensor_list:\n"
    "        buffer = tensor.cpu().numpy().tobytes()\n        data_list.append(pickle.loads(buffer))\n"
    "    return data_list\n"
)


@pytest.mark.parametrize(
    "source",
    [
        "import pickle\n\ndef test_pickle(net):\n    dumped = pickle.dumps(net)\n    assert pickle.loads(dumped)\n",
        "import cloudpickle\nblob = cloudpickle.dumps(metric)\nrestored = cloudpickle.loads(blob)\n",
        "import pickle\n\ndef test_roundtrip(tmp_path, net):\n    p = tmp_path / 'net.pkl'\n"
        "    with open(str(p), 'wb') as f:\n        pickle.dump(net, f)\n"
        "    with open(str(p), 'rb') as f:\n        return pickle.load(f)\n",
        "import torch\ntorch.save(metric.state_dict(), 'metric.pth')\nstate = torch.load(\"metric.pth\")\n",
        "import joblib\n\ndef check(model, path):\n    joblib.dump(model, path)\n    return joblib.load(path)\n",
        "import pickle\n\ndef check(obj, path):\n    path.write_bytes(pickle.dumps(obj))\n    return pickle.loads(path.read_bytes())\n",
        # the job's own objects, exchanged between its processes (torchvision's and DETR's ``all_gather``)
        ALL_GATHER,
        # the state an unpickler hands over (stable-baselines3's ``CloudpickleWrapper``)
        "import cloudpickle\n\nclass Wrapper:\n    def __getstate__(self):\n        return cloudpickle.dumps(self.var)\n\n"
        "    def __setstate__(self, var):\n        self.var = cloudpickle.loads(var)\n",
    ],
)
def test_data_this_code_just_wrote_is_silent(tmp_path, source):
    assert lint(tmp_path, source, "ML601") == []


@pytest.mark.parametrize(
    "source",
    [
        # a different file than the one written
        "import pickle\n\ndef f(net, p, q):\n    with open(p, 'wb') as out:\n        pickle.dump(net, out)\n"
        "    with open(q, 'rb') as f:\n        return pickle.load(f)\n",
        # written in another function: nothing says it is still the same file
        "import joblib\n\ndef save(model):\n    joblib.dump(model, 'model.joblib')\n\n"
        "def load():\n    return joblib.load('model.joblib')\n",
        # opened for reading only
        "import pickle\nwith open('m.pkl', 'rb') as f:\n    header = f.read(4)\nwith open('m.pkl', 'rb') as f:\n    m = pickle.load(f)\n",
        # bytes from elsewhere, not a dumps result
        "import pickle\nblob = sock.recv(4096)\nobj = pickle.loads(blob)\n",
        # a collective without a dumps of its own: the bytes come from elsewhere
        ALL_GATHER.replace("buffer = pickle.dumps(data)", "buffer = data"),
        # a method restoring state from bytes it is given, outside the pickling protocol
        "import cloudpickle\n\nclass Wrapper:\n    def restore(self, var):\n        self.var = cloudpickle.loads(var)\n",
    ],
)
def test_data_not_written_here_is_reported(tmp_path, source):
    assert codes(lint(tmp_path, source, "ML601")) == ["ML601"]


TRAINER_CHECKPOINT = (
    "import os\n\nimport torch\nfrom lightning import Trainer\n\n\ndef test_checkpoint_on_exception({folder}):\n"
    "    Trainer(default_root_dir={folder}).fit(Model())\n"
    "    checkpoint = torch.load({path}, map_location='cpu', weights_only=False)\n"
    "    assert checkpoint['epoch'] == 1\n"
)


@pytest.mark.parametrize(
    ("folder", "path", "filename", "reported"),
    [
        # a file in the folder pytest made for this test: only this test run wrote it
        ("tmp_path", "tmp_path / 'exception.ckpt'", "tests/test_checkpoint.py", False),
        ("tmpdir", "os.path.join(tmpdir, 'last.ckpt')", "tests/test_checkpoint.py", False),
        ("tmp_path_factory", "tmp_path_factory.mktemp('ckpt') / 'last.ckpt'", "tests/test_checkpoint.py", False),
        ("tmp_path", "str(tmp_path / 'exception.ckpt')", "tests/conftest.py", False),
        # outside the tests a parameter named tmp_path is any path a caller passes
        ("tmp_path", "tmp_path / 'exception.ckpt'", "train.py", True),
        # a download into the temporary folder is still a download
        ("tmp_path", "hf_hub_download('org/model', 'model.ckpt', cache_dir=tmp_path)", "tests/test_checkpoint.py", True),
        # a committed checkpoint the test reads is the project's artifact, still reported
        ("tmp_path", "'tests/data/model.ckpt'", "tests/test_checkpoint.py", True),
        # tempfile's own mktemp is no pytest folder
        ("tempfile", "tempfile.mktemp()", "tests/test_checkpoint.py", True),
    ],
)
def test_a_test_runs_own_temporary_files_are_silent(tmp_path, folder, path, filename, reported):
    source = TRAINER_CHECKPOINT.format(folder=folder, path=path)
    assert bool(lint(tmp_path, source, "ML601", filename=filename)) is reported


@pytest.mark.parametrize(
    ("data", "filename", "reported"),
    [
        # bytes the code under test serialised, read back by the test (LitServe's exception round trip)
        ("dump_exception(ValueError('x'))", "tests/test_utils.py", False),
        ("socket.send.call_args[0][0].split(b'|', 1)[1]", "tests/test_queue.py", False),
        ("payload", "tests/helpers.py", False),
        # the same bytes outside the tests may come from anyone
        ("payload", "server.py", True),
        # a committed file or a download read into memory is still that file
        ("open('tests/data/model.pkl', 'rb').read()", "tests/test_utils.py", True),
        ("requests.get('https://example.com/model.pkl').content", "tests/test_utils.py", True),
    ],
)
def test_bytes_a_test_holds_are_what_the_code_under_test_serialised(tmp_path, data, filename, reported):
    source = (
        "import pickle\n\nimport requests\nfrom app import dump_exception\n\n\n"
        f"def test_round_trip(socket, payload):\n    assert pickle.loads({data}) is not None\n"
    )
    assert bool(lint(tmp_path, source, "ML601", filename=filename)) is reported


WEIGHTS_FIXTURE = """
import pytest
import torch


@pytest.fixture(scope="session"{name})
def {fixture}(tmp_path_factory):
    path = {path}
    torch.save(make_model().state_dict(), path)
    return path
"""

LOADS_THE_FIXTURE = "import torch\n\n\ndef test_model(weights_path):\n    model.load_state_dict(torch.load(weights_path))\n"


#: (the fixture's name, the path it returns, where it is defined, whether the test's load is reported)
FIXTURE_CASES = {
    # a fixture writing the weights in the test run's temporary folder, in the module or a conftest.py
    "module": ("weights_path", "tmp_path_factory.mktemp('models') / 'weights.pt'", "module", False),
    "conftest": ("weights_path", "os.path.join(str(tmp_path_factory.mktemp('models')), 'weights.pt')", "conftest", False),
    "named": ("other", "tmp_path_factory.mktemp('models') / 'weights.pt'", "named", False),
    # a fixture handing out a committed file or a download is no temporary path
    "committed file": ("weights_path", "'tests/data/weights.pt'", "module", True),
    "download": ("weights_path", "hf_hub_download('org/model', 'weights.pt')", "conftest", True),
    # a fixture of another name does not give the parameter its value
    "another fixture": ("model_path", "tmp_path_factory.mktemp('models') / 'weights.pt'", "module", True),
}


@pytest.mark.parametrize(("fixture", "path", "where", "reported"), FIXTURE_CASES.values(), ids=FIXTURE_CASES.keys())
def test_paths_of_temporary_fixtures_are_silent(tmp_path, fixture, path, where, reported):
    named = ", name='weights_path'" if where == "named" else ""
    fixture_module = "import os\n" + WEIGHTS_FIXTURE.format(name=named, fixture=fixture, path=path)
    if where == "conftest":
        files = {"tests/conftest.py": fixture_module, "tests/test_model.py": LOADS_THE_FIXTURE}
    else:
        files = {"tests/test_model.py": fixture_module + "\n\n" + LOADS_THE_FIXTURE.split("\n", 1)[1]}
    findings = [f for f in lint_tree(tmp_path, files, select=["ML601"]) if f.path == "tests/test_model.py"]
    assert bool(findings) is reported


# --- ML602 hardcoded-secret -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        (f'token = "{HF}"\n', "Hugging Face token"),
        (f'client = OpenAI(api_key="{OPENAI}")\n', "OpenAI API key"),
        (f'KEY = "{ANTHROPIC}"\n', "Anthropic API key"),
        (f'aws_access_key_id = "{AWS_ID}"\n', "AWS access key id"),
        (f'aws_secret_access_key = "{AWS_SECRET}"\n', "AWS secret access key"),
        (f'config = {{"aws_secret_access_key": "{AWS_SECRET}"}}\n', "AWS secret access key"),
        (f'GH = "{GITHUB}"\n', "GitHub token"),
        (f'GH = "{GITHUB_PAT}"\n', "GitHub token"),
        (f'maps_key = "{GOOGLE}"\n', "Google API key"),
        (f'SLACK = "{SLACK}"\n', "Slack token"),
        (f"KEY = {PRIVATE_KEY!r}\n", "private key block"),
        (f'import wandb\nwandb.login(key="{WANDB}")\n', "W&B API key"),
        (f'WANDB_API_KEY = "{WANDB}"\n', "W&B API key"),
        ('import comet_ml\nexp = comet_ml.Experiment(api_key="Zk3Lm8NpQ2rT6vX9")\n', "API key"),
        ('COMET_API_KEY = "Zk3Lm8NpQ2rT6vX9"\n', "Comet API key"),
        ('NEPTUNE_API_TOKEN = "eyJhcGlfYWRkcmVzcyI6Imh0dHBz"\n', "Neptune token"),
        ('DB = "postgresql://analyst:Tr0ub4dor3@db.internal.corp/churn"\n', "password in a `postgresql://` connection URL"),
        ('password = "hunter2hunter2"\n', "password"),
        ('self_password = "Qw3rty!Zx9"\n', "password"),
        ('settings.db_password = "Qw3rty!Zx9"\n', "password"),
        ('import os\nos.environ["HF_TOKEN"] = "Qw3rtyZx9Lm2"\n', "token"),
        ('client_secret = "Qw3rtyZx9Lm2"\n', "secret"),
        ('def connect(password="Qw3rty!Zx9"):\n    pass\n', "password"),
        ('requests.get(url, headers=h, token="Qw3rtyZx9Lm2")\n', "token"),
        (f'url = f"https://{{host}}/?key={GOOGLE}"\n', "Google API key"),
    ],
)
def test_secrets_in_code_are_reported_masked(tmp_path, source, kind):
    findings = lint(tmp_path, source, "ML602")
    assert len(findings) == 1, findings
    message = findings[0].message
    assert kind in message
    secret = source.split('"')[-2] if '"' in source else PRIVATE_KEY
    for value in (secret, HF, OPENAI, ANTHROPIC, AWS_ID, AWS_SECRET, GITHUB, GITHUB_PAT, GOOGLE, SLACK, WANDB, "Tr0ub4dor3"):
        assert value not in message
    assert "*" * 12 in message


@pytest.mark.parametrize(
    "source",
    [
        'api_key = ""\n',
        'api_key = "changeme"\n',
        'api_key = "<your-key>"\n',
        'api_key = "your_api_key_here"\n',
        'api_key = "xxxxxxxxxxxxxxxxxxxx"\n',
        'password = "***"\n',
        'password = "********"\n',
        'token = "None"\n',
        'token = "abc123"\n',  # shorter than 8 characters
        'secret = "do not commit secrets to the repository"\n',  # prose
        'password = "${DB_PASSWORD}"\n',
        'password = "{password}"\n',
        'token_env = "HF_TOKEN"\ntoken = "HF_TOKEN"\n',
        'token_file = "token.json"\nsecret = "secret.key"\n',
        'secret = "my-app-secret-name"\n',
        'pipe.load_textual_inversion("org/emb", token="EasyNegative")\n',
        '!git clone https://user:...token...@huggingface.co/user/model\n',
        'import os\napi_key = os.environ["OPENAI_API_KEY"]\ntoken = os.getenv("HF_TOKEN")\n',
        'pad_token = "<|endoftext|>"\neos_token = "</s>"\nmask_token = "[MASK]AAAAA1"\n',
        'tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")\n',
        'DB = "postgresql://user:@localhost/db"\n',
        'DB = "postgresql://user:${DB_PASS}@localhost/db"\n',
        'DB = f"postgresql://user:{password}@localhost/db"\n',
        'DB = "postgresql://postgres:postgres@localhost/db"\n',
        'api_key = "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"\n',
        'AWS = "AKIAIOSFODNN7EXAMPLE"\n',
        'text = "hf_ tokens start with hf_ and sk- keys with sk-"\n',
        'name = "task-scheduler-for-daily-training-jobs"\n',
        f'def f():\n    """Example: login with token {HF}."""\n',
        f'"""Module docstring mentioning {OPENAI}."""\n',
        "# token = 'Qw3rtyZx9Lm2'\nx = 1\n",  # a name and a value: read in code only, not in comments
        "x = 1  # api_key = sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
        "# see https://user:<password>@host/db\n",
        # an access key id as a pre-signed S3 URL's credential scope: shared by design, opens nothing
        'url = "https://b.s3.amazonaws.com/k.json?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAY5FHYJAYKV7YHGUP%2F20210416%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Expires=86400"\n',
        # a lazy-import table: the name of the class, not a token
        '_LAZY = {"ApiToken": "._internal.cloud.api_token:ApiToken", "auth_token": "pkg.auth.tokens.default"}\n',
        'if line.startswith("-----BEGIN RSA PRIVATE KEY-----"):\n    pass\n',
    ],
)
def test_placeholders_docstrings_and_comments_are_silent(tmp_path, source):
    assert lint(tmp_path, source, "ML602") == []


@pytest.mark.parametrize("filename", ["tests/conftest.py", "tests/test_api.py", "api_test.py"])
def test_a_test_suite_s_own_made_up_key_is_not_a_leak(tmp_path, filename):
    """Tests give the code under test a key of their own; a provider's token there is still reported."""
    made_up = 'from starlette.config import environ\n\nenviron["API_KEY"] = "a1279d26-63ac-41f1-8266-4ef3702ad7cb"\n'
    assert lint(tmp_path / "made-up", made_up, "ML602", filename) == []
    assert lint(tmp_path / "in-the-app", made_up, "ML602", "app/settings.py") != []
    [finding] = lint(tmp_path / "provider", f'HF_TOKEN = "{HF}"\n', "ML602", filename)
    assert "Hugging Face token" in finding.message


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        (f"# token = '{HF}'\nx = 1\n", "Hugging Face token"),
        (f"x = np.random.rand(3)  # {GITHUB}\n", "GitHub token"),
        ("def f():\n    # psql postgresql://analyst:Tr0ub4dor3@db.internal.corp/churn\n    pass\n",
         "password in a `postgresql://` connection URL"),
    ],
)
def test_tokens_in_comments_are_reported_masked(tmp_path, source, kind):
    """A comment is committed as the code is: a provider token or a URL password in it is as exposed."""
    [finding] = lint(tmp_path, source, "ML602")
    assert kind in finding.message and "in a comment" in finding.message
    assert not any(value in finding.message for value in (HF, GITHUB, "Tr0ub4dor3"))


@pytest.mark.parametrize(
    "source",
    [
        'self.class_token = "[unused99]"\n',
        'special = {"sep_token": "[SEP]", "cls_token": "[CLS]", "answer_token": "[ANSWER_1]"}\n',
        'tokenizer = Tok(pad_token="<|endoftext|>", graph_token="|graph_01|")\n',
        'summary_token = "\u2581summary2"\n',  # a SentencePiece piece
        'model = ViT(class_token="<cls_embed_1>")\n',
    ],
)
def test_tokenizer_and_model_tokens_are_not_credentials(tmp_path, source):
    assert lint(tmp_path, source, "ML602") == []


@pytest.mark.parametrize(
    "source",
    [
        'api_token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.Qw3rtyZx9Lm2"\n',  # a JWT
        'GITLAB_TOKEN = "glpat-Ab3dEf9hIj2kLm5nOp8q"\n',
        'TELEGRAM_TOKEN = "7712345678:AAHk3Lm8NpQ2rT6vX9yZ0aB1cD2eF3gH4iJ"\n',
    ],
)
def test_credential_shaped_tokens_are_reported(tmp_path, source):
    assert codes(lint(tmp_path, source, "ML602")) == ["ML602"]


@pytest.mark.parametrize(
    "source",
    [
        'client.post("/v1/auth/users", json={"username": "x", "password": "password123"})\n',
        'password = "Admin123!"\n',
        'create_user(name="svc", pwd="qwerty2024")\n',
        'DB_PASSWORD = "postgres_1"\n',
    ],
)
def test_dictionary_passwords_with_a_counter_are_stand_ins(tmp_path, source):
    assert lint(tmp_path, source, "ML602") == []


def test_password_that_is_not_a_dictionary_word_is_reported(tmp_path):
    assert codes(lint(tmp_path, 'password = "Password4Tr0ub4dor"\n', "ML602")) == ["ML602"]


def test_one_finding_per_literal(tmp_path):
    findings = lint(tmp_path, f'hf_token = "{HF}"\n', "ML602")
    assert len(findings) == 1
    assert "Hugging Face token" in findings[0].message


def test_secret_in_notebook_code_lands_on_its_cell(tmp_path):
    notebook = notebook_json(["import os\n", ("markdown", "Login\n"), f'x = 1\nHF_TOKEN = "{HF}"\n'])
    [finding] = lint(tmp_path, notebook, "ML602", filename="train.ipynb")
    assert (finding.cell, finding.line) == (3, 2)
    assert HF not in finding.message


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _display(data: dict) -> dict:
    return {"output_type": "display_data", "metadata": {}, "data": data}


@pytest.mark.parametrize(
    "output",
    [
        _stream(f"environ({{'HF_TOKEN': '{HF}', 'HOME': '/root'}})\n"),
        _display({"text/plain": f"Config(api_key='{OPENAI}')"}),
        _display({"text/html": f"<table><tr><td>key</td><td>{AWS_ID}</td></tr></table>"}),
        _stream(f"WANDB_API_KEY={WANDB}\n"),
        {"output_type": "error", "ename": "OperationalError", "evalue": "could not connect",
         "traceback": ["\x1b[0;31mOperationalError\x1b[0m: postgresql://ml:Tr0ub4dor3@10.0.0.7/churn"]},
    ],
)
def test_secrets_in_notebook_outputs_are_reported_on_their_cell(tmp_path, output):
    notebook = notebook_json(["import os\n", "print(os.environ)\n"], outputs={1: [output]})
    findings = lint(tmp_path, notebook, "ML602", filename="explore.ipynb")
    assert [(f.cell, f.line) for f in findings] == [(2, 1)]
    assert "output of this cell" in findings[0].message


def test_output_secret_found_even_when_code_has_no_trigger(tmp_path):
    notebook = notebook_json(["x = 1\n", "!env\n"], outputs={1: [_stream(f"HF_TOKEN={HF}\nPATH=/usr/bin\n")]})
    [finding] = lint(tmp_path, notebook, "ML602", filename="explore.ipynb")
    assert finding.cell == 2


def test_one_output_finding_per_cell_and_kind(tmp_path):
    other = HF[:-4] + "Wq9Z"
    outputs = {0: [_stream(f"{HF}\n"), _display({"text/plain": other, "text/html": f"<b>{HF}</b>"})]}
    notebook = notebook_json(["show()\n"], outputs=outputs)
    assert len(lint(tmp_path, notebook, "ML602", filename="n.ipynb")) == 1


def test_shell_markdown_and_non_python_cells_are_scanned(tmp_path):
    notebook = notebook_json(
        ["x = 1\n", f"!huggingface-cli login --token {HF}\n", f"%%bash\nexport OPENAI_API_KEY={OPENAI}\n",
         ("markdown", f"# Setup\n\nUse the key `{GOOGLE}`.\n"), ("markdown", "Tokens look like `hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`\n")]
    )
    findings = lint(tmp_path, notebook, "ML602", filename="setup.ipynb")
    assert [(f.cell, f.line) for f in findings] == [(2, 1), (3, 2), (4, 3)]
    assert findings[0].column == len("!huggingface-cli login --token ") + 1


@pytest.mark.parametrize(
    "output",
    [
        _stream("Token is valid (permission: write).\nYour token has been saved to /root/.cache/huggingface/token\n"),
        _display({"text/plain": "{'input_ids': [101, 2023], 'token_type_ids': [0, 0], 'attention_mask': [1, 1]}"}),
        _display({"text/plain": "PreTrainedTokenizerFast(special_tokens={'pad_token': '[PAD]', 'unk_token': '[UNK]'})"}),
        _stream("Looking in indexes: https://user:****@pypi.internal/simple\n"),
        _stream("password: ********\n"),
        _stream("    http://localhost:8888/lab?token=dd852649a0c1e3f5b7d9\n"),
    ],
)
def test_benign_notebook_outputs_are_silent(tmp_path, output):
    notebook = notebook_json(["x = 1\n"], outputs={0: [output]})
    assert lint(tmp_path, notebook, "ML602", filename="n.ipynb") == []


def test_secret_never_appears_in_json_or_text_output(tmp_path):
    (tmp_path / "keys.py").write_text(f'HF_TOKEN = "{HF}"\nDB = "mysql://root:Tr0ub4dor3@db.corp.com/x"\n')
    notebook = notebook_json(["print(cfg)\n"], outputs={0: [_stream(f"{OPENAI}\n")]})
    (tmp_path / "n.ipynb").write_text(notebook)
    outputs = []
    for fmt in ("json", "text"):
        done = subprocess.run(
            [sys.executable, "-m", "mllint", "check", ".", "--select", "ML602", "--format", fmt, "--show-source"],
            cwd=tmp_path, capture_output=True, text=True,
        )
        outputs.append(done.stdout + done.stderr)
    found = json.loads(outputs[0])
    assert sorted(f["path"] for f in found) == ["keys.py", "keys.py", "n.ipynb"]
    for text in outputs:
        for secret in (HF, OPENAI, "Tr0ub4dor3"):
            assert secret not in text


def test_mask_shows_at_most_four_characters():
    assert mask_secret(HF) == "hf_Q" + "*" * 12
    assert mask_secret("Tr0ub4dor3") == "Tr" + "*" * 12
    assert mask_secret("abcdefgh").count("*") == 12


def test_text_scanner_reports_each_secret_once():
    found = find_secrets_in_text(f"HF_TOKEN={HF} OPENAI_API_KEY='{OPENAI}'")
    assert sorted(m.kind for m in found) == ["Hugging Face token", "OpenAI API key"]


# --- ML603 trust-remote-code ----------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', trust_remote_code=True)\n",
        "import transformers as tr\nt = tr.AutoTokenizer.from_pretrained('org/m', trust_remote_code=True)\n",
        "from transformers import pipeline\np = pipeline('text-generation', model='org/m', trust_remote_code=True)\n",
        "from datasets import load_dataset\nds = load_dataset('org/ds', trust_remote_code=True)\n",
        "from transformers import pipeline\np = pipeline('x', model='org/m', model_kwargs={'trust_remote_code': True})\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', trust_remote_code=True, revision='main')\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', trust_remote_code=True, revision='v1.0')\n",
        "from transformers import AutoModel\nREV = 'main'\nm = AutoModel.from_pretrained('org/m', trust_remote_code=True, revision=REV)\n",
    ],
)
def test_trust_remote_code_without_pinned_commit(tmp_path, source):
    findings = lint(tmp_path, source, "ML603")
    assert len(findings) == 1
    assert findings[0].line == source.count("\n")


@pytest.mark.parametrize(
    "source",
    [
        "from transformers import AutoModel\n"
        "m = AutoModel.from_pretrained('org/m', trust_remote_code=True, revision='0123456789abcdef0123456789abcdef01234567')\n",
        "from transformers import AutoModel\nREV = '0123456789abcdef0123456789abcdef01234567'\n"
        "m = AutoModel.from_pretrained('org/m', trust_remote_code=True, revision=REV)\n",
        "from transformers import AutoModel\n"
        "m = AutoModel.from_pretrained('org/m', trust_remote_code=True, code_revision='0123456789abcdef0123456789abcdef01234567')\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', trust_remote_code=False)\n",
        "from transformers import AutoModel\ndef f(revision):\n"
        "    return AutoModel.from_pretrained('org/m', trust_remote_code=True, revision=revision)\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', trust_remote_code=True, **kw)\n",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', trust_remote_code=args.trust)\n",
        "def load(name, trust_remote_code=True):\n    pass\n",
        "from smolagents import ToolCollection\nwith ToolCollection.from_mcp(params, trust_remote_code=True) as tools:\n    pass\n",
        "# AutoModel.from_pretrained('org/m', trust_remote_code=True)\nx = 1\n",
        'def f():\n    """Pass trust_remote_code=True only for reviewed models."""\n',
    ],
)
def test_trust_remote_code_silent_cases(tmp_path, source):
    assert lint(tmp_path, source, "ML603") == []


def test_trust_remote_code_in_notebook_cell(tmp_path):
    notebook = notebook_json(
        ["from transformers import AutoModel\n", "m = AutoModel.from_pretrained(\n    'org/m',\n    trust_remote_code=True,\n)\n"]
    )
    [finding] = lint(tmp_path, notebook, "ML603", filename="n.ipynb")
    assert (finding.cell, finding.line) == (2, 3)


# --- ML604 insecure-download -------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "import requests\nr = requests.get('http://data.example.org/train.csv')\n",
        "import requests as rq\nr = rq.post('http://api.example.org/upload', data=b)\n",
        "from urllib.request import urlretrieve\nurlretrieve('http://data.example.org/d.zip', 'd.zip')\n",
        "import urllib.request\nurllib.request.urlopen('http://data.example.org/d.csv')\n",
        "import wget\nwget.download('http://data.example.org/d.csv')\n",
        "import torch\nsd = torch.hub.load_state_dict_from_url('http://models.example.org/r50.pth')\n",
        "import torch\ntorch.hub.download_url_to_file('http://models.example.org/r50.pth', 'r50.pth')\n",
        "import pandas as pd\ndf = pd.read_csv('http://data.example.org/churn.csv')\n",
        "import pandas as pd\ndf = pd.read_parquet('http://data.example.org/churn.parquet')\n",
        "import tensorflow as tf\np = tf.keras.utils.get_file('d.zip', origin='http://data.example.org/d.zip')\n",
        "from datasets import load_dataset\nds = load_dataset('csv', data_files={'train': 'http://data.example.org/t.csv'})\n",
        "import httpx\nr = httpx.get('http://data.example.org/x')\n",
        "import pandas as pd\nURL = 'http://data.example.org/churn.csv'\ndf = pd.read_csv(URL)\n",
        "import requests\ns = requests.Session()\nr = s.get('http://data.example.org/x')\n",
        "def download_file(u):\n    pass\ndownload_file('http://data.example.org/x')\n",
        "import requests\nr = requests.get('https://example.org/x', verify=False)\n",
        "import httpx\nc = httpx.Client(verify=False)\n",
        "import requests\ndef fetch(url):\n    return requests.get(url, verify=False)\n",
        "import requests\nAPI = 'https://api.example.org/v1'\nr = requests.post(API, json=x, verify=False)\n",
        "import requests\ns = requests.Session()\ns.verify = False\n",
        "def configure(http_session):\n    http_session.verify = False\n",
        "import ssl\nssl._create_default_https_context = ssl._create_unverified_context\n",
        "import ssl\nctx = ssl.create_default_context()\nctx.verify_mode = ssl.CERT_NONE\n",
    ],
)
def test_insecure_downloads_are_reported(tmp_path, source):
    findings = lint(tmp_path, source, "ML604")
    assert len(findings) == 1
    assert findings[0].line == source.count("\n")


@pytest.mark.parametrize(
    "source",
    [
        "import requests\nr = requests.get('https://data.example.org/x')\n",
        "import requests\nr = requests.get('http://localhost:8000/health')\n",
        "import requests\nr = requests.get('http://127.0.0.1:5000/predict')\n",
        "import requests\nr = requests.get('http://0.0.0.0:8080/')\n",
        "import requests\nr = requests.get('http://[::1]:8080/')\n",
        "import requests\nr = requests.get('http://192.168.1.20/data.csv')\n",
        "import requests\nr = requests.post('http://mlflow:5000/api')\n",
        "import requests\nr = requests.get(f'http://{host}/data.csv')\n",
        "import requests\nr = requests.get('https://x.org', verify=True)\n",
        # no certificate to check on the way to a server of the local network (TorchServe's tests)
        "import requests\nr = requests.post('https://localhost:8081/models', params=p, verify=False)\n",
        "import requests\nBASE = 'https://10.0.0.5:8443/v1'\nr = requests.get(BASE, verify=False)\n",
        "import requests\nr = requests.post(url=f'{protocol}://{host}:{port}/models', verify=False)\n",
        "import requests\nr = requests.get('https://x.org', verify='/etc/ca.pem')\n",
        "import pandas as pd\ndf = pd.read_csv('data/http_logs.csv')\n",
        "# data used to come from http://data.example.org/churn.csv\nx = 1\n",
        'def f():\n    """Downloads http://data.example.org/churn.csv."""\n',
        "SCHEMA = 'http://json-schema.org/draft-07/schema#'\n",
        "import xml.etree.ElementTree as ET\nns = {'svg': 'http://www.w3.org/2000/svg'}\nroot.find('svg:g', ns)\n",
        "result = validate(data, verify=False)\n",
        "class Checker:\n    def __init__(self):\n        self.verify = False\n",
        "import requests\nopts = Options()\nopts.verify = False\n",
        "import ssl\nif ctx.verify_mode == ssl.CERT_NONE:\n    warn()\n",
        "from ssl import CERT_NONE\n",
        # a server not asking its clients for certificates (uvicorn's option): no mutual TLS
        "import ssl\nif not ssl_cert_reqs:\n    ssl_cert_reqs = ssl.CERT_NONE\n    options['ssl_cert_reqs'] = ssl_cert_reqs\n",
        "import ssl\nimport uvicorn\nuvicorn.run(app, ssl_keyfile=k, ssl_certfile=c, ssl_cert_reqs=ssl.CERT_NONE)\n",
    ],
)
def test_secure_or_local_downloads_are_silent(tmp_path, source):
    assert lint(tmp_path, source, "ML604") == []


def test_insecure_download_in_notebook_cell(tmp_path):
    notebook = notebook_json(["import pandas as pd\n", "df = pd.read_csv('http://data.example.org/churn.csv')\n"])
    [finding] = lint(tmp_path, notebook, "ML604", filename="n.ipynb")
    assert (finding.cell, finding.line) == (2, 1)


# --- ML605 pii-in-notebook-output ---------------------------------------------------------------


def _pii_notebook(*outputs: dict) -> str:
    return notebook_json(["import pandas as pd\n", ("markdown", "Peek\n"), "df.head()\n"], outputs={2: list(outputs)})


@pytest.mark.parametrize(
    ("output", "kind"),
    [
        (_display({"text/plain": "   name                 email\n0  Ann  ann.smith@gmail.com"}), "an e-mail address"),
        (_display({"text/html": "<td>ann.smith&#64;gmail.com</td>"}), "an e-mail address"),
        (_stream("call (415) 555-0134 or 212.555.0199\n"), "2 phone numbers"),
        (_stream("+44 20 7946 0958\n"), "a phone number"),
        (_stream("card 4111 1111 1111 1111\n"), "a credit card number"),
        (_stream("card 5500-0000-0000-0004\n"), "a credit card number"),
        (_stream("amex 378282246310005\n"), "a credit card number"),
    ],
)
def test_pii_in_outputs(tmp_path, output, kind):
    [finding] = lint(tmp_path, _pii_notebook(output), "ML605", filename="n.ipynb")
    assert finding.cell == 3
    assert kind in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "contact user@example.com or admin@test.test\n",
        "noreply@github.com support@company.com git@github.com:org/repo.git\n",
        "Author-email: Jane Dev <jane.dev@gmail.com>\n",
        "2023-01-15 12:30:45 version 1.2.3 ip 192.168.100.123\n",
        "accuracy 0.4111111111111111 loss 4.111111111111111e-05\n",
        "ids: 4111111111111112 1234567812345678\n",  # Luhn-invalid; no card network
        "timestamp 1678886400000000000\n",
        "shape (4155551234, 3)\n",
        "torch==2.1.0+cu118 numpy@1.26.4\n",
        "name: \"Al\" email: \"a@b.com\" emails: \"a@b.comc@d.com\"\n",  # toy addresses
        "send an email to: forteana-unsubscribe@egroups.com or list-request@lists.org\n",
        "    :Donor: Michael Marshall (MARSHALL%PLU@io.arc.nasa.gov)\n",
    ],
)
def test_non_pii_outputs_are_silent(tmp_path, text):
    assert lint(tmp_path, _pii_notebook(_stream(text)), "ML605", filename="n.ipynb") == []


def test_one_finding_per_cell_and_kind_and_pii_is_masked(tmp_path):
    table = "ann.smith@gmail.com, bo.lee@corp.io, ann.smith@gmail.com 4111 1111 1111 1111"
    notebook = _pii_notebook(_display({"text/plain": table, "text/html": f"<p>{table}</p>"}))
    findings = lint(tmp_path, notebook, "ML605", filename="n.ipynb")
    assert sorted(f.message.split(" (")[0] for f in findings) == [
        "the output of this cell shows 2 e-mail addresses",
        "the output of this cell shows a credit card number",
    ]
    for finding in findings:
        assert "ann.smith" not in finding.message and "4111 1111" not in finding.message
    assert any("************1111" in f.message for f in findings)


def test_pii_suppressed_in_the_cell(tmp_path):
    notebook = notebook_json(
        ["df.head()  # mllint: ignore[ML605]\n"], outputs={0: [_stream("ann.smith@gmail.com\n")]}
    )
    assert lint(tmp_path, notebook, "ML605", filename="n.ipynb") == []


def test_pii_scanner_is_conservative_on_digit_runs():
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert [m.kind for m in find_pii("order 4539578763621486 shipped")] == ["credit card number"]
    assert list(find_pii("order 9539578763621486 shipped")) == []  # no card network starts with 9


def test_malformed_outputs_do_not_crash(tmp_path):
    notebook = json.loads(notebook_json(["x = 1\n"]))
    notebook["cells"][0]["outputs"] = [{"output_type": "stream", "text": 42}, "junk", {"output_type": "display_data", "data": None}]
    findings = lint_source(tmp_path, json.dumps(notebook), select=["ML602", "ML605"], filename="n.ipynb")
    assert [f for f in findings if f.code == "ML000"] == []


# --- examples -------------------------------------------------------------------------------------


def test_examples():
    leaky = lint_tree(ROOT / "examples" / "churn-leaky", select=["ML6"])
    assert sorted(set(codes(leaky))) == ["ML601", "ML602", "ML603", "ML604", "ML605"]
    tidy = lint_tree(ROOT / "examples" / "churn-tidy", select=["ML6"])
    assert codes(tidy) == []
