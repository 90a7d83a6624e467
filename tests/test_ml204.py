"""ML204 unpinned-dependencies per project kind, and the environment files
ML204-ML206 read: a library is reported once at its packaging file when nothing
locks its development environment; an application per unpinned line, each
name once; conda and MLflow environment files under the names people use."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from mllint.engine.config import CliOverrides
from mllint.engine.runner import Linter
from mllint.plugins import builtin_rules
from mllint.testkit import codes, lint_tree, write_files

ML_CODE = {"train.py": "import sklearn\n"}
PYPROJECT_LIBRARY = """
    [build-system]
    requires = ["hatchling"]
    build-backend = "hatchling.build"

    [project]
    name = "lib"
    version = "1.0"
    requires-python = ">=3.10"
    dependencies = [
        "numpy>=1.24",
        "scikit-learn>=1.3",
    ]

    [project.optional-dependencies]
    test = ["pytest>=8"]
"""
SETUP_CFG_LIBRARY = """
    [options]
    python_requires = >=3.10
    install_requires =
        numpy>=1.24
        scikit-learn>=1.3
"""
SETUP_PY_LIBRARY = """
    from setuptools import setup

    setup(
        name="lib",
        python_requires=">=3.10",
        install_requires=["numpy>=1.24", "scikit-learn>=1.3"],
    )
