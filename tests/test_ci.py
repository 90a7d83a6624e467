"""CI facts (ML404) and static-analysis facts (ML405)."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mllint.project.ci import (
    CIConfig,
    CIFacts,
    ci_system,
    collect_ci_facts,
    static_analysis_tools,
)
from mllint.testkit import write_files


def write_repo(root: Path, files: dict[str, str | bytes]) -> list[str]:
    """Create *files* under *root* (text is dedented) and return their relative paths."""
    return write_files(root, files, dedent=True)


def only_config(root: Path, files: dict[str, str | bytes]) -> CIConfig:
    facts = collect_ci_facts(root, write_repo(root, files))
    assert len(facts.configs) == 1
    return facts.configs[0]


def github_step(command: str) -> str:
    """A workflow whose single job runs *command* on line 7."""
    return textwrap.dedent(
        f"""\
        name: ci
        on: [push]
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: {command}
        """
    )


def command_runs_tests(root: Path, command: str, extra: dict[str, str] | None = None) -> bool:
    config = only_config(root, {".github/workflows/ci.yml": github_step(command), **(extra or {})})
    return config.runs_tests


# ------------------------------------------------------------ CI systems


SYSTEMS = {
    "github": (
        ".github/workflows/test.yaml",
        """
        on:
          push:
        jobs:
          test:
            steps:
              - uses: actions/checkout@v4
              - run: pip install -e .
              - run: {cmd}
        """,
        8,
    ),
    "gitlab": (
        ".gitlab-ci.yml",
        """
        stages: [test]
        unit:
          stage: test
          before_script:
            - pip install -e .
          script:
            - {cmd}
        """,
        7,
    ),
    "azure": (
        "azure-pipelines.yml",
        """
        trigger: [main]
        steps:
          - task: UsePythonVersion@0
            inputs:
              versionSpec: '3.11'
          - script: pip install -e .
          - script: {cmd}
            displayName: tests
        """,
        7,
    ),
    "circleci": (
        ".circleci/config.yml",
        """
        version: 2.1
        jobs:
          test:
            steps:
              - checkout
              - run: pip install -e .
              - run:
                  name: tests
                  command: {cmd}
        """,
        9,
    ),
    "bitbucket": (
        "bitbucket-pipelines.yml",
        """
        pipelines:
          default:
            - step:
                name: test
                script:
                  - pip install -e .
                  - {cmd}
        """,
        7,
    ),
    "travis": (
        ".travis.yml",
        """
        language: python
        install:
          - pip install -e .
        script:
          - {cmd}
        """,
        5,
    ),
    "buildkite": (
        ".buildkite/pipeline.yml",
        """
        steps:
          - label: test
            commands:
              - pip install -e .
              - {cmd}
        """,
        5,
    ),
    "jenkins": (
        "Jenkinsfile",
        """
        pipeline {{
          agent any
          stages {{
            stage('test') {{
              steps {{
                sh 'pip install -e .'
                sh '{cmd}'
              }}
            }}
          }}
        }}
        """,
        7,
    ),
}


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_each_ci_system_finds_the_test_command_and_its_line(tmp_path: Path, system: str) -> None:
    path, template, line = SYSTEMS[system]
    config = only_config(tmp_path, {path: template.format(cmd="python -m pytest -q")})
    assert config.system == system
    assert config.path == path
    assert config.runs_tests
    assert config.test_command == "python -m pytest -q"
    assert config.test_line == line
    assert (line, "python -m pytest -q") in config.commands
    assert any(text == "pip install -e ." for _, text in config.commands)


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_each_ci_system_that_only_builds_does_not_run_tests(tmp_path: Path, system: str) -> None:
    path, template, line = SYSTEMS[system]
    config = only_config(tmp_path, {path: template.format(cmd="python -m build")})
    assert config.system == system
    assert not config.runs_tests
    assert config.test_command is None and config.test_line is None
    assert (line, "python -m build") in config.commands


@pytest.mark.parametrize(
    ("path", "system"),
    [
        (".github/workflows/ci.yml", "github"),
        (".gitlab-ci.yml", "gitlab"),
        (".azure-pipelines/build.yaml", "azure"),
        ("ci/Jenkinsfile", "jenkins"),
        (".circleci/config.yml", "circleci"),
        ("bitbucket-pipelines.yml", "bitbucket"),
        (".travis.yml", "travis"),
        (".buildkite/pipeline.yml", "buildkite"),
        (".github/workflows/README.md", None),
        (".github/workflows/nested/ci.yml", None),
        ("docs/.gitlab-ci.yml", None),
        (".circleci/other.yml", None),
        ("setup.cfg", None),
    ],
)
def test_ci_system_recognises_ci_file_locations(path: str, system: str | None) -> None:
    assert ci_system(path) == system


def test_no_ci_files_means_no_configs(tmp_path: Path) -> None:
    files = write_repo(tmp_path, {"setup.py": "", "tests/test_a.py": "def test_a():\n    assert 1\n"})
    assert collect_ci_facts(tmp_path, files) == CIFacts(configs=[], warnings=[])


def test_gitlab_default_section_and_anchors_are_read(tmp_path: Path) -> None:
    config = only_config(
        tmp_path,
        {
            ".gitlab-ci.yml": """
            .tests: &tests
              script:
                - pytest
            default:
              before_script:
                - pip install .
            unit:
              <<: *tests
              rules:
                - if: $CI
            """,
        },
    )
    assert config.runs_tests and config.test_line == 3
    assert (6, "pip install .") in config.commands


def test_gitlab_reference_tags_do_not_break_parsing(tmp_path: Path) -> None:
    config = only_config(
        tmp_path,
        {
            ".gitlab-ci.yml": """
            .setup:
              script: [pip install .]
            test:
              script:
                - !reference [.setup, script]
                - tox
            """,
        },
    )
    assert config.runs_tests and config.test_command == "tox"
    assert all(text not in (".setup", "script") for _, text in config.commands)


def test_azure_task_inline_script_is_a_command(tmp_path: Path) -> None:
    config = only_config(
        tmp_path,
        {
            "azure-pipelines.yml": """
            stages:
              - stage: test
                jobs:
                  - job: unit
                    steps:
                      - task: Bash@3
                        inputs:
                          targetType: inline
                          script: pytest tests
            """,
        },
    )
    assert config.runs_tests and config.test_line == 9


def test_circleci_plain_run_string(tmp_path: Path) -> None:
    config = only_config(
        tmp_path,
        {".circleci/config.yml": "jobs:\n  t:\n    steps:\n      - run: tox -e py311\n"},
    )
    assert config.runs_tests and config.test_line == 4


def test_buildkite_single_command(tmp_path: Path) -> None:
    config = only_config(tmp_path, {".buildkite/pipeline.yml": "steps:\n  - command: pytest\n"})
    assert config.runs_tests and config.test_line == 2


def test_jenkins_triple_quoted_block_and_comments(tmp_path: Path) -> None:
    config = only_config(
        tmp_path,
        {
            "Jenkinsfile": """
            node {
              // sh 'pytest'
              sh label: 'build', script: "python -m build"
              sh '''
                 pip install .
                 python -m pytest -x
              '''
            }
            """,
        },
    )
    assert config.runs_tests
    assert config.test_line == 6
    assert config.commands == [(3, "python -m build"), (5, "pip install ."), (6, "python -m pytest -x")]


def test_jenkins_commented_out_test_step_does_not_count(tmp_path: Path) -> None:
    config = only_config(tmp_path, {"Jenkinsfile": "node {\n  // sh 'pytest'\n  sh 'make dist'\n}\n"})
    assert not config.runs_tests


# ---------------------------------------------------- line numbers, YAML


def test_multiline_run_block_keeps_physical_lines(tmp_path: Path) -> None:
    config = only_config(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
            on:
              pull_request:
            jobs:
              test:
                steps:
                  - name: test
                    run: |
                      python -m pip install -U pip

                      # pytest --cov
                      pip install -e .[test]
                      pytest \\
                        --cov=src tests
                  - run: >
                      echo
                      done
            """,
        },
    )
    assert config.commands == [
        (8, "python -m pip install -U pip"),
        (11, "pip install -e .[test]"),
        (12, "pytest --cov=src tests"),
        (15, "echo done"),
    ]
    assert (config.test_line, config.test_command) == (12, "pytest --cov=src tests")


