"""What role a file plays in the repository, from its path.

One definition, shared by every rule and analysis, of which files are tests
(collected by a test runner, not run as training scripts or shipped as the
project's code), test support, examples, documentation, benchmarks, generated
or vendored code, notebooks, scripts and package source; and of which files are
data or model artifacts and test fixtures. Rules declare the roles they apply
to (``Rule.roles``): a finding about a training script's seeding means nothing
in a test helper or a vendored module.
"""

from __future__ import annotations

import posixpath
import re
from enum import Enum
from pathlib import PurePosixPath

TEST_FOLDERS = frozenset({"tests", "test", "testing"})
SUPPORT_FOLDERS = frozenset({"testdata", "test_data", "fixtures", "test_utils", "testutils"})
EXAMPLE_FOLDERS = frozenset({"examples", "example", "demo", "demos", "tutorials", "tutorial", "samples", "sample",
                             "recipes", "cookbook"})
DOC_FOLDERS = frozenset({"docs", "doc", "documentation", "docs_src", "doc_src"})
BENCHMARK_FOLDERS = frozenset({"benchmarks", "benchmark", "bench", "asv_bench", "perf"})
GENERATED_FOLDERS = frozenset({"vendor", "vendored", "_vendor", "third_party", "thirdparty", "external",
                               "generated", "_generated", "node_modules", "site-packages"})
GENERATED_SUFFIXES = ("_pb2.py", "_pb2_grpc.py", "_pb2.pyi")
#: Words of a notebook's name that make it a tutorial wherever it is (``tutorial.ipynb``,
#: ``Quickstart_Colab.ipynb``, ``demo-inference.ipynb``).
EXAMPLE_NOTEBOOK_WORDS = frozenset({"tutorial", "tutorials", "demo", "demos", "quickstart", "walkthrough", "example",
                                    "examples"})
#: Words of a notebook's name that make it a template students complete (``Sentiment_RNN_Exercise.ipynb``,
#: ``Part 3 - Training (Exercises).ipynb``), unless it holds the solutions.
EXERCISE_NOTEBOOK_WORDS = frozenset({"exercise", "exercises", "assignment", "assignments", "homework"})
SOLUTION_NOTEBOOK_WORDS = frozenset({"solution", "solutions", "solved", "answers"})


class Role(str, Enum):
    """What a file is for; the order of the members is the order of precedence."""

    GENERATED = "generated"  # generated or vendored: nobody edits it here
    TEST = "test"  # a module the test runner collects
    TEST_SUPPORT = "test-support"  # conftest, helpers, fixtures and their data
    DOCS = "docs"  # a copy of code in the documentation
    EXAMPLE = "example"  # examples, demos, tutorials
    BENCHMARK = "benchmark"
    NOTEBOOK = "notebook"
    SCRIPT = "script"  # run directly: outside any package, or a ``__main__`` module
    SOURCE = "source"  # package source: imported by others


#: Code the project writes and maintains (not generated or vendored).
OWN_CODE = frozenset(Role) - {Role.GENERATED}
#: The project's own code, tests and their support excepted.
NOT_TESTS = OWN_CODE - {Role.TEST, Role.TEST_SUPPORT}


def describe_roles(roles: frozenset[Role]) -> str:
    """``all files`` or the roles in precedence order, for documents and ``explain``."""
    if roles == frozenset(Role):
        return "all files"
    return ", ".join(role.value for role in Role if role in roles)


def role_of(path: str, *, in_package: bool = False) -> Role:
    """The role of a file by its path (POSIX, relative to the project root).

    *in_package* says whether the file's folder is a Python package (holds an
    ``__init__.py``), which separates package source from scripts.
    """
    folders = [part.lower() for part in path.split("/")[:-1]]
    name = posixpath.basename(path)
    if name.endswith(GENERATED_SUFFIXES) or GENERATED_FOLDERS.intersection(folders):
        return Role.GENERATED
    if _is_test_module_name(name):
        return Role.TEST
    if name == "conftest.py" or TEST_FOLDERS.intersection(folders) or SUPPORT_FOLDERS.intersection(folders):
        return Role.TEST_SUPPORT
    if DOC_FOLDERS.intersection(folders):
        return Role.DOCS
    if EXAMPLE_FOLDERS.intersection(folders) or _is_example_notebook(name):
        return Role.EXAMPLE
    if BENCHMARK_FOLDERS.intersection(folders):
        return Role.BENCHMARK
    if name.endswith(".ipynb"):
        return Role.NOTEBOOK
    if name == "__main__.py" or not in_package:
        return Role.SCRIPT
    return Role.SOURCE


def _is_example_notebook(name: str) -> bool:
    if not name.endswith(".ipynb"):
        return False
    words = re.split(r"[^a-z]+", name[:-len(".ipynb")].lower())
    return not EXAMPLE_NOTEBOOK_WORDS.isdisjoint(words)