"""
LIBRARIES = {"pyproject.toml": PYPROJECT_LIBRARY, "setup.cfg": SETUP_CFG_LIBRARY, "setup.py": SETUP_PY_LIBRARY}


def ml204(tmp_path: Path, files: dict[str, str], code: str = "ML204") -> list:
    return lint_tree(tmp_path, {**ML_CODE, **{name: dedent(text).lstrip("\n") for name, text in files.items()}},
                     select=[code])


def located(findings: list) -> list[tuple[str, int]]:
    return [(f.path, f.line) for f in findings]


# -- libraries ---------------------------------------------------------------------


@pytest.mark.parametrize(("packaging", "line"), [("pyproject.toml", 10), ("setup.cfg", 4), ("setup.py", 6)])
def test_library_without_lock_is_reported_once_at_its_packaging_file(tmp_path, packaging, line):
    files = {
        packaging: LIBRARIES[packaging],
        "requirements-dev.txt": "pytest\nruff>=0.5\n",
        "docs/requirements.txt": "sphinx\n",
        "examples/demo/requirements.txt": "matplotlib\n",
    }
    findings = ml204(tmp_path, files)
    assert located(findings) == [(packaging, line)]
    message = findings[0].message
    assert "library" in message and packaging in message  # the evidence of the kind
    assert "`numpy>=1.24`" in message and "more unpinned requirements" in message
    assert "lock file" in message and "constraints" in message
    assert "examples/" not in message and "docs/" not in message


@pytest.mark.parametrize(
    "evidence",
    [
        {"uv.lock": ""},
        {"pixi.lock": ""},
        {"poetry.lock": ""},
        {"requirements.lock": ""},
        {"build_tools/pylatest_pip_lock.txt": "numpy==1.26.4\n"},
        {"build_tools/linux-64_conda.lock": "@EXPLICIT\n"},
        {"ci/environment.yml": "dependencies:\n  - numpy=1.26.4\n  - scikit-learn=1.5.2\n"},
        {"constraints.txt": "numpy==1.26.4\nscikit-learn==1.5.2\npytest==8.3.3\n"},
        {"requirements/ci.txt": "-c pins.txt\npytest==8.3.3\n", "requirements/pins.txt": "numpy==1.26.4\nscikit-learn==1.5.2\n"},
        {"requirements-dev.txt": "numpy==1.26.4\nscikit-learn==1.5.2\npytest==8.3.3\n"},
    ],
)
def test_library_with_locked_development_environment_is_silent(tmp_path, evidence):
    assert ml204(tmp_path, {"pyproject.toml": PYPROJECT_LIBRARY, **evidence}) == []


@pytest.mark.parametrize(
    "evidence",
    [
        {"examples/demo/uv.lock": ""},
        {"docs/environment.yml": "dependencies:\n  - numpy=1.26.4\n  - scikit-learn=1.5.2\n"},
        {"constraints.txt": "numpy<2\n"},
        {"requirements/regression_test.txt": "properscoring==0.1\n"},
        {"requirements-dev.txt": "numpy==1.26.4\n"},
    ],
)
def test_library_evidence_that_does_not_lock_its_environment(tmp_path, evidence):
    assert codes(ml204(tmp_path, {"pyproject.toml": PYPROJECT_LIBRARY, **evidence})) == ["ML204"]


def test_library_ranges_in_requirement_files_only(tmp_path):
    """setup.py computes install_requires from requirements/*.txt at runtime."""
    setup = "from setuptools import setup\nsetup(install_requires=load('requirements/base.txt'))\n"
    files = {"setup.py": setup, "requirements/base.txt": "torch>=2\n", "requirements/test.txt": "pytest\n"}
    findings = ml204(tmp_path, files)
    assert located(findings) == [("setup.py", 1)]
    assert "requirements/base.txt:1" in findings[0].message


def test_library_note_names_its_lock(tmp_path):
    write_files(tmp_path, {**ML_CODE, "pyproject.toml": dedent(PYPROJECT_LIBRARY), "pixi.lock": ""})
    result = Linter(builtin_rules(), CliOverrides(select=["ML204"]), cwd=tmp_path).lint([tmp_path])
    assert any("ML204" in w and "pixi.lock" in w for w in result.warnings)


# -- applications ------------------------------------------------------------------


def test_application_requirements_keep_the_per_line_report(tmp_path):
    assert located(ml204(tmp_path, {"requirements.txt": "numpy==1.26.4\npandas>=2\nflask\n"})) == [
        ("requirements.txt", 2),
        ("requirements.txt", 3),
    ]


def test_project_table_without_build_backend_is_an_application(tmp_path):
    files = {"pyproject.toml": '[project]\nname = "svc"\ndependencies = [\n  "fastapi>=0.110",\n  "torch",\n]\n'}
    assert located(ml204(tmp_path, files)) == [("pyproject.toml", 4), ("pyproject.toml", 5)]


def test_requirement_in_two_files_is_reported_once_naming_the_other(tmp_path):
    files = {
        "pyproject.toml": '[project]\nname = "svc"\ndependencies = ["pandas>=2"]\n',
        "requirements.txt": "pandas>=2\nflask\n",
    }
    findings = ml204(tmp_path, files)
    assert located(findings) == [("pyproject.toml", 3), ("requirements.txt", 2)]
    assert "also unpinned in requirements.txt" in findings[0].message
    assert "also" not in findings[1].message


def test_same_requirement_in_many_folders_names_the_first_three(tmp_path):
    files = {f"{name}/requirements.txt": "torch\n" for name in ("a", "b", "c", "d", "e")}
    findings = ml204(tmp_path, files)
    assert located(findings) == [("a/requirements.txt", 1)]
    assert "b/requirements.txt, c/requirements.txt, d/requirements.txt and 1 more" in findings[0].message


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"requirements.txt": "mkdocstrings==0.21.2\nmkdocstrings[python]>=0.18\n"}, []),
        ({"requirements.txt": "-r base.txt\nnumpy>=1\n", "base.txt": "numpy==1.26.4\n"}, []),
        ({"requirements.txt": "numpy\n", "constraints.txt": "numpy==1.26.4\n"}, []),
        ({"requirements.txt": "numpy>=1\n", "requirements-dev.txt": "-r requirements.txt\nnumpy==1.26.4\n"},
         [("requirements.txt", 1)]),
        ({"requirements.txt": "numpy>=1\npandas\n", "requirements-dev.txt": "numpy==1.26.4\n"},
         [("requirements.txt", 1), ("requirements.txt", 2)]),
        ({"pyproject.toml": '[project]\nname = "a"\ndependencies = ["numpy>=1", "pandas"]\n',
          "requirements.txt": "numpy==1.26.4\nflask\n"},
         [("pyproject.toml", 3), ("requirements.txt", 2)]),
    ],
)
def test_pins_elsewhere_in_the_same_install(tmp_path, files, expected):
    assert located(ml204(tmp_path, files)) == expected


def test_application_docs_requirements_are_not_its_environment(tmp_path):
    files = {"requirements.txt": "numpy==1.26.4\n", "docs/requirements.txt": "sphinx\nmkdocs-material\n"}
    assert ml204(tmp_path, files) == []


def test_application_examples_are_still_environments(tmp_path):
    assert located(ml204(tmp_path, {"examples/mnist/requirements.txt": "torch\n"})) == [
        ("examples/mnist/requirements.txt", 1)
    ]


# -- environment files under other names ---------------------------------------------


@pytest.mark.parametrize("name", ["conda.yaml", "conda.yml", "env.yml", "environment-gpu.yaml", "envs/conda_env.yml"])
def test_conda_environment_names(tmp_path, name):
    files = {name: "name: x\ndependencies:\n  - python=3.11\n  - scikit-learn\n"}
    assert located(ml204(tmp_path, files)) == [(name, 4)]
    assert ml204(tmp_path, files, "ML205") == []
    assert ml204(tmp_path, files, "ML206") == []


def test_a_conda_version_prefix_is_named_as_one(tmp_path):
    files = {"environment.yml": "dependencies:\n  - ipython=8.17\n  - numpy=1.26.4\n  - pandas\n  - pip:\n    - torch>=2\n"}
    findings = ml204(tmp_path, files)
    assert located(findings) == [("environment.yml", 2), ("environment.yml", 4), ("environment.yml", 6)]
    assert findings[0].message.startswith("`ipython=8.17` fixes only `8.17` (conda installs any 8.17.* release)")
    assert [f.message.split(" and ")[0] for f in findings[1:]] == ["`pandas` is not pinned", "`torch>=2` is not pinned"]


def test_mlproject_conda_env(tmp_path):
    files = {
        "MLproject": "name: churn\nconda_env: deps/train.yaml\nentry_points:\n  main:\n    command: python train.py\n",
        "deps/train.yaml": "dependencies:\n  - python=3.11.9\n  - pip:\n    - mlflow>=2\n",
    }
    assert located(ml204(tmp_path, files)) == [("deps/train.yaml", 4)]
    assert ml204(tmp_path, files, "ML205") == []
    assert ml204(tmp_path, files, "ML206") == []


def test_mlproject_python_env(tmp_path):
    files = {
        "MLproject": "name: churn\npython_env: python_env.yaml\n",
        "python_env.yaml": "python: 3.10.12\ndependencies:\n  - mlflow==2.14.1\n  - scikit-learn==1.5.2\n",
    }
    assert ml204(tmp_path, files) == []
    assert ml204(tmp_path, files, "ML205") == []
    assert ml204(tmp_path, files, "ML206") == []


def test_saved_mlflow_model_environment_is_not_the_project_environment(tmp_path):
    model = "models/churn"
    files = {
        "requirements.txt": "scikit-learn==1.5.2\n",
        f"{model}/MLmodel": "flavors: {}\n",
        f"{model}/conda.yaml": "dependencies:\n  - pip:\n    - mlflow\n",
        f"{model}/requirements.txt": "mlflow\n",
    }
    assert ml204(tmp_path, files) == []


def test_a_yaml_file_without_conda_dependencies_is_no_environment(tmp_path):
    files = {"env.yml": "DATABASE_URL: sqlite://\n"}
    assert codes(ml204(tmp_path, files, "ML205")) == ["ML205"]


@pytest.mark.parametrize(("name", "content"), [(".tool-versions", "python 3.11.4\n"), (".tool-versions", "python 3.12\n")])
def test_tool_versions_declares_python(tmp_path, name, content):
    assert ml204(tmp_path, {"requirements.txt": "numpy==1.26.4\n", name: content}, "ML206") == []


def test_tool_versions_without_python(tmp_path):
    files = {"requirements.txt": "numpy==1.26.4\n", ".tool-versions": "nodejs 20.1.0\n"}
    assert codes(ml204(tmp_path, files, "ML206")) == ["ML206"]
