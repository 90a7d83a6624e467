"""Testing and code-quality rules ML401-ML406, and pytest-style test discovery."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mllint.project.pytest_config import (
    PytestSettings,
    effective_testpaths,
    is_pytest_file,
    is_unittest_file,
    matches_prefix_or_glob,
    read_pytest_settings,
)
from mllint.testkit import codes, lint_as_configured, lint_tree, notebook_json

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def lint(root: Path, files: dict[str, str], select: list[str]) -> list:
    """Lint a project made of *files* (text dedented) with only *select* enabled."""
    return lint_tree(root, {name: textwrap.dedent(text).lstrip("\n") for name, text in files.items()}, select=select)


def located(findings) -> list[tuple[str, str, int]]:
    return [(f.code, f.path, f.line) for f in findings]


# ------------------------------------------------------------ pytest settings


def settings_for(tmp_path: Path, files: dict[str, str]) -> PytestSettings:
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return read_pytest_settings(files, lambda name: (tmp_path / name).read_text(encoding="utf-8"))


def test_settings_default_to_pytest_defaults(tmp_path):
    settings = settings_for(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n"})
    assert settings == PytestSettings()
    assert settings.python_files == ("test_*.py", "*_test.py")


def test_settings_from_pyproject_ini_options(tmp_path):
    settings = settings_for(tmp_path, {"pyproject.toml": """
        [tool.pytest.ini_options]
        testpaths = ["tests", "integration"]
        python_files = "check_*.py"
        python_functions = ["check", "test"]
    """})
    assert settings.testpaths == ("tests", "integration")
    assert settings.python_files == ("check_*.py",)
    assert settings.python_functions == ("check", "test")
    assert settings.source == "pyproject.toml"


def test_pytest_ini_wins_over_pyproject(tmp_path):
    settings = settings_for(tmp_path, {
        "pytest.ini": "[pytest]\npython_files = spec_*.py\n",
        "pyproject.toml": "[tool.pytest.ini_options]\npython_files = ['other_*.py']\n",
    })
    assert settings.python_files == ("spec_*.py",)
    assert settings.source == "pytest.ini"


@pytest.mark.parametrize(("name", "section"), [("setup.cfg", "tool:pytest"), ("tox.ini", "pytest")])
def test_settings_from_ini_files(tmp_path, name, section):
    settings = settings_for(tmp_path, {name: f"[{section}]\ntestpaths =\n    tests\n    more\n"})
    assert settings.testpaths == ("tests", "more")


def test_ini_file_without_pytest_section_is_skipped(tmp_path):
    settings = settings_for(tmp_path, {"tox.ini": "[tox]\nenvlist = py311\n", "setup.cfg": "[tool:pytest]\npython_files = t_*.py\n"})
    assert settings.python_files == ("t_*.py",)


def test_malformed_config_files_fall_back_to_defaults(tmp_path):
    settings = settings_for(tmp_path, {"pyproject.toml": "[tool.pytest.ini_options\n", "setup.cfg": "no section header\n"})
    assert settings == PytestSettings()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_model.py", True),
        ("model_test.py", True),
        ("tests/conftest.py", False),
        ("tests/helpers.py", False),
        ("tests/testing_utils.py", False),
        (".hidden/test_x.py", False),
        ("build/test_x.py", False),
        ("tests/test_data.ipynb", False),
    ],
)
def test_pytest_file_patterns(path, expected):
    assert is_pytest_file(path, PytestSettings()) is expected


def test_testpaths_restrict_collection():
    settings = PytestSettings(testpaths=("tests",))
    assert is_pytest_file("tests/unit/test_a.py", settings, settings.testpaths)
    assert not is_pytest_file("scripts/test_gpu.py", settings, settings.testpaths)


def test_testpaths_that_match_nothing_are_ignored():
    settings = PytestSettings(testpaths=("missing", "tests"))
    assert effective_testpaths(settings, ["tests/test_a.py", "src/a.py"]) == ("tests",)
    assert effective_testpaths(PytestSettings(testpaths=("missing",)), ["tests/test_a.py"]) == ()


def test_python_files_pattern_with_a_folder():
    settings = PytestSettings(python_files=("tests/*.py",))
    assert is_pytest_file("pkg/tests/anything.py", settings)
    assert not is_pytest_file("pkg/anything.py", settings)


def test_prefix_or_glob_matching():
    assert matches_prefix_or_glob("test_fit", ("test",))
    assert matches_prefix_or_glob("check_fit", ("*_fit",))
    assert not matches_prefix_or_glob("fit_test", ("test",))


def test_unittest_discovery_pattern():
    assert is_unittest_file("app/tests.py")
    assert not is_unittest_file("app/model_tests.py")


# ------------------------------------------------------------------ ML401


def test_ml401_project_without_tests(tmp_path):
    findings = lint(tmp_path, {"train.py": "import pandas as pd\ndf = pd.read_csv('d.csv')\n"}, ["ML401"])
    assert located(findings) == [("ML401", ".", 0)]


def test_ml401_applies_to_projects_without_ml_code(tmp_path):
    assert codes(lint(tmp_path, {"app.py": "print('hi')\n"}, ["ML401"])) == ["ML401"]


def test_ml401_silent_with_a_pytest_test(tmp_path):
    files = {"train.py": "def fit():\n    return 1\n", "tests/test_train.py": "def test_fit():\n    assert True\n"}
    assert lint(tmp_path, files, ["ML401"]) == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("model_test.py", "def test_fit():\n    assert 1\n"),
        ("tests/test_model.py", "class TestModel:\n    def test_fit(self):\n        assert 1\n"),
        ("app/tests.py", "import unittest\n\nclass Model(unittest.TestCase):\n    def test_fit(self):\n        self.assertTrue(1)\n"),
    ],
)
def test_ml401_silent_for_every_test_style(tmp_path, name, text):
    assert lint(tmp_path, {"app/__init__.py": "", name: text}, ["ML401"]) == []


def test_ml401_test_file_without_test_functions(tmp_path):
    files = {"app.py": "x = 1\n", "tests/test_app.py": "def helper():\n    return 1\n"}
    assert codes(lint(tmp_path, files, ["ML401"])) == ["ML401"]


def test_ml401_follows_custom_python_files(tmp_path):
    files = {
        "pytest.ini": "[pytest]\npython_files = check_*.py\n",
        "app.py": "x = 1\n",
        "tests/test_app.py": "def test_x():\n    assert 1\n",
    }
    findings = lint(tmp_path, files, ["ML401"])
    assert codes(findings) == ["ML401"]
    assert "pytest.ini" in findings[0].message
    (tmp_path / "tests/check_app.py").write_text("def test_x():\n    assert 1\n")
    assert lint_tree(tmp_path, select=["ML401"]) == []


def test_ml401_silent_without_python_files(tmp_path):
    assert lint(tmp_path, {"README.md": "# notes\n"}, ["ML401"]) == []


# ------------------------------------------------------------------ ML402


ML_PACKAGE = {
    "src/churn/__init__.py": "",
    "src/churn/utils.py": "def slug(text):\n    return text.lower()\n",
    "src/churn/model.py": """
        import torch


        class Net(torch.nn.Module):
            def forward(self, x):
                return x * 2
    """,
    "src/churn/features.py": "import pandas as pd\n\ndef clean(df):\n    return df.dropna()\n",
}


def test_ml402_tests_never_import_ml_code(tmp_path):
    files = {**ML_PACKAGE, "tests/test_utils.py": "from churn.utils import slug\n\ndef test_slug():\n    assert slug('A') == 'a'\n"}
    findings = lint(tmp_path, files, ["ML402"])
    assert located(findings) == [("ML402", "src/churn/model.py", 0)]
    assert "1 other modules" in findings[0].message


def test_ml402_silent_when_a_test_imports_ml_code(tmp_path):
    files = {**ML_PACKAGE, "tests/test_model.py": "from churn.model import Net\n\ndef test_net():\n    assert Net()\n"}
    assert lint(tmp_path, files, ["ML402"]) == []


def test_ml402_follows_imports_through_project_modules(tmp_path):
    files = {
        **ML_PACKAGE,
        "src/churn/api.py": "from churn.features import clean\n\ndef handle(df):\n    return clean(df)\n",
        "tests/test_api.py": "from churn import api\n\ndef test_handle():\n    assert api.handle\n",
    }
    assert lint(tmp_path, files, ["ML402"]) == []


def test_ml402_script_run_by_a_test_counts(tmp_path):
    files = {
        "train.py": "import sklearn\n",
        "tests/test_cli.py": "import subprocess\n\ndef test_runs():\n    assert subprocess.run(['python', 'train.py']).returncode == 0\n",
    }
    assert lint(tmp_path, files, ["ML402"]) == []


def test_ml402_silent_without_tests(tmp_path):
    assert lint(tmp_path, dict(ML_PACKAGE), ["ML402"]) == []


SCRIPT_NAMED_TEST = "import torch\nfrom churn.model import Net\n\nprint(Net()(torch.ones(1)))\n"
"""An evaluation script named like a test, without a test function (common in ML repositories)."""


@pytest.mark.parametrize("script", ["test.py", "test_inference.py", "scripts/test_gpu.py"])
def test_ml402_script_named_test_is_not_a_test(tmp_path, script):
    # It does not count as testing the model it imports...
    files = {**ML_PACKAGE, script: SCRIPT_NAMED_TEST,
             "tests/test_utils.py": "from churn.utils import slug\n\ndef test_slug():\n    assert slug('A') == 'a'\n"}
    assert codes(lint(tmp_path, files, ["ML402"])) == ["ML402"]
    # ...and alone it does not make the project one with tests: ML401 reports, ML402 stays silent.
    (tmp_path / "tests/test_utils.py").unlink()
    assert codes(lint_tree(tmp_path, select=["ML401", "ML402"])) == ["ML401"]


@pytest.mark.parametrize(
    "test_file",
    [
        "def helper():\n    return 1\n",  # a test module without tests
        "import pytest\n\n@pytest.fixture\ndef frame():\n    return [1]\n",  # fixtures only
    ],
)
def test_ml402_never_reported_with_ml401(tmp_path, test_file):
    files = {**ML_PACKAGE, "tests/test_utils.py": test_file}
    assert codes(lint(tmp_path, files, ["ML401", "ML402"])) == ["ML401"]


def test_ml402_is_info_and_off_by_default(tmp_path):
    files = {**ML_PACKAGE, "tests/test_utils.py": "from churn.utils import slug\n\ndef test_slug():\n    assert slug('A')\n"}
    assert codes(lint(tmp_path, files, ["ML4"])).count("ML402") == 1
    assert "ML402" not in codes(lint_as_configured(tmp_path))


# ------------------------------------------------------------------ ML403


def ml403(tmp_path: Path, test_source: str, extra: dict[str, str] | None = None, name: str = "tests/test_model.py") -> list:
    return lint(tmp_path, {name: test_source, **(extra or {})}, ["ML403"])


def test_ml403_test_that_only_calls_the_function(tmp_path):
    findings = ml403(tmp_path, """
        from model import train


        def test_train():
            train(epochs=1)
    """)
    assert located(findings) == [("ML403", "tests/test_model.py", 4)]
    assert "`test_train`" in findings[0].message


def test_ml403_assert_statement(tmp_path):
    assert ml403(tmp_path, "def test_train():\n    assert 1 + 1 == 2\n") == []


@pytest.mark.parametrize(
    "body",
    [
        "import pytest\n\ndef test_bad():\n    with pytest.raises(ValueError):\n        int('x')\n",
        "from pytest import raises\n\ndef test_bad():\n    with raises(ValueError):\n        int('x')\n",
        "import pytest\n\ndef test_bad():\n    pytest.raises(ValueError, int, 'x')\n",
        "import pytest, warnings\n\ndef test_warn():\n    with pytest.warns(UserWarning):\n        warnings.warn('x')\n",
        "import pytest\n\ndef test_close():\n    pytest.approx(0.3)\n",
        "import pytest\n\ndef test_fail():\n    if 1 > 2:\n        pytest.fail('broken')\n",
        "def test_raise():\n    if 1 > 2:\n        raise AssertionError('broken')\n",
        "import numpy as np\n\ndef test_np():\n    np.testing.assert_allclose([1.0], [1.0])\n",
        "from numpy.testing import assert_array_equal as same\n\ndef test_np():\n    same([1], [1])\n",
        "import pandas as pd\n\ndef test_pd():\n    pd.testing.assert_frame_equal(pd.DataFrame(), pd.DataFrame())\n",
        "import torch\n\ndef test_torch():\n    torch.testing.assert_close(torch.ones(1), torch.ones(1))\n",
        "from unittest import mock\n\ndef test_mock():\n    m = mock.Mock()\n    m()\n    m.assert_called_once()\n",
        "def test_snapshot(snapshot):\n    assert {'a': 1} == snapshot\n",
        "def test_regression(data_regression):\n    data_regression.check({'a': 1})\n",
        "from pytest_check import check\n\ndef test_soft():\n    check.equal(1, 1)\n",
        # warnings made errors: the test checks the code warns of nothing
        "import warnings\n\ndef test_quiet():\n    with warnings.catch_warnings():\n"
        "        warnings.simplefilter('error')\n        run()\n",
        "from warnings import filterwarnings\n\ndef test_quiet():\n    filterwarnings(action='error', category=UserWarning)\n    run()\n",
        "import pytest\n\n@pytest.mark.filterwarnings('error::UserWarning')\ndef test_quiet():\n    run()\n",
        # an exception expected by a mark: pytest.raises written as a decorator (composer)
        "import pytest\n\n@pytest.mark.xfail(raises=ValueError)\ndef test_wrong_type():\n    one_hot(t.float())\n",
    ],
)
def test_ml403_recognised_assertions(tmp_path, body):
    assert ml403(tmp_path, body) == []


def test_ml403_unittest_methods(tmp_path):
    findings = ml403(tmp_path, """
        import unittest


        class ModelTest(unittest.TestCase):
            def setUp(self):
                self.x = 1

            def test_checked(self):
                self.assertEqual(self.x, 1)

            def test_failed_explicitly(self):
                if self.x != 1:
                    self.fail("x")

            def test_unchecked(self):
                print(self.x)
    """)
    assert located(findings) == [("ML403", "tests/test_model.py", 15)]


def test_ml403_numpy_comparison_without_assert_fires(tmp_path):
    findings = ml403(tmp_path, "import numpy as np\n\ndef test_close():\n    np.allclose([1.0], [1.0])\n")
    assert codes(findings) == ["ML403"]


def test_ml403_look_alikes_do_not_count(tmp_path):
    findings = ml403(tmp_path, '''
        def raises(kind):
            return kind


        def test_docstring():
            """assert the output is right"""
            # assert output
            raises(ValueError)
    ''')
    assert located(findings) == [("ML403", "tests/test_model.py", 5)]


def test_ml403_names_a_comparison_left_without_assert(tmp_path):
    findings = ml403(tmp_path, """
        import torch


        def test_attention_shape():
            out = attention(torch.rand(8, 6, 16))
            if out is not None:
                out.shape == torch.Size([8, 6, 16])


        def test_runs():
            attention(torch.rand(8, 6, 16))
    """)
    assert located(findings) == [("ML403", "tests/test_model.py", 4), ("ML403", "tests/test_model.py", 10)]
    assert "the comparison on line 7 is computed and thrown away: write `assert` before it" in findings[0].message
    assert "comparison" not in findings[1].message


def test_ml403_marks_that_check_nothing(tmp_path):
    findings = ml403(tmp_path, """
        import warnings

        import pytest


        def test_silenced():
            warnings.simplefilter("ignore")
            run()


        @pytest.mark.filterwarnings("ignore::UserWarning")
        def test_ignored():
            run()


        @pytest.mark.xfail(reason="flaky on CPU")
        def test_expected_to_fail():
            run()
    """)
    assert [f.line for f in findings] == [6, 12, 17]


@pytest.mark.parametrize(
    ("body", "reported"),
    [
        ("pass", False),
        ("...", False),
        ('"""Not applicable: the model has no gradient."""', False),
        ('"""Not applicable."""\n        pass  # inference only', False),
        ("load_model()", True),
    ],
)
def test_ml403_placeholders_claim_nothing(tmp_path, body, reported):
    # An empty test (often a class opting out of a test it inherits) runs no code
    # whose result could go unchecked.
    source = f"class TestNet(NetTests):\n    def test_jit(self, device):\n        {body}\n"
    assert bool(ml403(tmp_path, source)) is reported


def test_ml403_helper_in_the_module(tmp_path):
    # Tests come first: helpers defined further down still count.
    findings = ml403(tmp_path, """
        def test_helper_two_levels_down():
            run(2)


        def test_direct_helper():
            check_output(2)


        def test_helper_that_does_not_assert():
            log(2)


        def run(y):
            check_output(y)


        def check_output(y):
            assert y == 2


        def log(y):
            print(y)
    """)
    assert located(findings) == [("ML403", "tests/test_model.py", 9)]


def test_ml403_helper_method_and_inherited_local_base(tmp_path):
    findings = ml403(tmp_path, """
        class Base:
            def check(self, y):
                assert y


        class TestModel(Base):
            def test_uses_inherited_helper(self):
                self.check(1)

            def test_uses_local_method(self):
                self.verify_shape()

            def verify_shape(self):
                assert True
    """)
    assert findings == []


def test_ml403_helper_from_conftest_fixture(tmp_path):
    conftest = """
        import pytest


        @pytest.fixture
        def check_prediction():
            def check(model):
                assert model.predict([1]) == [1]
            return check


        @pytest.fixture
        def make_model():
            return lambda: object()
    """
    findings = ml403(tmp_path, """
        def test_checked(check_prediction):
            check_prediction(object())


        def test_unchecked(make_model):
            make_model()
    """, extra={"tests/conftest.py": conftest})
    assert located(findings) == [("ML403", "tests/test_model.py", 5)]


def test_ml403_helper_imported_from_a_project_module(tmp_path):
    helpers = "import numpy as np\n\ndef assert_close(a, b):\n    np.testing.assert_allclose(a, b)\n\ndef compare(a, b):\n    assert a == b\n\ndef make():\n    return 1\n"
    findings = ml403(tmp_path, """
        from tests.helpers import compare, make
        from tests import helpers


        def test_compare():
            compare(make(), 1)


        def test_module_attribute():
            helpers.compare(1, 1)


        def test_make_only():
            make()
    """, extra={"tests/__init__.py": "", "tests/helpers.py": helpers})
    assert located(findings) == [("ML403", "tests/test_model.py", 13)]


def test_ml403_method_inherited_from_project_base(tmp_path):
    base = "class ModelTesterMixin:\n    def run_common(self):\n        assert self.model is not None\n\n    def build(self):\n        return 1\n"
    findings = ml403(tmp_path, """
        from tests.common import ModelTesterMixin


        class TestBert(ModelTesterMixin):
            def test_common(self):
                self.run_common()

            def test_build_only(self):
                self.build()
    """, extra={"tests/__init__.py": "", "tests/common.py": base})
    assert located(findings) == [("ML403", "tests/test_model.py", 8)]


def test_ml403_unknown_library_base_gets_the_benefit_of_the_doubt(tmp_path):
    findings = ml403(tmp_path, """
        import unittest
        from somelib.testing import ModelTester


        class TestModel(ModelTester):
            def test_uses_library_helper(self):
                self.run_model_tests()


        class TestPlain(unittest.TestCase):
            def test_no_helper(self):
                self.setUp()
    """)
    assert located(findings) == [("ML403", "tests/test_model.py", 11)]


def test_ml403_library_checking_helpers(tmp_path):
    findings = ml403(tmp_path, """
        from sklearn.utils.estimator_checks import check_estimator
        from torch.autograd import gradcheck


        def test_estimator():
            check_estimator(object())


        def test_gradients():
            gradcheck(abs, (1.0,))


        def test_checkpoint():
            save_checkpoint()
    """)
    assert located(findings) == [("ML403", "tests/test_model.py", 13)]


def test_ml403_a_call_asking_its_callee_to_check_is_a_check(tmp_path):
    findings = ml403(tmp_path, """
        import subprocess

        from mypkg.export import convert_to_torchscript


        def test_cli_runs():
            subprocess.run(["mypkg", "--help"], check=True)


        def test_scripting():
            convert_to_torchscript(object(), verify=True)


        def test_not_checked():
            subprocess.run(["mypkg", "--help"], check=False)


        def test_checked_later():
            convert_to_torchscript(object(), verify=VERIFY)
    """)
    assert located(findings) == [("ML403", "tests/test_model.py", 14), ("ML403", "tests/test_model.py", 18)]


def test_ml403_a_function_returning_a_value_is_a_helper_not_a_test(tmp_path):
    findings = ml403(tmp_path, """
        import json


        def testing_data_config(*keys):
            with open("config.json") as handle:
                return json.load(handle)


        def test_loads():
            json.loads("{}")


        def test_returns_nothing():
            if json:
                return
            json.loads("{}")


        def test_returns_none():
            json.loads("{}")
            return None
    """)
    assert located(findings) == [
        ("ML403", "tests/test_model.py", 9), ("ML403", "tests/test_model.py", 13), ("ML403", "tests/test_model.py", 19),
    ]


def test_ml403_hypothesis_tests(tmp_path):
    findings = ml403(tmp_path, """
        from hypothesis import given, strategies as st


        @given(st.integers())
        def test_property_checked(n):
            assert n + 0 == n


        @given(st.integers())
        def test_property_unchecked(n):
            str(n)
    """)
    assert located(findings) == [("ML403", "tests/test_model.py", 10)]


@pytest.mark.parametrize(
    "source",
    [
        "import pytest\n\n@pytest.mark.skip(reason='slow')\ndef test_x():\n    run()\n",
        "import pytest\n\n@pytest.mark.skip\ndef test_x():\n    run()\n",
        "from pytest import mark\n\n@mark.xfail(run=False)\ndef test_x():\n    run()\n",
        "import unittest\n\nclass T(unittest.TestCase):\n    @unittest.skip('broken')\n    def test_x(self):\n        run()\n",
        "from unittest import TestCase, skip\n\nclass T(TestCase):\n    @skip('broken')\n    def test_x(self):\n        run()\n",
        "import pytest\n\n@pytest.mark.skip(reason='wip')\nclass TestModel:\n    def test_x(self):\n        run()\n",
        "import pytest\n\nclass TestModel:\n    pytestmark = pytest.mark.skip\n\n    def test_x(self):\n        run()\n",
        "import unittest\n\n@unittest.skip('wip')\nclass Base(unittest.TestCase):\n    pass\n\nclass T(Base):\n    def test_x(self):\n        run()\n",
        'import pytest\n\ndef test_x():\n    """Not supported."""\n    pytest.skip("not supported")\n',
        "import pytest\n\ndef test_x():\n    pytest.xfail('half precision is not supported on cpu')\n",
        "import pytest\n\ndef test_x(fast):\n    if fast:\n        pytest.xfail('not differentiable')\n    else:\n        pytest.xfail('too slow')\n",
        "import unittest\n\nclass T(unittest.TestCase):\n    def test_x(self):\n        self.skipTest('needs a GPU')\n        run()\n",
        "import unittest\n\ndef test_x():\n    raise unittest.SkipTest('needs a GPU')\n",
        "import pytest\n\npytestmark = pytest.mark.skip(reason='flaky')\n\ndef test_x():\n    run()\n",
        "import pytest\n\npytestmark = [pytest.mark.gpu, pytest.mark.skip]\n\ndef test_x():\n    run()\n",
        "import pytest\n\npytest.skip('old API', allow_module_level=True)\n\ndef test_x():\n    run()\n",
        "import pytest\n\nwip = pytest.mark.skip(reason='wip')\n\n@wip\ndef test_x():\n    run()\n",
    ],
)
def test_ml403_unconditionally_skipped_tests_are_not_judged(tmp_path, source):
    assert ml403(tmp_path, source) == []


@pytest.mark.parametrize(
    "source",
    [
        "import pytest, sys\n\n@pytest.mark.skipif(sys.platform == 'win32', reason='posix')\ndef test_x():\n    run()\n",
        "import pytest\n\n@pytest.mark.xfail\nasync def test_x():\n    await run()\n",
        "import pytest\n\ndef test_x(gpu):\n    if not gpu:\n        pytest.skip('needs a GPU')\n    run()\n",
        "import pytest\n\ndef test_x():\n    torch = pytest.importorskip('torch')\n    torch.ones(1)\n",
        "import pytest\n\ndef test_x():\n    try:\n        import torch\n    except ImportError:\n        pytest.skip('no torch')\n    torch.ones(1)\n",
        "import pytest, sys\n\npytestmark = pytest.mark.skipif(sys.platform == 'win32', reason='posix')\n\ndef test_x():\n    run()\n",
        "import pytest\n\n@pytest.mark.skip_on_ci\ndef test_x():\n    run()\n",
    ],
)
def test_ml403_conditionally_skipped_and_xfail_tests_are_judged(tmp_path, source):
    assert codes(ml403(tmp_path, source)) == ["ML403"]


def test_ml403_only_in_test_files(tmp_path):
    files = {
        "src/pkg/util.py": "def test_connection():\n    connect()\n",
        "tests/helpers.py": "def test_like_helper():\n    connect()\n",
        "tests/conftest.py": "def test_setup():\n    connect()\n",
    }
    assert lint(tmp_path, files, ["ML403"]) == []


def test_ml403_follows_testpaths(tmp_path):
    files = {
        "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
        "scripts/test_gpu.py": "def test_gpu():\n    print('manual check')\n",
        "tests/test_a.py": "def test_a():\n    print('a')\n",
    }
    assert located(lint(tmp_path, files, ["ML403"])) == [("ML403", "tests/test_a.py", 1)]


def test_ml403_skips_what_pytest_does_not_collect(tmp_path):
    findings = ml403(tmp_path, """
        import pytest


        class TestHelper:
            def __init__(self):
                self.x = 1

            def test_not_collected(self):
                print(self.x)


        @pytest.fixture
        def test_data():
            return [1]


        def test_benchmark(benchmark):
            benchmark(sorted, [3, 1])
    """)
    assert findings == []


def test_ml403_suppression_comment(tmp_path):
    assert ml403(tmp_path, "def test_smoke():  # mllint: ignore[ML403]\n    run()\n") == []


def test_ml403_unittest_file_outside_pytest_patterns(tmp_path):
    files = {
        "app/tests.py": "import unittest\n\nclass Views(unittest.TestCase):\n    def test_index(self):\n        self.client.get('/')\n\n    def helper(self):\n        pass\n",
        "app/testing.py": "def test_x():\n    run()\n",
    }
    assert located(lint(tmp_path, files, ["ML403"])) == [("ML403", "app/tests.py", 4)]


def test_ml403_syntax_error_in_conftest_does_not_crash(tmp_path):
    findings = ml403(tmp_path, "def test_x(helper):\n    helper()\n", extra={"tests/conftest.py": "def broken(:\n"})
    assert "ML000" not in codes(findings)


# ------------------------------------------------------------------ ML404


TEST_WORKFLOWS = {
    "github": (".github/workflows/ci.yml", "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {cmd}\n"),
    "gitlab": (".gitlab-ci.yml", "test:\n  script:\n    - {cmd}\n"),
    "azure": ("azure-pipelines.yml", "steps:\n  - script: {cmd}\n"),
    "circleci": (".circleci/config.yml", "version: 2.1\njobs:\n  test:\n    steps:\n      - run: {cmd}\n"),
    "bitbucket": ("bitbucket-pipelines.yml", "pipelines:\n  default:\n    - step:\n        script:\n          - {cmd}\n"),
    "travis": (".travis.yml", "language: python\nscript:\n  - {cmd}\n"),
    "jenkins": ("Jenkinsfile", "pipeline {{\n  stages {{\n    stage('t') {{\n      steps {{ sh '{cmd}' }}\n    }}\n  }}\n}}\n"),
}


#: A project with one test, so that CI has something to run.
A_TEST = {"tests/test_app.py": "def test_app():\n    assert True\n"}


def ci_project(system: str, command: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    path, template = TEST_WORKFLOWS[system]
    return {"app.py": "x = 1\n", **A_TEST, path: template.format(cmd=command), **(extra or {})}


@pytest.mark.parametrize("system", sorted(TEST_WORKFLOWS))
def test_ml404_ci_that_runs_tests(tmp_path, system):
    assert lint(tmp_path, ci_project(system, "python -m pytest -q"), ["ML404"]) == []


@pytest.mark.parametrize("system", sorted(TEST_WORKFLOWS))
def test_ml404_ci_that_only_builds(tmp_path, system):
    findings = lint(tmp_path, ci_project(system, "python -m build"), ["ML404"])
    assert located(findings) == [("ML404", TEST_WORKFLOWS[system][0], 0)]
    assert findings[0].message.startswith("this CI configuration does not run the tests")


def test_ml404_ci_without_tests_to_run_is_left_to_ml401(tmp_path):
    files = {**ci_project("github", "python -m build"), "tests/test_app.py": "x = 1\n"}
    assert codes(lint(tmp_path, files, ["ML401", "ML404"])) == ["ML401"]


def test_ml404_names_every_configuration_none_of_which_runs_the_tests(tmp_path):
    files = {**ci_project("github", "python -m build"), ".gitlab-ci.yml": "build:\n  script:\n    - python -m build\n"}
    [finding] = lint(tmp_path, files, ["ML404"])
    assert "none of the 2 CI configurations" in finding.message and "runs the tests" in finding.message


def test_ml404_no_ci_at_all(tmp_path):
    findings = lint(tmp_path, {"app.py": "x = 1\n"}, ["ML404"])
    assert located(findings) == [("ML404", ".", 0)]
    assert "no CI configuration" in findings[0].message


@pytest.mark.parametrize(
    ("command", "extra", "runs"),
    [
        ("make test", {"Makefile": "test: install\n\tpytest tests\n\ninstall:\n\tpip install -e .\n"}, True),
        ("make test", {"Makefile": "test: build\n\nbuild:\n\tpython -m build\n"}, False),
        ("tox -e py311", {"tox.ini": "[testenv]\ncommands = pytest {posargs}\n"}, True),
        ("tox -e lint", {"tox.ini": "[testenv:lint]\ncommands = flake8 src\n"}, False),
        ("nox -s tests", {"noxfile.py": "import nox\n\n@nox.session\ndef tests(session):\n    session.run('pytest')\n"}, True),
        ("hatch test", {}, True),
        ("poetry run pytest", {}, True),
        ("pre-commit run --all-files", {}, False),
        ("bash scripts/ci.sh", {"scripts/ci.sh": "set -e\npip install .\npython -m pytest tests\n"}, True),
        ("bash scripts/ci.sh", {"scripts/ci.sh": "set -e\npip install .\n"}, False),
    ],
)
def test_ml404_follows_one_level_of_indirection(tmp_path, command, extra, runs):
    findings = lint(tmp_path, ci_project("github", command, extra), ["ML404"])
    assert (findings == []) is runs


def test_ml404_reports_once_at_the_main_workflow(tmp_path):
    files = {
        "app.py": "x = 1\n",
        **A_TEST,
        ".github/workflows/docs.yml": "on: [push]\njobs:\n  d:\n    steps:\n      - run: mkdocs build\n",
        ".github/workflows/release.yml": "on: [push]\njobs:\n  r:\n    steps:\n      - run: python -m build\n",
        ".github/workflows/build.yml": "on: [push]\njobs:\n  b:\n    steps:\n      - run: pip install .\n",
    }
    findings = lint(tmp_path, files, ["ML404"])
    assert located(findings) == [("ML404", ".github/workflows/build.yml", 0)]
    assert "none of the 3 CI configurations" in findings[0].message


def test_ml404_test_workflow_it_cannot_read(tmp_path):
    workflow = "on: [push]\njobs:\n  tests:\n    uses: org/shared/.github/workflows/python-tests.yml@v1\n"
    assert lint(tmp_path, {"app.py": "x = 1\n", **A_TEST, ".github/workflows/ci.yml": workflow}, ["ML404"]) == []
    release = "on: [push]\njobs:\n  r:\n    uses: pypa/gh-action-pypi-publish/.github/workflows/publish.yml@v1\n"
    (tmp_path / ".github/workflows/ci.yml").write_text(release)
    assert codes(lint_tree(tmp_path, select=["ML404"])) == ["ML404"]


def test_ml404_invalid_yaml_is_named(tmp_path):
    findings = lint(tmp_path, {"app.py": "x = 1\n", **A_TEST, ".gitlab-ci.yml": "test: [unclosed\n"}, ["ML404"])
    assert codes(findings) == ["ML404"]
    assert "could not read" in findings[0].message


# ------------------------------------------------------------------ ML405


def test_ml405_nothing_configured(tmp_path):
    assert located(lint(tmp_path, {"app.py": "x = 1\n"}, ["ML405"])) == [("ML405", ".", 0)]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pyproject.toml", "[tool.ruff]\nline-length = 100\n"),
        ("setup.cfg", "[flake8]\nmax-line-length = 100\n"),
        (".pre-commit-config.yaml", "repos:\n  - repo: https://github.com/pre-commit/mirrors-mypy\n    rev: v1.0.0\n    hooks:\n      - id: mypy\n"),
        (".github/workflows/lint.yml", "on: [push]\njobs:\n  l:\n    steps:\n      - run: pylint src\n"),
    ],
)
def test_ml405_silent_when_a_tool_is_configured(tmp_path, name, text):
    assert lint(tmp_path, {"app.py": "x = 1\n", name: text}, ["ML405"]) == []


def test_ml405_formatter_alone_is_not_static_analysis(tmp_path):
    assert codes(lint(tmp_path, {"app.py": "x = 1\n", "pyproject.toml": "[tool.black]\nline-length = 100\n"}, ["ML405"])) == ["ML405"]


# ------------------------------------------------------------------ ML406


def nb(*cells: str) -> str:
    return notebook_json(list(cells))


def test_ml406_pipeline_only_in_notebooks(tmp_path):
    files = {
        "explore.ipynb": nb("import pandas as pd\n", "df = pd.read_csv('d.csv')\n"),
        "train.ipynb": nb("import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n", "model = LogisticRegression()\n" * 20),
    }
    findings = lint_tree(tmp_path, files, select=["ML406"])
    assert located(findings) == [("ML406", "train.ipynb", 0)]
    assert "2 notebooks" in findings[0].message


def test_ml406_silent_when_notebooks_import_a_project_module(tmp_path):
    files = {
        "src/churn/__init__.py": "",
        "src/churn/paths.py": "DATA = 'data/churn.csv'\n",
        "train.ipynb": nb("import pandas as pd\nfrom churn.paths import DATA\n", "df = pd.read_csv(DATA)\n"),
    }
    assert lint_tree(tmp_path, files, select=["ML406"]) == []


def test_ml406_silent_when_ml_code_lives_in_modules(tmp_path):
    files = {"train.py": "import sklearn\n", "explore.ipynb": nb("import pandas as pd\n")}
    assert lint_tree(tmp_path, files, select=["ML406"]) == []


def test_ml406_script_named_test_is_ml_code_in_a_module(tmp_path):
    files = {"test.py": "import torch\n\nprint(torch.load('model.pt'))\n", "explore.ipynb": nb("import pandas as pd\n")}
    assert lint_tree(tmp_path, files, select=["ML406"]) == []


def test_ml406_ml_code_only_in_tests_does_not_count(tmp_path):
    files = {"tests/test_nb.py": "import pandas\n\ndef test_x():\n    assert pandas\n", "explore.ipynb": nb("import pandas as pd\n")}
    assert codes(lint_tree(tmp_path, files, select=["ML406"])) == ["ML406"]


def test_ml406_notebooks_without_ml_code(tmp_path):
    assert lint_tree(tmp_path, {"notes.ipynb": nb("print('hello')\n")}, select=["ML406"]) == []


# ------------------------------------------------------------------ examples


def test_leaky_example_violates_the_testing_rules():
    found = set(codes(lint_tree(EXAMPLES / "churn-leaky", select=["ML4"])))
    assert {"ML403", "ML404"} <= found


def test_tidy_example_follows_the_testing_rules():
    assert [f for f in lint_tree(EXAMPLES / "churn-tidy", select=["ML4"])] == []


def test_ml403_asserting_function_passed_as_a_callback(tmp_path):
    helpers = "def check_worker(rank):\n    assert rank >= 0\n"
    findings = ml403(tmp_path, """
        import torch.multiprocessing as mp
        from tests.workers import check_worker


        def _check_rank(rank):
            assert rank < 2


        def _log_rank(rank):
            print(rank)


        def test_spawned_local_check():
            mp.spawn(_check_rank, nprocs=2)


        def test_spawned_imported_check():
            mp.spawn(check_worker, nprocs=2)


        def test_spawned_without_check():
            mp.spawn(_log_rank, nprocs=2)
    """, extra={"tests/__init__.py": "", "tests/workers.py": helpers})
    assert located(findings) == [("ML403", "tests/test_model.py", 21)]


def test_ml403_a_raise_in_the_code_under_test_is_not_a_check(tmp_path):
    train = "def train(epochs):\n    if epochs < 1:\n        raise ValueError(epochs)\n    assert epochs < 1000\n    return epochs\n"
    findings = ml403(tmp_path, """
        from churn.train import train


        def test_train():
            train(1)
    """, extra={"src/churn/__init__.py": "", "src/churn/train.py": train})
    assert located(findings) == [("ML403", "tests/test_model.py", 4)]


def test_ml403_helper_reexported_by_a_package_and_two_modules_deep(tmp_path):
    extra = {
        "tests/__init__.py": "",
        "tests/utils/__init__.py": "from .runner import run_script\n",
        "tests/utils/runner.py": "from .proc import run_strict\n\ndef run_script(cmd):\n    run_strict(cmd)\n",
        "tests/utils/proc.py": "import subprocess\n\ndef run_strict(cmd):\n    if subprocess.call(cmd):\n        raise RuntimeError(cmd)\n",
    }
    findings = ml403(tmp_path, """
        from tests.utils import run_script


        def test_script_passes():
            run_script(["python", "train.py"])
    """, extra=extra)
    assert findings == []


def test_ml403_raises_that_are_not_checks(tmp_path):
    findings = ml403(tmp_path, """
        import unittest


        def test_reraises():
            try:
                run()
            except OSError:
                raise


        def test_stub():
            raise NotImplementedError


        def test_skips():
            if no_gpu():
                raise unittest.SkipTest("needs a GPU")


        def test_fails_on_purpose():
            if run() != 1:
                raise ValueError("wrong result")
    """)
    assert [f.line for f in findings] == [4, 11, 15]  # a conditional SkipTest is no check either


# ------------------------------------------------------- ML403: delegated checks

#: Test-support modules: a base class that checks, one that only runs, and a
#: deeper base reached through a relative import.
SUPPORT = {
    "tests/__init__.py": "",
    "tests/common.py": """
        class CommonChecks:
            def compare_outputs(self, got, expected):
                assert got == expected

            def run_precision(self, got):
                self.compare_outputs(got, got)
    """,
    "tests/base.py": """
        from .common import CommonChecks


        class MetricTester(CommonChecks):
            def run_precision(self, got):
                super().run_precision(got)

            def test_output(self, expected):
                self.compare_outputs(expected, expected)

            def only_runs(self, model):
                model.fit()
    """,
}


@pytest.mark.parametrize(
    ("body", "reported"),
    [
        # super().method() reaching an asserting method of a base in another module
        ("class TestMetric(MetricTester):\n    def test_output(self):\n        super().test_output(1)\n", False),
        ("class TestMetric(MetricTester):\n    def test_output(self):\n        super().only_runs(1)\n", True),
        # self.method() inherited through two modules (tests/base.py -> tests/common.py)
        ("class TestMetric(MetricTester):\n    def test_precision(self):\n        self.run_precision(1)\n", False),
        ("class TestMetric(MetricTester):\n    def test_fit(self):\n        self.only_runs(1)\n", True),
        # a bound method handed to a runner
        (("import functools\n\nclass TestMetric(MetricTester):\n    def test_x(self):\n"
         "        run_in_pool(functools.partial(self.compare_outputs, 1, 1))\n"), False),
        ("class TestMetric(MetricTester):\n    def test_x(self):\n        run_nondeterministic(super().test_output)\n", False),
        ("class TestMetric(MetricTester):\n    def test_x(self):\n        run_nondeterministic(super().only_runs)\n", True),
        (("class TestMetric(MetricTester):\n    def test_x(self):\n        self._run(self.compare_outputs)\n\n"
         "    def _run(self, fn):\n        fn(1, 1)\n"), False),
    ],
)
def test_ml403_checks_delegated_through_the_class_hierarchy(tmp_path, body, reported):
    source = "from tests.base import MetricTester\n\n\n" + body
    findings = lint(tmp_path, {**SUPPORT, "tests/test_metric.py": source}, ["ML403"])
    assert (codes(findings) == ["ML403"]) is reported


def test_ml403_local_helper_calling_its_argument_is_not_a_fixture_call(tmp_path):
    findings = ml403(tmp_path, """
        def _timed(fn):
            fn()


        def test_fit_is_fast(model):
            _timed(lambda: model.fit())
    """)
    assert codes(findings) == ["ML403"]


def test_ml403_local_helper_that_calls_an_imported_checking_helper(tmp_path):
    findings = ml403(tmp_path, """
        from tests.helpers import compare


        def _run(x):
            compare(x, x)


        def test_through_local_helper():
            _run(1)
    """, extra={"tests/__init__.py": "", "tests/helpers.py": "def compare(a, b):\n    assert a == b\n"})
    assert findings == []


@pytest.mark.parametrize(
    ("base_module", "lines"),
    [
        # A helper model of the tests inherits from torch, whose methods check nothing.
        ("import torch\n\nclass TinyNet(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n", [5, 9]),
        # An unseen base from an unknown test library may check: the benefit of the doubt
        # (but constructing an object is no check).
        ("from somelib.testing import ModelTester\n\nclass TinyNet(ModelTester):\n    pass\n", [9]),
    ],
)
def test_ml403_bases_mllint_cannot_see(tmp_path, base_module, lines):
    source = """
        from tests.models import TinyNet


        class TestNet(TinyNet):
            def test_forward(self):
                self.run_forward_tests()


        def test_builds():
            TinyNet()
    """
    findings = ml403(tmp_path, source, extra={"tests/__init__.py": "", "tests/models.py": base_module})
    assert [f.line for f in findings] == lines


def test_ml403_method_of_the_code_under_test_is_not_a_check(tmp_path):
    trainer = "class Trainer:\n    def fit(self):\n        assert self.model is not None\n"
    findings = ml403(tmp_path, """
        from churn.trainer import Trainer


        class TestTrainer(Trainer):
            def test_fit(self):
                self.fit()
    """, extra={"src/churn/__init__.py": "", "src/churn/trainer.py": trainer})
    assert codes(findings) == ["ML403"]


@pytest.mark.parametrize(
    ("source", "reported"),
    [
        # parametrised callables that assert, run by a pool
        (("import pytest\n\ndef _check_sum(rank):\n    assert rank >= 0\n\n"
         "@pytest.mark.parametrize('process', [_check_sum])\ndef test_ddp(process, pool):\n    pool.map(process, range(2))\n"), False),
        (("import pytest\n\ndef _log(rank):\n    print(rank)\n\n"
         "@pytest.mark.parametrize('process', [_log])\ndef test_ddp(process, pool):\n    pool.map(process, range(2))\n"), True),
        # the expected outcome as a parameter
        (("import contextlib, pytest\n\n@pytest.mark.parametrize('raises', [contextlib.nullcontext(), pytest.raises(TypeError)])\n"
         "def test_split(raises):\n    with raises:\n        run()\n"), False),
        (("import contextlib, pytest\n\n@pytest.mark.parametrize('raises', [contextlib.nullcontext()])\n"
         "def test_split(raises):\n    with raises:\n        run()\n"), True),
        # an assertion function passed on rather than called
        (("import functools, pytest\n\ndef test_normalize(normalize):\n"
         "    context = functools.partial(pytest.raises, ValueError) if not normalize else contextlib.nullcontext\n"
         "    with context():\n        run()\n"), False),
        ("import numpy as np\n\ndef test_all_close(pairs):\n    list(map(np.testing.assert_allclose, pairs, pairs))\n", False),
        ("def test_value_named_like_an_assertion():\n    assert_ok = run()\n    print(assert_ok)\n", True),
    ],
)
def test_ml403_checks_passed_on_as_values(tmp_path, source, reported):
    assert (codes(ml403(tmp_path, source)) == ["ML403"]) is reported


@pytest.mark.parametrize(
    ("script", "reported"),
    [
        ("def _check_metrics():\n    assert 1 + 1 == 2\n\ndef main():\n    _check_metrics()\n", False),
        ("def main():\n    print('metrics computed')\n", True),
    ],
)
@pytest.mark.parametrize("set_up", [
    "from tests.scripts import check_metrics\nself.script = check_metrics",
    # The method asserts before it keeps the module: still kept (the scan for
    # assertions stops at the first one, the one for attributes does not).
    "assert torch_available\nif torch_available:\n    from tests.scripts import check_metrics\n"
    "    self.script = check_metrics",
])
def test_ml403_module_kept_on_the_instance_and_handed_to_a_launcher(tmp_path, script, reported, set_up):
    findings = ml403(tmp_path, """
        import unittest

        from pkg import launch

        torch_available = True


        class MetricTester(unittest.TestCase):
            def setUp(self):
                SET_UP

            def test_metrics(self):
                launch(self.script.main, num_processes=2)
    """.replace("SET_UP", textwrap.indent(set_up, " " * 16).lstrip()), extra={"tests/__init__.py": "", "tests/scripts/__init__.py": "",
                                         "tests/scripts/check_metrics.py": script})
    assert (codes(findings) == ["ML403"]) is reported
