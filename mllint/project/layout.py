"""What role a file plays in the repository, from its path alone.

One definition, shared by every rule and analysis, of which files are tests
(collected by a test runner, not run as training scripts or shipped as the
project's code), which are data or model artifacts, and which are test fixtures.
"""

from __future__ import annotations

import posixpath
from pathlib import PurePosixPath

TEST_FOLDERS = frozenset({"tests", "test", "testing"})


def is_test_path(path: str) -> bool:
    """A test module or test support by its path (POSIX, relative to the project
    root): ``test_*.py``, ``*_test.py``, ``conftest.py``, or anything under a
    ``tests``/``test``/``testing`` folder."""
    name = posixpath.basename(path)
    return (
        name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
        or any(part in TEST_FOLDERS for part in path.split("/")[:-1])
    )


#: Extensions of data and model-artifact files (spec ML101), lower case.
DATA_EXTENSIONS = (
    "csv", "tsv", "parquet", "feather", "arrow", "h5", "hdf5", "npy", "npz", "pkl", "pickle", "joblib",
    "pt", "pth", "ckpt", "safetensors", "onnx", "pb", "tflite", "tfrecord", "avro", "orc", "xlsx", "xls",
    "jsonl", "sqlite", "db", "zip", "tar.gz", "gz",
)
#: Folders whose files are test fixtures: they get the larger ``max-fixture-size``.
FIXTURE_FOLDERS = frozenset({"tests", "test", "testing", "testdata", "test_data", "fixtures"})


def is_data_file(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    return any(name.endswith("." + ext) for ext in DATA_EXTENSIONS)


def is_fixture(path: str) -> bool:
    return any(part.lower() in FIXTURE_FOLDERS for part in PurePosixPath(path).parts[:-1])
