"""Tests for mllint.project.dependencies: the facts behind ML204, ML205 and ML206."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mllint.project.dependencies import (
    DependencyFacts,
    Requirement,
    accumulator,
    collect_dependency_facts,
)
from mllint.testkit import write_files

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def collect(root: Path, files: dict[str, str | bytes], listed: list[str] | None = None) -> DependencyFacts:
    """Write *files* under *root* and collect facts over them (or over *listed*)."""
    write_files(root, files, dedent=True)
    return collect_dependency_facts(root, listed if listed is not None else list(files))


def by_name(facts: DependencyFacts) -> dict[str | None, Requirement]:
    return {req.name: req for req in facts.requirements}


def pinned_of(tmp_path: Path, line: str) -> bool:
    """Pinnedness of a single requirements.txt line."""
    facts = collect(tmp_path, {"requirements.txt": line + "\n"})
    assert len(facts.requirements) == 1, facts.requirements
    return facts.requirements[0].pinned


# --------------------------------------------------------------------------- requirements.txt syntax


@pytest.mark.parametrize(
    ("line", "pinned"),
    [
        ("numpy==1.26.4", True),
        ("numpy===1.26.4", True),
        ("numpy == 1.26.4", True),
        ("numpy>=1.0,==1.26.4", True),
        ("numpy>=1.0", False),
        ("numpy~=1.26", False),
        ("numpy", False),
        ("numpy==1.*", False),
        ("numpy!=1.0", False),
        ("numpy>=1.0 --hash=sha256:abcdef", True),
        ("numpy==1.26.4 --config-settings=x=y", True),
    ],
)
def test_requirements_line_pinning(tmp_path: Path, line: str, pinned: bool) -> None:
    assert pinned_of(tmp_path, line) is pinned


def test_requirements_name_is_pep503_normalised(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"requirements.txt": "Scikit_Learn.Extra==0.3\n"})
    assert facts.requirements[0].name == "scikit-learn-extra"


def test_requirements_comments_blank_lines_and_options(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "requirements.txt": """
            # a comment
            --index-url https://pypi.example/simple
            -i https://pypi.example/simple
            --extra-index-url https://other/simple
            --find-links ./wheels
            --pre

            numpy==1.26.4  # trailing comment
            pandas # not pinned
            """
        },
    )
    assert [(r.name, r.line, r.text, r.pinned) for r in facts.requirements] == [
        ("numpy", 8, "numpy==1.26.4", True),
        ("pandas", 9, "pandas", False),
    ]
    assert facts.declaration_files == ["requirements.txt"]
    assert facts.warnings == []


def test_hash_fragment_without_whitespace_is_not_a_comment(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"requirements.txt": "pkg @ https://host/files/pkg#sha256=abc\n"})
    assert facts.requirements[0].pinned is True
    assert facts.requirements[0].text == "pkg @ https://host/files/pkg#sha256=abc"


def test_markers_are_not_part_of_the_version(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "requirements.txt": """
            tomli==2.0.1; python_version < "3.11"
            colorama ; sys_platform == "win32"
            """
        },
    )
    reqs = by_name(facts)
    assert reqs["tomli"].pinned is True
    assert reqs["tomli"].text == 'tomli==2.0.1; python_version < "3.11"'
    assert reqs["colorama"].pinned is False


def test_extras(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"requirements.txt": "ray[tune,serve]==2.9.0\nuvicorn[standard]>=0.20\n"})
    reqs = by_name(facts)
    assert reqs["ray"].pinned is True
    assert reqs["uvicorn"].pinned is False


def test_continuation_reports_first_line_and_joins_text(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "requirements.txt": """
            # hashed
            requests==2.31.0 \\
                --hash=sha256:aaa \\
                --hash=sha256:bbb
            flask>=3 \\
                --hash=sha256:ccc
            idna
            """
        },
    )
    assert [(r.name, r.line, r.pinned) for r in facts.requirements] == [
        ("requests", 2, True),
        ("flask", 5, True),
        ("idna", 7, False),
    ]
    assert facts.requirements[0].text == "requests==2.31.0 --hash=sha256:aaa --hash=sha256:bbb"


def test_comment_line_ends_a_continuation(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"requirements.txt": "numpy>=1\\\n# comment\npandas\n"})
    assert [(r.name, r.line, r.text) for r in facts.requirements] == [("numpy", 1, "numpy>=1"), ("pandas", 3, "pandas")]


@pytest.mark.parametrize(
    ("line", "name", "pinned"),
    [
        (f"git+https://github.com/org/repo.git@{COMMIT}#egg=repo", "repo", True),
        (f"-e git+https://github.com/org/repo.git@{COMMIT}#egg=repo", "repo", True),
        (f"repo @ git+ssh://git@github.com/org/repo.git@{COMMIT}", "repo", True),
        ("git+https://github.com/org/repo.git@v1.2.0#egg=repo", "repo", False),
        ("git+https://github.com/org/repo.git@0123abc#egg=repo", "repo", False),
        ("git+https://github.com/org/repo.git#egg=repo", "repo", False),
        ("-e git+https://github.com/org/repo.git@main#egg=repo", "repo", False),
        ("git+https://github.com/org/repo.git", None, False),
        ("repo @ git+https://github.com/org/repo.git@main", "repo", False),
        ("pkg @ https://host/pkg-1.0-py3-none-any.whl", "pkg", True),
        ("https://host/dl/my-pkg-1.0.tar.gz", "my-pkg", True),
        ("https://host/pkg-1.0-py3-none-any.whl", "pkg", True),
        ("pkg @ https://host/download/latest", "pkg", False),
        ("git+https://[broken#egg=pkg", None, False),
        ("pkg @ https://[broken/pkg-1.0.tar.gz", "pkg", False),
    ],
)
def test_vcs_and_url_requirements(tmp_path: Path, line: str, name: str | None, pinned: bool) -> None:
    facts = collect(tmp_path, {"requirements.txt": line + "\n"})
    assert [(r.name, r.pinned, r.line) for r in facts.requirements] == [(name, pinned, 1)]


@pytest.mark.parametrize(
    "line",
    [
        "-e .",
        "-e ./libs/core",
        "--editable=.",
        ".",
        "./vendor/pkg",
        "../sibling",
        "pkg @ file:///opt/pkg",
        "file:///opt/pkg",
    ],
)
def test_local_paths_are_not_requirements(tmp_path: Path, line: str) -> None:
    facts = collect(tmp_path, {"requirements.txt": line + "\n"})
    assert facts.requirements == []
    assert facts.declaration_files == ["requirements.txt"]


def test_requirement_file_name_patterns(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "a\n",
        "requirements-dev.txt": "b\n",
        "dev-requirements.txt": "c\n",
        "requirements/prod.txt": "d\n",
        "services/api/requirements.txt": "e\n",
        "notes.txt": "f\n",
        "runtime_deps.txt": "g\n",
    }
    facts = collect(tmp_path, files)
    assert facts.declaration_files == [
        "dev-requirements.txt",
        "requirements-dev.txt",
        "requirements.txt",
        "requirements/prod.txt",
        "services/api/requirements.txt",
    ]
    assert {r.name for r in facts.requirements} == {"a", "b", "c", "d", "e"}


# --------------------------------------------------------------------------- includes and constraints


def test_include_is_followed_relative_to_including_file(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "requirements/prod.txt": "-r ../common/base.in\nflask==3.0.0\n",
            "common/base.in": "numpy\n\n--requirement=extra.in\n",
            "common/extra.in": "scipy==1.11.0\n",
        },
        listed=["requirements/prod.txt", "common/base.in", "common/extra.in"],
    )
    assert [(r.path, r.line, r.name, r.pinned) for r in facts.requirements] == [
        ("common/base.in", 1, "numpy", False),
        ("common/extra.in", 1, "scipy", True),
        ("requirements/prod.txt", 2, "flask", True),
    ]
    assert facts.declaration_files == ["common/base.in", "common/extra.in", "requirements/prod.txt"]
    assert facts.warnings == []


def test_include_cycle_is_read_once(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "requirements.txt": "-r requirements-dev.txt\nnumpy\n",
            "requirements-dev.txt": "-rrequirements.txt\npytest\n",
        },
    )
    assert sorted((r.path, r.name) for r in facts.requirements) == [
        ("requirements-dev.txt", "pytest"),
        ("requirements.txt", "numpy"),
    ]
    assert facts.warnings == []


def test_missing_and_outside_includes_warn(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {"requirements.txt": "-r missing.txt\n-r ../../etc/x.txt\n-r https://host/r.txt\nnumpy==1.0\n"},
    )
    assert len(facts.requirements) == 1
    assert len(facts.warnings) == 3
    assert any("missing.txt" in w and "does not exist" in w for w in facts.warnings)
    assert sum("not followed" in w for w in facts.warnings) == 2


def test_constraints_pin_names_in_including_and_included_files(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "requirements.txt": "-c constraints.txt\n-r base.txt\nnumpy\npandas\n",
            "base.txt": "scipy>=1\n",
            "constraints.txt": "numpy==1.26.4\nScipy==1.11.0\npandas>=2\n",
        },
        listed=["requirements.txt", "base.txt", "constraints.txt"],
    )
    assert [(r.path, r.name, r.pinned) for r in facts.requirements] == [
        ("base.txt", "scipy", True),
        ("requirements.txt", "numpy", True),
        ("requirements.txt", "pandas", False),
    ]
    assert "constraints.txt" not in facts.declaration_files


def test_constraints_do_not_apply_to_unrelated_files(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "requirements.txt": "-c constraints.txt\nnumpy\n",
            "requirements-dev.txt": "numpy\n",
            "constraints.txt": "numpy==1.26.4\n",
        },
    )
    assert {r.path: r.pinned for r in facts.requirements} == {"requirements.txt": True, "requirements-dev.txt": False}


def test_requirements_file_used_as_constraint_is_still_reported(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {"requirements.txt": "numpy>=1\n", "requirements-dev.txt": "-c requirements.txt\npytest\n"},
    )
    assert sorted(r.path for r in facts.requirements) == ["requirements-dev.txt", "requirements.txt"]


# --------------------------------------------------------------------------- pyproject.toml


def test_pep621_dependencies_and_extras_with_lines(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "pyproject.toml": """
            [build-system]
            requires = ["hatchling"]

            [project]
            name = "demo"
            requires-python = ">=3.10"
            dependencies = [
                "numpy>=1.24",
                'pandas==2.1.0',
                "tomli>=2; python_version < \\"3.11\\"",
            ]

            [project.optional-dependencies]
            test = ["pytest==8.0.0", "numpy>=1.24"]
            gpu = [
                "torch",
            ]
            """
        },
    )
    assert [(r.name, r.line, r.pinned, r.source) for r in facts.requirements] == [
        ("numpy", 8, False, "pyproject"),
        ("pandas", 9, True, "pyproject"),
        ("tomli", 10, False, "pyproject"),
        ("pytest", 14, True, "pyproject"),
        ("numpy", 14, False, "pyproject"),
        ("torch", 16, False, "pyproject"),
    ]
    assert facts.requirements[2].text == 'tomli>=2; python_version < "3.11"'
    assert facts.python_version == ("pyproject.toml", 6)
    assert facts.declaration_files == ["pyproject.toml"]


def test_pep621_empty_dependencies_is_still_a_declaration(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"pyproject.toml": '[project]\nname = "x"\ndependencies = []\n'})
    assert facts.declaration_files == ["pyproject.toml"]
    assert facts.requirements == []
    assert facts.python_version is None


def test_pyproject_without_dependencies_is_not_a_declaration(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n'})
    assert facts.declaration_files == []


def test_poetry_dependencies_and_groups(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "pyproject.toml": f"""
            [tool.poetry]
            name = "demo"

            [tool.poetry.dependencies]
            python = "^3.10"
            numpy = "1.26.4"
            pandas = "^2.1"
            scipy = "~1.11"
            anything = "*"
            exact = "==2.0.0"
            torch = {{version = "2.1.0", optional = true}}
            ranged = {{version = ">=1,<2"}}
            pinnedgit = {{git = "https://github.com/o/r.git", rev = "{COMMIT}"}}
            taggit = {{git = "https://github.com/o/r.git", tag = "v1.0"}}
            local = {{path = "../local", develop = true}}

            [tool.poetry.group.dev.dependencies]
            pytest = "8.0.0"
            black = ">=24"

            [tool.poetry.dev-dependencies]
            mypy = "1.8.0"
            """
        },
    )
    got = {r.name: (r.line, r.pinned, r.source) for r in facts.requirements}
    assert got == {
        "numpy": (6, True, "poetry"),
        "pandas": (7, False, "poetry"),
        "scipy": (8, False, "poetry"),
        "anything": (9, False, "poetry"),
        "exact": (10, True, "poetry"),
        "torch": (11, True, "poetry"),
        "ranged": (12, False, "poetry"),
        "pinnedgit": (13, True, "poetry"),
        "taggit": (14, False, "poetry"),
        "pytest": (18, True, "poetry"),
        "black": (19, False, "poetry"),
        "mypy": (22, True, "poetry"),
    }
    assert "python" not in got
    assert facts.python_version == ("pyproject.toml", 5)
    assert by_name(facts)["torch"].text == 'torch = {version = "2.1.0", optional = true}'


def test_poetry_with_only_python_is_a_declaration(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"pyproject.toml": '[tool.poetry.dependencies]\npython = ">=3.10"\n'})
    assert facts.declaration_files == ["pyproject.toml"]
    assert facts.requirements == []
    assert facts.python_version == ("pyproject.toml", 2)


def test_pdm_uv_and_dependency_groups(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "pyproject.toml": """
            [dependency-groups]
            lint = ["ruff==0.3.0"]
            test = ["pytest", {include-group = "lint"}]

            [tool.uv]
            dev-dependencies = ["mypy"]

            [tool.pdm.dev-dependencies]
            docs = [
                "mkdocs==1.5.3",
                "-e file:///${PROJECT_ROOT}/sub",
            ]
            """
        },
    )
    assert [(r.name, r.line, r.pinned, r.source) for r in facts.requirements] == [
        ("ruff", 2, True, "pyproject"),
        ("pytest", 3, False, "pyproject"),
        ("mypy", 6, False, "pyproject"),
        ("mkdocs", 10, True, "pdm"),
    ]
    assert facts.declaration_files == ["pyproject.toml"]


def test_setuptools_dynamic_dependencies_read_the_named_file(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "pyproject.toml": """
            [project]
            name = "x"
            dynamic = ["dependencies"]

            [tool.setuptools.dynamic]
            dependencies = {file = ["deps/runtime.in"]}
            """,
            "deps/runtime.in": "numpy>=1\n",
        },
    )
    assert [(r.path, r.line, r.name, r.pinned) for r in facts.requirements] == [("deps/runtime.in", 1, "numpy", False)]
    assert facts.declaration_files == ["deps/runtime.in", "pyproject.toml"]


# --------------------------------------------------------------------------- setup.cfg and setup.py


def test_setup_cfg(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "setup.cfg": """
            [metadata]
            name = demo

            [options]
            python_requires = >=3.9
            install_requires =
                numpy==1.26.4
                # a comment
                pandas>=2
                tomli; python_version < "3.11"

            [options.extras_require]
            test =
                pytest==8.0.0
            """
        },
    )
    assert [(r.name, r.line, r.pinned, r.source) for r in facts.requirements] == [
        ("numpy", 7, True, "setup.cfg"),
        ("pandas", 9, False, "setup.cfg"),
        ("tomli", 10, False, "setup.cfg"),
        ("pytest", 14, True, "setup.cfg"),
    ]
    assert facts.python_version == ("setup.cfg", 5)
    assert facts.declaration_files == ["setup.cfg"]


def test_setup_cfg_without_install_requires_is_not_a_declaration(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"setup.cfg": "[flake8]\nmax-line-length = 100\n"})
    assert facts.declaration_files == []
    assert facts.warnings == []


def test_setup_py_literal_arguments(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "setup.py": """
            from setuptools import setup

            TEST = ["pytest==8.0.0"]

            setup(
                name="demo",
                python_requires=">=3.10",
                install_requires=[
                    "numpy==1.26.4",
                    "pandas>=2",
                ],
                extras_require={"test": TEST, "gpu": ["torch"]},
            )
            """
        },
    )
    assert [(r.name, r.line, r.pinned, r.source) for r in facts.requirements] == [
        ("pytest", 3, True, "setup.py"),
        ("numpy", 9, True, "setup.py"),
        ("pandas", 10, False, "setup.py"),
        ("torch", 12, False, "setup.py"),
    ]
    assert facts.python_version == ("setup.py", 7)
    assert facts.declaration_files == ["setup.py"]
    assert facts.warnings == []


def test_setup_py_name_bound_to_literal_and_qualified_call(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {"setup.py": 'import setuptools\nREQS = ("numpy",)\nsetuptools.setup(install_requires=REQS)\n'},
    )
    assert [(r.name, r.line) for r in facts.requirements] == [("numpy", 2)]


def test_setup_py_dynamic_arguments_warn_without_crash(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "setup.py": """
            from setuptools import setup
            REQS = ["numpy"]
            REQS += ["pandas"]
            setup(install_requires=REQS, extras_require=make_extras(), **kwargs)
            """
        },
    )
    assert facts.requirements == []
    assert facts.declaration_files == ["setup.py"]
    assert len(facts.warnings) == 3
    assert all(w.startswith("setup.py: line 4:") for w in facts.warnings)


def test_setup_py_reading_a_requirements_file_follows_it(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "setup.py": 'from setuptools import setup\nsetup(install_requires=open("deps.txt").read().splitlines())\n',
            "deps.txt": "numpy==1.26.4\n",
        },
    )
    assert [(r.path, r.name, r.pinned) for r in facts.requirements] == [("deps.txt", "numpy", True)]
    assert facts.declaration_files == ["deps.txt", "setup.py"]
    assert facts.warnings == []


def test_setup_py_syntax_warnings_are_not_printed(tmp_path: Path, recwarn: pytest.WarningsRecorder) -> None:
    facts = collect(tmp_path, {"setup.py": 'x = 1if True else 2\nsetup(install_requires=["a"])\n'})
    assert [r.name for r in facts.requirements] == ["a"]
    assert not [w for w in recwarn if issubclass(w.category, SyntaxWarning)]


def test_setup_py_without_setup_call_is_ignored(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"setup.py": "print('hello')\n"})
    assert facts == DependencyFacts()


def test_setup_py_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    facts = collect(
        tmp_path,
        {
            "setup.py": f"open({str(marker)!r}, 'w').close()\n"
            "from setuptools import setup\nsetup(install_requires=['x'])\n"
        },
    )
    assert not marker.exists()
    assert [r.name for r in facts.requirements] == ["x"]


# --------------------------------------------------------------------------- Pipfile and conda


def test_pipfile(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "Pipfile": f"""
            [[source]]
            url = "https://pypi.org/simple"

            [packages]
            numpy = "==1.26.4"
            pandas = "*"
            requests = {{version = "==2.31.0", extras = ["socks"]}}
            "scikit-learn" = ">=1.3"
            mylib = {{git = "https://github.com/o/r.git", ref = "{COMMIT}"}}
            local = {{path = ".", editable = true}}

            [dev-packages]
            pytest = "*"

            [requires]
            python_version = "3.11"
            """
        },
    )
    got = {r.name: (r.line, r.pinned, r.source) for r in facts.requirements}
    assert got == {
        "numpy": (5, True, "pipfile"),
        "pandas": (6, False, "pipfile"),
        "requests": (7, True, "pipfile"),
        "scikit-learn": (8, False, "pipfile"),
        "mylib": (9, True, "pipfile"),
        "pytest": (13, False, "pipfile"),
    }
    assert facts.python_version == ("Pipfile", 16)
    assert facts.declaration_files == ["Pipfile"]


ENVIRONMENT = """
name: demo
channels: [conda-forge]
dependencies:
  - python=3.11
  - pip
  - numpy=1.26.4
  - conda-forge::pandas==2.1.0
  - scipy=1.11.4=py311h64a7726_0
  - pytorch 2.1.0
  - pip:
      - requests==2.31.0
      - -e .