def test_on_key_and_uses_are_handled(tmp_path: Path) -> None:
    config = only_config(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
            on: push
            jobs:
              call:
                uses: ./.github/workflows/reusable-tests.yml
              lint:
                steps:
                  - uses: actions/checkout@v4
            """,
        },
    )
    # Reusable workflows are not followed: the tests they may run are unknown.
    assert not config.runs_tests
    assert config.uses == [(4, "./.github/workflows/reusable-tests.yml"), (7, "actions/checkout@v4")]


def test_malformed_yaml_is_a_ci_config_with_a_warning(tmp_path: Path) -> None:
    facts = collect_ci_facts(
        tmp_path, write_repo(tmp_path, {".gitlab-ci.yml": "test:\n  script: [pytest\n"})
    )
    assert [c.path for c in facts.configs] == [".gitlab-ci.yml"]
    assert not facts.configs[0].runs_tests
    assert len(facts.warnings) == 1 and facts.warnings[0].startswith(".gitlab-ci.yml: not valid YAML")


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage", b"---\n...\n", b"- 1\n- 2\n", b"[[[[[[[["])
def test_odd_ci_files_never_raise(tmp_path: Path, content: bytes) -> None:
    facts = collect_ci_facts(tmp_path, write_repo(tmp_path, {".travis.yml": content}))
    assert len(facts.configs) == 1 and not facts.configs[0].runs_tests


def test_non_utf8_is_warned_but_still_read(tmp_path: Path) -> None:
    facts = collect_ci_facts(
        tmp_path, write_repo(tmp_path, {".travis.yml": b"# caf\xe9\nscript:\n  - pytest\n"})
    )
    assert facts.configs[0].runs_tests
    assert facts.warnings == [".travis.yml: not valid UTF-8; undecodable bytes replaced"]


def test_files_not_listed_are_not_read(tmp_path: Path) -> None:
    write_repo(tmp_path, {".travis.yml": "script: pytest\n"})
    assert collect_ci_facts(tmp_path, []).configs == []


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_arbitrary_ci_text_never_raises(tmp_path: Path, text: str) -> None:
    files = write_repo(
        tmp_path, {".gitlab-ci.yml": f"t:\n  script:\n    - {text}\n", "Jenkinsfile": f"sh '{text}'\n"}
    )
    facts = collect_ci_facts(tmp_path, files)
    assert len(facts.configs) == 2


# ------------------------------------------------- what counts as tests


@pytest.mark.parametrize(
    "command",
    [
        "pytest",
        "py.test -x",
        "python -m pytest tests/",
        "python3.11 -m unittest discover -s tests",
        "tox -e py311",
        "nox",
        "hatch test",
        "hatch run test:cov",
        "poetry run pytest",
        "uv run --with pytest-cov pytest",
        "pdm run pytest",
        "coverage run -m pytest",
        "cd src && pytest",
        "FOO=1 xvfb-run -a pytest",
        "python -m coverage run --source=pkg -m pytest",
        "python manage.py test",
        "bash -c 'python -m pytest -x'",
        "tox run -e py311 -- -l",
    ],
)
def test_commands_that_run_tests(tmp_path: Path, command: str) -> None:
    assert command_runs_tests(tmp_path, command)


@pytest.mark.parametrize(
    "command",
    [
        "pre-commit run --all-files",
        "pip install pytest",
        "pytest --version",
        "python -m pytest --help",
        "echo pytest",
        "'# pytest'",
        "python -m build",
        "tox --version",
        "tox list",
        "nox --list",
        "make -n test",
        "hatch run lint:check",
    ],
)
def test_commands_that_do_not_run_tests(tmp_path: Path, command: str) -> None:
    assert not command_runs_tests(tmp_path, command)


def test_commented_out_line_in_run_block_does_not_count(tmp_path: Path) -> None:
    workflow = "jobs:\n  t:\n    steps:\n      - run: |\n          # pytest\n          echo skipped\n"
    config = only_config(tmp_path, {".github/workflows/ci.yml": workflow})
    assert not config.runs_tests
    assert config.commands == [(6, "echo skipped")]


# ------------------------------------------------------------- Makefile


def test_make_test_follows_the_recipe(tmp_path: Path) -> None:
    makefile = "test:\n\tpytest -q\n\nbuild:\n\tpython -m build\n"
    assert command_runs_tests(tmp_path, "make test", {"Makefile": makefile})


def test_make_target_without_tests_does_not_count(tmp_path: Path) -> None:
    makefile = "test:\n\techo 'no tests yet'\n\nbuild:\n\tpython -m build\n"
    assert not command_runs_tests(tmp_path, "make test", {"Makefile": makefile})


def test_make_target_dependency_runs_tests(tmp_path: Path) -> None:
    makefile = (
        "ci: lint test\n"
        "lint:\n\truff check .\n"
        "test: install\n\t@$(PYTHON) -m pytest\n"
        "install:\n\tpip install .\n"
    )
    assert command_runs_tests(tmp_path, "make ci", {"Makefile": makefile})


def test_make_recursive_make_and_variables(tmp_path: Path) -> None:
    makefile = "PYTEST ?= .venv/bin/pytest\nall:\n\t$(MAKE) unit\nunit:\n\t$(PYTEST) tests\n"
    assert command_runs_tests(tmp_path, "make", {"Makefile": makefile})


def test_make_conditionals_do_not_end_a_recipe(tmp_path: Path) -> None:
    makefile = "test:\nifeq ($(CI),true)\n\techo ci\nelse\n\techo local\nendif\n\tpytest\n"
    assert command_runs_tests(tmp_path, "make test", {"Makefile": makefile})


def test_make_directory_option(tmp_path: Path) -> None:
    extra = {"backend/Makefile": "check:\n\tpython -m pytest\n"}
    assert command_runs_tests(tmp_path, "make -C backend check", extra)


def test_make_without_makefile_trusts_a_test_target_name(tmp_path: Path) -> None:
    assert command_runs_tests(tmp_path / "a", "make test")
    assert not command_runs_tests(tmp_path / "b", "make docs")


# ------------------------------------------------------------- tox, nox


def test_tox_follows_tox_ini_commands(tmp_path: Path) -> None:
    tox_ini = "[tox]\nenvlist = py311\n\n[testenv]\ndeps = pytest\ncommands =\n    pytest {posargs}\n"
    assert command_runs_tests(tmp_path, "tox", {"tox.ini": tox_ini})


def test_tox_ini_without_test_commands_does_not_count(tmp_path: Path) -> None:
    tox_ini = "[tox]\nenvlist = lint\n\n[testenv:lint]\ncommands = flake8 src\n"
    assert not command_runs_tests(tmp_path, "tox", {"tox.ini": tox_ini})


def test_tox_environment_selection(tmp_path: Path) -> None:
    tox_ini = "[testenv]\ncommands = {envpython} -m pytest\n\n[testenv:lint]\ncommands = ruff check .\n"
    assert command_runs_tests(tmp_path / "a", "tox -e py311", {"tox.ini": tox_ini})
    assert not command_runs_tests(tmp_path / "b", "tox -e lint", {"tox.ini": tox_ini})


def test_tox_config_in_pyproject_and_tox_toml(tmp_path: Path) -> None:
    legacy = '[tool.tox]\nlegacy_tox_ini = """\n[testenv]\ncommands = pytest\n"""\n'
    native = '[env_run_base]\ncommands = [["python", "-m", "pytest", { replace = "posargs" }]]\n'
    assert command_runs_tests(tmp_path / "a", "tox", {"pyproject.toml": legacy})
    assert command_runs_tests(tmp_path / "b", "tox", {"tox.toml": native})


def test_tox_without_config_counts(tmp_path: Path) -> None:
    assert command_runs_tests(tmp_path, "python -m tox", {"pyproject.toml": "[project]\nname='x'\n"})


NOXFILE = '''
import nox

@nox.session(python=["3.11"])
def tests(session):
    session.install(".[test]")
    session.run("pytest", *session.posargs)

@nox.session(name="lint")
def lint_session(session):
    session.run("ruff", "check", ".")
'''


def test_nox_follows_noxfile_sessions(tmp_path: Path) -> None:
    assert command_runs_tests(tmp_path / "a", "nox", {"noxfile.py": NOXFILE})
    assert command_runs_tests(tmp_path / "b", "nox -s tests-3.11", {"noxfile.py": NOXFILE})
    assert not command_runs_tests(tmp_path / "c", "nox -s lint", {"noxfile.py": NOXFILE})


def test_noxfile_without_test_sessions_does_not_count(tmp_path: Path) -> None:
    noxfile = "import nox\n\n@nox.session\ndef docs(session):\n    session.run('sphinx-build', 'docs', 'out')\n"
    assert not command_runs_tests(tmp_path, "nox", {"noxfile.py": noxfile})


# --------------------------------------------- hatch, pdm and scripts


def test_hatch_and_pdm_scripts_from_pyproject(tmp_path: Path) -> None:
    pyproject = """
    [tool.hatch.envs.default.scripts]
    cov = ["pip list", "pytest --cov"]
    test = "echo 'nothing'"

    [tool.pdm.scripts]
    unit = {cmd = ["python", "-m", "pytest"]}
    """
    assert command_runs_tests(tmp_path / "a", "hatch run cov", {"pyproject.toml": pyproject})
    assert not command_runs_tests(tmp_path / "b", "hatch run test", {"pyproject.toml": pyproject})
    assert command_runs_tests(tmp_path / "c", "pdm run unit", {"pyproject.toml": pyproject})


PIXI_PYPROJECT = """
[tool.pixi.feature.tests.tasks]
tests = { cmd = "pytest -vsl imblearn" }

[tool.pixi.feature.linters.tasks]
linters = { cmd = "pre-commit run --all-files" }

[tool.pixi.tasks]
check = { depends-on = ["linters", "tests"] }
"""
PIXI_TOML = '[tasks]\nunit = "python -m pytest"\ndocs = "mkdocs build"\n'


@pytest.mark.parametrize(
    ("command", "files", "runs"),
    [
        ("pixi run -e ${{ matrix.environment }} tests -n 3", {"pyproject.toml": PIXI_PYPROJECT}, True),
        ("pixi run check", {"pyproject.toml": PIXI_PYPROJECT}, True),
        ("pixi run linters", {"pyproject.toml": PIXI_PYPROJECT}, False),
        ("pixi run unit", {"pixi.toml": PIXI_TOML}, True),
        ("pixi run docs", {"pixi.toml": PIXI_TOML}, False),
    ],
)
def test_pixi_tasks_are_followed(tmp_path: Path, command: str, files: dict[str, str], runs: bool) -> None:
    assert command_runs_tests(tmp_path, command, files) is runs


@pytest.mark.parametrize(
    ("command", "runs"),
    [
        ("python -m pytest -k ${{ matrix.selection }} tests", True),
        ("tox -e ${{ matrix.toxenv }}", True),
        ("echo ${{ github.sha }}", False),
    ],
)
def test_template_expressions_are_one_word(tmp_path: Path, command: str, runs: bool) -> None:
    files = {"tox.ini": "[testenv]\ncommands = pytest\n"}
    assert command_runs_tests(tmp_path, command, files) is runs


@pytest.mark.parametrize(
    ("command", "script", "content"),
    [
        ("bash scripts/test.sh", "scripts/test.sh", "#!/bin/bash\nset -e\npip install .\npytest tests\n"),
        ("./run_tests.sh", "run_tests.sh", "#!/bin/sh\npython -m unittest\n"),
        ("python run_tests.py", "run_tests.py", "import sys\nimport pytest\nsys.exit(pytest.main(['tests']))\n"),
        ("sh ci/all.sh", "ci/all.sh", "make test\n"),
    ],
)
def test_script_files_in_the_repo_are_followed(
    tmp_path: Path, command: str, script: str, content: str
) -> None:
    extra = {script: content, "Makefile": "test:\n\tpytest\n"}
    assert command_runs_tests(tmp_path, command, extra)


@pytest.mark.parametrize(
    ("command", "spec", "content", "runs"),
    [
        ("anyscale jobs submit deploy/jobs/workloads.yaml --wait", "deploy/jobs/workloads.yaml",
         "name: workloads\nentrypoint: bash deploy/jobs/workloads.sh\nmax_retries: 0\n", True),
        ("kubectl apply -f k8s/tests.yaml", "k8s/tests.yaml",
         "kind: Job\nspec:\n  template:\n    spec:\n      containers:\n      - name: t\n"
         "        command: [python, -m, pytest, -x]\n", True),
        ("kubectl apply -f k8s/serve.yaml", "k8s/serve.yaml",
         "kind: Deployment\nspec:\n  containers:\n  - command: [uvicorn, app:app]\n", False),
        ("helm install x -f values.yaml", "values.yaml", "a: &a [1, *a]\n: [unbalanced\n", False),  # not YAML
    ],
)
def test_a_job_spec_given_to_a_program_is_followed(
    tmp_path: Path, command: str, spec: str, content: str, runs: bool
) -> None:
    """A program mllint does not know that is given a job or container spec of the
    repository runs what the spec's ``entrypoint``/``command`` says (Made-With-ML
    runs its tests in an Anyscale job)."""
    extra = {spec: content, "deploy/jobs/workloads.sh": "#!/bin/bash\npytest tests/code\n"}
    assert command_runs_tests(tmp_path, command, extra) is runs


def test_script_without_tests_or_missing_script_does_not_count(tmp_path: Path) -> None:
    extra = {"scripts/build.sh": "#!/bin/sh\n# pytest is run elsewhere\npython -m build\n"}
    assert not command_runs_tests(tmp_path / "a", "bash scripts/build.sh", extra)
    assert not command_runs_tests(tmp_path / "b", "./scripts/missing.sh")
    assert not command_runs_tests(tmp_path / "c", "python tools/check.py", {"tools/check.py": "print('ok')\n"})


def test_self_referencing_script_terminates(tmp_path: Path) -> None:
    assert not command_runs_tests(tmp_path, "bash loop.sh", {"loop.sh": "bash loop.sh\n"})


def test_fan_out_of_scripts_is_bounded(tmp_path: Path) -> None:
    # 60**4 commands if followed naively; the expansion budget keeps this instant.
    scripts = {f"{name}.sh": f"bash {child}.sh\n" * 60 for name, child in zip("abcd", "bcde")}
    started = time.monotonic()
    assert not command_runs_tests(tmp_path, "bash a.sh", {**scripts, "e.sh": "echo done\n"})
    assert time.monotonic() - started < 10


def test_pathological_jenkinsfile_is_fast(tmp_path: Path) -> None:
    started = time.monotonic()
    config = only_config(tmp_path, {"Jenkinsfile": "sh label: " + " " * 50_000 + "x\nsh 'pytest'\n"})
    assert config.runs_tests and config.test_line == 2
    assert time.monotonic() - started < 10


# ------------------------------------------------------- static analysis


def tools(root: Path, files: dict[str, str]) -> dict[str, str]:
    return static_analysis_tools(root, write_repo(root, files))


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"pyproject.toml": "[tool.ruff]\nline-length = 100\n"}, {"ruff": "pyproject.toml"}),
        ({"pyproject.toml": "[tool.mypy]\nstrict = true\n"}, {"mypy": "pyproject.toml"}),
        ({"pyproject.toml": "[tool.pylint.'messages control']\ndisable = ['C']\n"}, {"pylint": "pyproject.toml"}),
        ({"pyproject.toml": "[tool.pyright]\ntypeCheckingMode = 'strict'\n"}, {"pyright": "pyproject.toml"}),
        ({"setup.cfg": "[metadata]\nname = x\n\n[flake8]\nmax-line-length = 100\n"}, {"flake8": "setup.cfg"}),
        ({"setup.cfg": "[mypy-numpy.*]\nignore_missing_imports = True\n"}, {"mypy": "setup.cfg"}),
        ({"tox.ini": "[pylint]\ndisable = C0114\n"}, {"pylint": "tox.ini"}),
        ({".flake8": "[flake8]\n"}, {"flake8": ".flake8"}),
        ({"mypy.ini": "[mypy]\n"}, {"mypy": "mypy.ini"}),
        ({".pylintrc": ""}, {"pylint": ".pylintrc"}),
        ({"pylintrc": ""}, {"pylint": "pylintrc"}),
        ({"pyrightconfig.json": "{}"}, {"pyright": "pyrightconfig.json"}),
        ({"ruff.toml": ""}, {"ruff": "ruff.toml"}),
        ({".ruff.toml": ""}, {"ruff": ".ruff.toml"}),
        ({".pyre_configuration": "{}"}, {"pyre": ".pyre_configuration"}),
    ],
)
def test_static_analysis_from_config_files(
    tmp_path: Path, files: dict[str, str], expected: dict[str, str]
) -> None:
    assert tools(tmp_path, files) == expected


def test_static_analysis_from_pre_commit_hooks(tmp_path: Path) -> None:
    config = """
    repos:
      - repo: https://github.com/astral-sh/ruff-pre-commit
        rev: v0.6.0
        hooks:
          - id: ruff
          - id: ruff-format
      - repo: https://github.com/pre-commit/mirrors-mypy
        rev: v1.11.0
        hooks:
          - id: mypy
      - repo: local
        hooks:
          - id: typecheck
            entry: pyright src
            language: system
    """
    assert tools(tmp_path, {".pre-commit-config.yaml": config}) == {
        "ruff": ".pre-commit-config.yaml",
        "mypy": ".pre-commit-config.yaml",
        "pyright": ".pre-commit-config.yaml",
    }


def test_static_analysis_from_ci_commands_and_actions(tmp_path: Path) -> None:
    workflow = """
    jobs:
      lint:
        steps:
          - uses: astral-sh/ruff-action@v1
          - run: python -m mypy src
          - run: poetry run pylint pkg
    """
    path = ".github/workflows/lint.yml"
    assert tools(tmp_path, {path: workflow}) == {"ruff": path, "mypy": path, "pylint": path}


def test_static_analysis_from_task_runners(tmp_path: Path) -> None:
    files = {
        "tox.ini": "[testenv:lint]\ncommands = flake8 src\n",
        "Makefile": "typecheck:\n\tmypy src\n",
        "noxfile.py": "import nox\n@nox.session\ndef lint(session):\n    session.run('pylint', 'src')\n",
        "pyproject.toml": "[tool.hatch.envs.lint.scripts]\ncheck = 'ruff check .'\n",
    }
    assert tools(tmp_path, files) == {
        "flake8": "tox.ini",
        "mypy": "Makefile",
        "pylint": "noxfile.py",
        "ruff": "pyproject.toml",
    }


def test_config_file_is_preferred_over_ci(tmp_path: Path) -> None:
    files = {"pyproject.toml": "[tool.ruff]\n", ".gitlab-ci.yml": "lint:\n  script: [ruff check .]\n"}
    assert tools(tmp_path, files) == {"ruff": "pyproject.toml"}


def test_precomputed_ci_facts_are_used(tmp_path: Path) -> None:
    files = write_repo(tmp_path, {".travis.yml": "script: flake8\n"})
    assert static_analysis_tools(tmp_path, files, CIFacts(configs=[], warnings=[])) == {}
    facts = collect_ci_facts(tmp_path, files)
    assert static_analysis_tools(tmp_path, files, facts) == {"flake8": ".travis.yml"}


@pytest.mark.parametrize(
    "files",
    [
        {"pyproject.toml": "[tool.black]\nline-length = 100\n\n[tool.isort]\nprofile = 'black'\n"},
        {
            ".pre-commit-config.yaml": """
            repos:
              - repo: https://github.com/psf/black
                hooks: [{id: black}, {id: ruff-format}]
            """
        },
        {
            ".github/workflows/ci.yml": """
            jobs:
              t:
                steps:
                  - run: black --check .
                  - run: ruff format --check .
                  - run: pip install ruff mypy
                  - run: mypy --version
            """
        },
        {"pyproject.toml": "[project]\nname = 'x'\ndependencies = ['ruff']\n", "setup.cfg": "[metadata]\nname = x\n"},
        {"pyproject.toml": "[tool.ruff\nbroken", ".pre-commit-config.yaml": "repos: [\n"},
        {},
    ],
)
def test_no_static_analysis(tmp_path: Path, files: dict[str, str]) -> None:
    assert tools(tmp_path, files) == {}