def is_exercise_notebook(path: str) -> bool:
    """A notebook whose name says it is an exercise for students to complete, not its solutions."""
    name = posixpath.basename(path)
    if not name.endswith(".ipynb"):
        return False
    words = set(re.split(r"[^a-z]+", name[:-len(".ipynb")].lower()))
    return not EXERCISE_NOTEBOOK_WORDS.isdisjoint(words) and SOLUTION_NOTEBOOK_WORDS.isdisjoint(words)


def _is_test_module_name(name: str) -> bool:
    return name.startswith("test_") or name.endswith(("_test.py", "_test.ipynb"))


def is_test_path(path: str) -> bool:
    """A test module or test support by its path (POSIX, relative to the project
    root): ``test_*.py``, ``*_test.py``, ``conftest.py``, or anything under a
    ``tests``/``test``/``testing``/``fixtures`` folder."""
    return role_of(path) in (Role.TEST, Role.TEST_SUPPORT)


def package_folders(files: "list[str] | frozenset[str]") -> frozenset[str]:
    """Folders that hold an ``__init__.py`` (POSIX, relative; "" for the root)."""
    return frozenset(posixpath.dirname(f) for f in files if posixpath.basename(f) == "__init__.py")


#: Extensions of data and model-artifact files (spec ML101), lower case.
DATA_EXTENSIONS = (
    "csv", "tsv", "parquet", "feather", "arrow", "h5", "hdf5", "npy", "npz", "pkl", "pickle", "joblib",
    "pt", "pth", "ckpt", "safetensors", "onnx", "pb", "tflite", "tfrecord", "avro", "orc", "xlsx", "xls",
    "jsonl", "sqlite", "db", "zip", "tar.gz", "gz",
)
#: Extensions of serialised models and weights, lower case: committed, they are the
#: model itself rather than code, and get ML101's lower ``max-model-size``.
MODEL_EXTENSIONS = ("pkl", "pickle", "joblib", "pt", "pth", "ckpt", "onnx", "h5", "keras", "safetensors", "tflite", "gguf")
#: Folders whose files are data whatever their extension (``data/wikitext/train.txt``,
#: UCI's ``adult.data``): the layout of data-science projects (``data/raw``,
#: ``data/processed``, ``data/interim``).
DATA_FOLDERS = frozenset({"data", "datasets", "dataset", "raw", "raw_data", "processed", "interim", "corpus",
                          "corpora"})
#: Code, documentation and configuration that may sit in a data folder without being data.
_NOT_DATA_EXTENSIONS = frozenset({
    "py", "pyi", "pyx", "pxd", "ipynb", "md", "rst", "sh", "bat", "ps1", "r", "jl", "js", "ts", "c", "cc", "cpp", "h",
    "hpp", "cu", "toml", "cfg", "ini", "yaml", "yml", "dvc", "gitignore", "gitattributes", "gitkeep", "lock",
})
_NOT_DATA_NAMES = frozenset({"readme", "license", "licence", "makefile", "dockerfile", "notice", "copying"})
#: Folders whose files are test fixtures: they get the larger ``max-fixture-size``.
FIXTURE_FOLDERS = frozenset({"tests", "test", "testing", "testdata", "test_data", "fixtures"})


def _has_extension(name: str, extensions: tuple[str, ...]) -> bool:
    return any(name.endswith("." + ext) for ext in extensions)


def in_data_folder(path: str) -> bool:
    """Whether a file sits under a data folder (``data/``, ``datasets/``, ``raw/``, ...)."""
    return any(part.lower() in DATA_FOLDERS for part in PurePosixPath(path).parts[:-1])


def is_data_file(path: str) -> bool:
    """A data or model-artifact file: by extension, or, in a data folder, any file
    that is not code, documentation or configuration (corpora as ``.txt``, UCI's
    ``.data``, files without extension)."""
    name = PurePosixPath(path).name.lower()
    if _has_extension(name, DATA_EXTENSIONS) or is_model_artifact(path):
        return True
    stem, _, extension = name.rpartition(".")
    return (in_data_folder(path) and extension not in _NOT_DATA_EXTENSIONS
            and (stem or extension).split(".")[0] not in _NOT_DATA_NAMES)


def is_model_artifact(path: str) -> bool:
    """A serialised model or its weights, by name (``*.pt``, ``*.joblib``,
    ``model.safetensors``, ``pytorch_model.bin``), outside data folders: a
    ``data/train.pkl`` is data."""
    name = PurePosixPath(path).name.lower()
    by_name = _has_extension(name, MODEL_EXTENSIONS) or (name.endswith(".bin") and "model" in name)
    return by_name and not in_data_folder(path)


def is_fixture(path: str) -> bool:
    return any(part.lower() in FIXTURE_FOLDERS for part in PurePosixPath(path).parts[:-1])