"""


def test_environment_fully_pinned_with_nested_pip(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"environment.yml": ENVIRONMENT})
    assert [(r.name, r.line, r.pinned, r.source) for r in facts.requirements] == [
        ("numpy", 6, True, "conda"),
        ("pandas", 7, True, "conda"),
        ("scipy", 8, True, "conda"),
        ("pytorch", 9, True, "conda"),
        ("requests", 11, True, "conda"),
    ]
    assert facts.conda_fully_pinned is True
    assert facts.python_version == ("environment.yml", 4)
    assert facts.declaration_files == ["environment.yml"]


@pytest.mark.parametrize("spec", ["numpy", "numpy>=1.26", "numpy=1.26", "numpy=1.26.*", "numpy==1.*"])
def test_environment_unpinned_conda_entries(tmp_path: Path, spec: str) -> None:
    facts = collect(tmp_path, {"environment.yaml": f"dependencies:\n  - {spec}\n  - pandas=2.1.0\n"})
    assert by_name(facts)["numpy"].pinned is False
    assert by_name(facts)["pandas"].pinned is True
    assert facts.conda_fully_pinned is False


def test_environment_unpinned_pip_entry_breaks_full_pinning(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"environment.yml": "dependencies:\n  - numpy=1.26.4\n  - pip:\n    - requests>=2\n"})
    assert by_name(facts)["requests"].pinned is False
    assert by_name(facts)["requests"].line == 4
    assert facts.conda_fully_pinned is False


def test_environment_pip_include_is_followed(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "env/environment.yml": "dependencies:\n  - numpy=1.26.4\n  - pip:\n    - -r reqs.txt\n",
            "env/reqs.txt": "torch\n",
        },
    )
    assert [(r.path, r.name, r.pinned) for r in facts.requirements] == [
        ("env/environment.yml", "numpy", True),
        ("env/reqs.txt", "torch", False),
    ]
    assert facts.conda_fully_pinned is False


def test_environment_without_python_version(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"environment.yml": "dependencies:\n  - python\n  - numpy=1.26.4\n"})
    assert facts.python_version is None
    assert facts.conda_fully_pinned is True


def test_yaml_named_environment_without_dependencies_is_not_a_declaration(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"environment.yml": "stage: prod\n"})
    assert facts.declaration_files == []
    assert facts.conda_fully_pinned is False


# --------------------------------------------------------------------------- lock files and python version


def test_lock_file_detection(tmp_path: Path) -> None:
    names = [
        "poetry.lock",
        "uv.lock",
        "pdm.lock",
        "Pipfile.lock",
        "conda-lock.yml",
        "envs/linux.conda-lock.yml",
        "pylock.toml",
    ]
    facts = collect(tmp_path, {name: "" for name in names + ["package-lock.json", "my.lock"]})
    assert sorted(facts.lock_files) == sorted(names)
    assert facts.declaration_files == []


def test_lock_file_must_be_listed(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"poetry.lock": ""}, listed=[])
    assert facts.lock_files == []


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        (".python-version", "# pyenv\n3.11.4\n", 2),
        ("runtime.txt", "python-3.11.4\n", 1),
        ("pyproject.toml", '[project]\nname = "x"\nrequires-python = ">=3.10"\n', 3),
    ],
)
def test_python_version_sources(tmp_path: Path, name: str, content: str, line: int) -> None:
    assert collect(tmp_path, {name: content}).python_version == (name, line)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (".python-version", "\n"),
        (".python-version", "system\n"),
        ("runtime.txt", "ruby-3.2\n"),
        ("Pipfile", '[packages]\nnumpy = "*"\n'),
        ("pyproject.toml", '[project]\nname = "x"\nrequires-python = ""\n'),
    ],
)
def test_no_python_version(tmp_path: Path, name: str, content: str) -> None:
    assert collect(tmp_path, {name: content}).python_version is None


def test_root_python_version_wins_over_nested(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"sub/.python-version": "3.10\n", "runtime.txt": "python-3.11.4\n"})
    assert facts.python_version == ("runtime.txt", 1)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("pyproject.toml", "[project\ndependencies = [\n"),
        ("Pipfile", "[packages\n"),
        ("environment.yml", "dependencies:\n  - numpy\n - : [\n"),
        ("setup.py", "from setuptools import setup\nsetup(install_requires=[\n"),
        ("setup.py", b"setup()\x00\n"),
        ("setup.cfg", "install_requires = numpy\n"),
    ],
)
def test_malformed_files_warn_without_crash(tmp_path: Path, name: str, content: str | bytes) -> None:
    facts = collect(tmp_path, {name: content})
    assert facts.requirements == []
    assert len(facts.warnings) == 1
    assert facts.warnings[0].startswith(f"{name}: ")


def test_non_utf8_bytes_warn_and_still_read(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"requirements.txt": b"# caf\xe9\nnumpy==1.26.4\n"})
    assert [(r.name, r.line, r.pinned) for r in facts.requirements] == [("numpy", 2, True)]
    assert facts.warnings == ["requirements.txt: is not valid UTF-8; undecodable bytes were replaced"]


def test_utf16_requirements_from_powershell_freeze(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"requirements.txt": "numpy==1.26.4\r\npandas\r\n".encode("utf-16")})
    assert [(r.name, r.line, r.pinned) for r in facts.requirements] == [("numpy", 1, True), ("pandas", 2, False)]
    assert facts.warnings == []


def test_empty_files_and_unlisted_paths(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"requirements.txt": "", "pyproject.toml": "", "environment.yml": "", "setup.py": ""})
    assert facts.requirements == []
    assert facts.declaration_files == ["requirements.txt"]
    assert facts.warnings == []


def test_oversized_file_is_skipped_with_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accumulator, "MAX_FILE_BYTES", 10)
    facts = collect(tmp_path, {"pyproject.toml": '[project]\ndependencies = ["numpy"]\n'})
    assert facts.requirements == []
    assert facts.warnings == ["pyproject.toml: larger than 10 bytes; not read"]


def test_pathological_long_lines_are_read(tmp_path: Path) -> None:
    spaces = " " * 200_000
    facts = collect(
        tmp_path,
        {
            "requirements.txt": f"numpy{spaces}==1.0\n-r{spaces}\nx @ http://h{spaces}y\n",
            "pyproject.toml": f'[{spaces}project{spaces}]\ndependencies = ["torch{spaces}"]\n',
            "Pipfile": f'[{spaces}packages{spaces}]\nnumpy = "*"\n',
            "setup.cfg": f"[options]\ninstall_requires =\n  a{spaces};\n",
        },
    )
    assert facts.declaration_files == ["Pipfile", "pyproject.toml", "requirements.txt", "setup.cfg"]
    assert [(r.path, r.name, r.line, r.pinned) for r in facts.requirements] == [
        ("Pipfile", "numpy", 2, False),
        ("pyproject.toml", "torch", 2, False),
        ("requirements.txt", "numpy", 1, True),
        ("requirements.txt", "x", 3, False),
        ("setup.cfg", "a", 3, False),
    ]
    assert facts.warnings == []


KINDS = [
    "requirements.txt",
    "constraints.txt",
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "Pipfile",
    "environment.yml",
    "conda.yaml",
    "python_env.yaml",
    "MLproject",
    "cog.yaml",
    "runtime.txt",
    ".tool-versions",
]


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(KINDS), content=st.binary(max_size=300) | st.text(max_size=300))
def test_arbitrary_content_never_raises(name: str, content: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        facts = collect(Path(folder), {name: content})
    assert all(isinstance(w, str) and "\n" not in w for w in facts.warnings)
    assert all(req.path == name for req in facts.requirements)


def test_listed_file_that_vanished_warns(tmp_path: Path) -> None:
    facts = collect_dependency_facts(tmp_path, ["pyproject.toml"])
    assert facts.warnings and facts.warnings[0].startswith("pyproject.toml: cannot be read")


def test_unrelated_files_are_not_read(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"src/model.py": "import numpy\n", "data.csv": "a,b\n"})
    assert facts == DependencyFacts()


# --------------------------------------------------------------------------- what ML204/ML205 ask


def test_unpinned_requirements_without_lock(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {"requirements.txt": "numpy==1.26.4\npandas\n", "pyproject.toml": '[project]\ndependencies = ["torch>=2"]\n'},
    )
    assert [(u.requirement.path, u.requirement.name) for u in facts.unpinned_requirements()] == [
        ("pyproject.toml", "torch"),
        ("requirements.txt", "pandas"),
    ]
    assert facts.declares_dependencies is True


def test_lock_file_silences_unpinned(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"pyproject.toml": '[project]\ndependencies = ["torch>=2"]\n', "uv.lock": ""})
    assert facts.unpinned_requirements() == []


def test_fully_pinned_requirements_file_locks_package_ranges(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {"pyproject.toml": '[project]\ndependencies = ["torch>=2"]\n', "requirements.txt": "torch==2.1.0\n"},
    )
    assert facts.fully_pinned_requirement_files() == ["requirements.txt"]
    assert facts.unpinned_requirements() == []


def test_pinned_environment_locks_package_ranges_but_not_requirement_lines(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "environment.yml": "dependencies:\n  - numpy=1.26.4\n",
            "setup.py": "from setuptools import setup\nsetup(install_requires=['numpy>=1'])\n",
            "requirements-dev.txt": "pytest\n",
        },
    )
    assert [u.requirement.path for u in facts.unpinned_requirements()] == ["requirements-dev.txt"]


def test_no_declaration_at_all(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"train.py": "import torch\n"})
    assert facts.declares_dependencies is False
    assert facts.unpinned_requirements() == []


# --------------------------------------------------------------------------- more environment files and locks


@pytest.mark.parametrize(
    "name",
    [
        "pixi.lock",
        "requirements.lock",
        "requirements-dev.lock",
        "build_tools/pylatest_pip_openblas_lock.txt",
        "ci/deps.lock.txt",
        "build_tools/linux-64_conda.lock",
        "conda-linux-64.lock",
        "envs/py311.conda-lock.yaml",
        "pylock.dev.toml",
    ],
)
def test_more_lock_file_names(tmp_path: Path, name: str) -> None:
    assert collect(tmp_path, {name: ""}).lock_files == [name]


@pytest.mark.parametrize("name", ["Cargo.lock", "yarn.lock", "package-lock.json", "flake.lock", "my.lock", "lock.txt"])
def test_other_ecosystems_locks_are_not_python_locks(tmp_path: Path, name: str) -> None:
    assert collect(tmp_path, {name: ""}).lock_files == []


def test_requirements_named_lock_is_read_as_requirements(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"requirements-lock.txt": "numpy==1.26.4\n"})
    assert facts.lock_files == []
    assert facts.fully_pinned_requirement_files() == ["requirements-lock.txt"]


@pytest.mark.parametrize(
    "name",
    [
        "conda.yaml",
        "conda.yml",
        "env.yml",
        "env.yaml",
        "environment-gpu.yaml",
        "conda_env.yml",
        "ci/conda-environment.yml",
    ],
)
def test_conda_environment_names(tmp_path: Path, name: str) -> None:
    facts = collect(tmp_path, {name: "dependencies:\n  - python=3.11\n  - numpy\n"})
    assert facts.declaration_files == [name]
    assert [(r.path, r.name, r.pinned, r.source) for r in facts.requirements] == [(name, "numpy", False, "conda")]
    assert facts.python_version == (name, 2)


@pytest.mark.parametrize("name", ["envs.yml", "my_conda_notes.yaml", "environments/x.json", "conda.yaml.bak"])
def test_other_yaml_names_are_not_environments(tmp_path: Path, name: str) -> None:
    assert collect(tmp_path, {name: "dependencies:\n  - numpy\n"}).declaration_files == []


def test_mlproject_names_its_conda_environment(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "project/MLproject": "name: churn\nconda_env: deps/train-deps.yaml\nentry_points: {}\n",
            "project/deps/train-deps.yaml": "channels: [conda-forge]\ndependencies:\n  - scikit-learn=1.5.2\n",
            "other/train-deps.yaml": "dependencies:\n  - numpy\n",
        },
    )
    assert facts.declaration_files == ["project/deps/train-deps.yaml"]
    assert facts.pinned_conda_files == ["project/deps/train-deps.yaml"]


def test_mlproject_python_env(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "MLproject": "name: x\npython_env: files/py_env.yaml\n",
            "files/py_env.yaml": "python: '3.10.12'\nbuild_dependencies:\n  - pip\ndependencies:\n  - mlflow>=2\n"
            "  - -r ../requirements.txt\n",
            "requirements.txt": "numpy==1.26.4\n",
        },
    )
    assert facts.python_version == ("files/py_env.yaml", 1)
    assert [(r.path, r.name, r.pinned) for r in facts.requirements] == [
        ("files/py_env.yaml", "mlflow", False),
        ("requirements.txt", "numpy", True),
    ]
    assert facts.pinned_conda_files == []


COG = """build:
  gpu: true
  python_version: "3.11.1"
  python_packages:
    - "diffusers==0.11.1"
    - "torch==1.13.0"
