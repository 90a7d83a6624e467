"""File roles and the project kind: the one definition of which files are tests, examples, ..."""

from __future__ import annotations

import pytest

from mllint.project.kind import project_kind
from mllint.project.layout import Role, is_test_path, role_of
from mllint.testkit import lint_tree


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_model.py", True),
        ("pkg/tests/helpers.py", True),
        ("conftest.py", True),
        ("model_test.py", True),
        ("train.py", False),
        ("contest/run.py", False),
        ("testing/fixtures/data.py", True),
        ("notebooks/test_ideas.ipynb", True),
        ("src/attest.py", False),
        ("latest/train.py", False),
    ],
)
def test_is_test_path(path, expected):
    assert is_test_path(path) is expected


@pytest.mark.parametrize(
    ("path", "in_package", "role"),
    [
        ("tests/test_model.py", False, Role.TEST),
        ("src/pkg/model_test.py", True, Role.TEST),
        ("tests/conftest.py", False, Role.TEST_SUPPORT),
        ("conftest.py", False, Role.TEST_SUPPORT),
        ("tests/helpers/data.py", False, Role.TEST_SUPPORT),
        ("pkg/test_utils/scripts/run.py", True, Role.TEST_SUPPORT),
        ("fixtures/make_data.py", False, Role.TEST_SUPPORT),
        ("docs/source/conf.py", False, Role.DOCS),
        ("examples/train_mnist.py", False, Role.EXAMPLE),
        ("tutorials/01-intro.ipynb", False, Role.EXAMPLE),
        ("tutorial.ipynb", False, Role.EXAMPLE),  # a notebook named as a tutorial, wherever it is
        ("segment/Quickstart_Colab.ipynb", False, Role.EXAMPLE),
        ("notebooks/demo-inference.ipynb", False, Role.EXAMPLE),
        ("notebooks/demographics.ipynb", False, Role.NOTEBOOK),
        ("demo.py", False, Role.SCRIPT),  # by name, only notebooks
        ("benchmarks/bench_fit.py", False, Role.BENCHMARK),
        ("pkg/_vendor/six.py", True, Role.GENERATED),
        ("protos/predict_pb2.py", False, Role.GENERATED),
        ("notebooks/eda.ipynb", False, Role.NOTEBOOK),
        ("train.py", False, Role.SCRIPT),
        ("pkg/__main__.py", True, Role.SCRIPT),
        ("src/pkg/model.py", True, Role.SOURCE),
    ],
)
def test_role_of(path, in_package, role):
    assert role_of(path, in_package=in_package) is role


def test_test_utils_folder_is_a_test_folder_by_name_only_when_it_says_test():
    assert role_of("pkg/testing_utils.py", in_package=True) is Role.SOURCE
    assert role_of("pkg/testing/utils.py", in_package=True) is Role.TEST_SUPPORT


PACKAGED = '[project]\nname = "x"\n[build-system]\nbuild-backend = "setuptools.build_meta"\n'


@pytest.mark.parametrize(
    ("files", "library"),
    [
        ({"pyproject.toml": '[project]\nname = "x"\n[build-system]\nbuild-backend = "hatchling.build"\n'}, True),
        ({"pyproject.toml": '[project]\nname = "x"\n'}, False),
        ({"pyproject.toml": "[tool.ruff]\nline-length = 100\n"}, False),
        ({"pyproject.toml": "not = [toml"}, False),
        ({"setup.py": "from setuptools import setup\nsetup(name='x', install_requires=['numpy'])\n"}, True),
        ({"setup.py": "from setuptools import setup\nsetup(name='x')\n"}, False),
        ({"setup.py": "import setuptools\nargs = load_args()\nsetuptools.setup(**args)\n"}, True),
        ({"setup.py": "def setup(**kwargs):\n    pass\nconfig = {}\nprint(config)\n"}, False),
        ({"setup.py": "import setuptools\nsetuptools.setup(name='x', install_requires=REQS)\n"}, True),
        ({"setup.cfg": "[options]\ninstall_requires =\n    numpy\n"}, True),
        ({"requirements.txt": "numpy==1.26.4\n"}, False),
        ({}, False),
        ({"pyproject.toml": PACKAGED, "docker-compose.yml": "services:\n  api:\n    build: .\n"}, False),
        ({"pyproject.toml": PACKAGED, "Dockerfile": 'FROM python:3.12\nCMD ["uvicorn", "app.main:app"]\n'}, False),
        ({"pyproject.toml": PACKAGED, "Dockerfile": "FROM python:3.12\nRUN pip install -e .[dev]\n"}, True),
    ],
)
def test_project_kind(files, library):
    kind = project_kind(list(files), files.get)
    assert kind.library is library
    assert kind.evidence


@pytest.mark.parametrize(("path", "reported"), [("train.py", True), ("tests/test_data.py", False), ("vendor/lib.py", False)])
def test_rules_run_only_on_the_roles_they_apply_to(tmp_path, path, reported):
    source = 'import datasets\nds = datasets.load_dataset("imdb")\n'
    findings = lint_tree(tmp_path, {path: source}, select=["ML104"])
    assert [f.code for f in findings] == (["ML104"] if reported else [])