predict: "predict.py:Predictor"
"""


def test_cog_build_environment(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"cog.yaml": COG})
    assert facts.python_version == ("cog.yaml", 3)
    assert [(r.path, r.line, r.name, r.pinned) for r in facts.requirements] == [
        ("cog.yaml", 5, "diffusers", True),
        ("cog.yaml", 6, "torch", True),
    ]
    assert facts.declaration_files == ["cog.yaml"]
    assert facts.pinned_conda_files == ["cog.yaml"]


def test_cog_python_requirements_file(tmp_path: Path) -> None:
    facts = collect(tmp_path, {
        "service/cog.yaml": "build:\n  python_requirements: deps/cog.txt\n",
        "service/deps/cog.txt": "torch>=2\n",
    })
    assert [(r.path, r.name, r.pinned) for r in facts.requirements] == [("service/deps/cog.txt", "torch", False)]
    assert facts.pinned_conda_files == []


@pytest.mark.parametrize("content", ["name: x\n", "[not yaml\n", "conda_env: ../../outside.yaml\n", "[" * 5000])
def test_mlproject_without_a_usable_environment(tmp_path: Path, content: str) -> None:
    """No environment named, invalid YAML (a warning), or a path outside the project."""
    facts = collect(tmp_path, {"MLproject": content})
    assert facts.declaration_files == []
    assert facts.requirements == []


def test_files_of_a_saved_mlflow_model_are_not_declarations(tmp_path: Path) -> None:
    model = "mlruns/0/abc/artifacts/model"
    facts = collect(
        tmp_path,
        {
            f"{model}/MLmodel": "flavors: {}\n",
            f"{model}/conda.yaml": "dependencies:\n  - python=3.8\n  - pip:\n    - mlflow\n",
            f"{model}/requirements.txt": "mlflow\ncloudpickle==2.2.1\n",
            f"{model}/python_env.yaml": "python: 3.8\ndependencies:\n  - mlflow\n",
        },
    )
    assert facts == DependencyFacts()


def test_tool_versions_python(tmp_path: Path) -> None:
    assert collect(tmp_path, {".tool-versions": "nodejs 20.1.0\npython 3.11.4 # asdf\n"}).python_version == (
        ".tool-versions",
        2,
    )
    assert collect(tmp_path / "b", {".tool-versions": "nodejs 20.1.0\npython system\n"}).python_version is None


# --------------------------------------------------------------------------- constraints and pins of one install


def test_standalone_constraints_file_pins_but_declares_nothing(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"ci/constraints.txt": "numpy==1.26.4\npandas<3\n"})
    assert facts.declaration_files == []
    assert facts.requirements == []
    assert [(c.name, c.pinned) for c in facts.constraints] == [("numpy", True), ("pandas", False)]


def test_constraint_targets_are_recorded_as_constraints(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"requirements.txt": "-c pins.txt\nnumpy\n", "pins.txt": "numpy==1.26.4\n"})
    assert [(c.path, c.name) for c in facts.constraints] == [("pins.txt", "numpy")]


@pytest.mark.parametrize(
    ("files", "pinned"),
    [
        ({"requirements.txt": "mkdocstrings==0.21.2\nmkdocstrings[python]>=0.18\n"}, True),
        ({"requirements.txt": "-r base.txt\nnumpy>=1\n", "base.txt": "numpy==1.26.4\n"}, True),
        ({"requirements.txt": "numpy>=1\n", "requirements-dev.txt": "-r requirements.txt\nnumpy==1.26.4\n"}, False),
        ({"requirements.txt": "numpy>=1\n", "requirements-dev.txt": "numpy==1.26.4\n"}, False),
    ],
)
def test_a_pin_elsewhere_in_the_same_install_pins_the_line(tmp_path: Path, files: dict[str, str], pinned: bool) -> None:
    facts = collect(tmp_path, files)
    [ranged] = [r for r in facts.requirements if r.path == "requirements.txt" and "==" not in r.text]
    assert ranged.pinned is pinned


# --------------------------------------------------------------------------- what ML204 asks, per project kind


def test_a_name_unpinned_in_several_files_is_reported_once(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "pyproject.toml": '[project]\ndependencies = ["pandas>=2", "torch"]\n',
            "requirements.txt": "pandas>=2\ntorch>=2\ntorch>=2 ; sys_platform == 'darwin'\n",
            "app/requirements.txt": "pandas\nflask\n",
        },
    )
    assert [(u.requirement.path, u.requirement.name, u.also) for u in facts.unpinned_requirements()] == [
        ("pyproject.toml", "pandas", ("requirements.txt", "app/requirements.txt")),
        ("pyproject.toml", "torch", ("requirements.txt",)),
        ("app/requirements.txt", "flask", ()),
    ]


def test_unnamed_requirements_are_never_merged(tmp_path: Path) -> None:
    url = "https://host/latest\n"
    facts = collect(tmp_path, {"requirements.txt": url, "a/requirements.txt": url})
    assert [u.requirement.path for u in facts.unpinned_requirements()] == ["requirements.txt", "a/requirements.txt"]


def test_metadata_range_pinned_by_an_environment_file_is_not_reported(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {
            "pyproject.toml": '[project]\ndependencies = ["numpy>=1", "pandas"]\n',
            "requirements.txt": "numpy==1.26.4\nflask\n",
        },
    )
    assert [u.requirement.name for u in facts.unpinned_requirements()] == ["pandas", "flask"]


def test_constraints_file_pins_requirement_lines(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"requirements.txt": "numpy\npandas\n", "constraints.txt": "numpy==1.26.4\n"})
    assert [u.requirement.name for u in facts.unpinned_requirements()] == ["pandas"]


def test_counted_filter_leaves_files_out(tmp_path: Path) -> None:
    facts = collect(tmp_path, {"requirements.txt": "numpy\n", "docs/requirements.txt": "numpy\nsphinx\n"})
    unpinned = facts.unpinned_requirements(lambda path: not path.startswith("docs/"))
    assert [(u.requirement.path, u.also) for u in unpinned] == [("requirements.txt", ())]


def test_library_questions(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[project]\ndependencies = ["numpy>=1", "scipy"]\n',
        "requirements/ci.txt": "scipy==1.13.1\npytest\n",
        "examples/uv.lock": "",
        "examples/requirements.txt": "matplotlib\n",
    }
    facts = collect(tmp_path, files)

    def not_examples(path: str) -> bool:
        return not path.startswith("examples/")

    assert facts.environment_locks(not_examples) == []
    assert facts.environment_locks() == ["examples/uv.lock"]
    assert [(r.path, r.name) for r in facts.unlocked_ranges(not_examples)] == [
        ("pyproject.toml", "numpy"),
        ("requirements/ci.txt", "pytest"),
    ]


def test_pinned_conda_environments_are_environment_locks(tmp_path: Path) -> None:
    facts = collect(
        tmp_path,
        {"ci/environment.yml": "dependencies:\n  - numpy=1.26.4\n", "environment.yml": "dependencies:\n  - numpy\n"},
    )
    assert facts.pinned_conda_files == ["ci/environment.yml"]
    assert facts.environment_locks() == ["ci/environment.yml"]
