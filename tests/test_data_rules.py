"""ML101-ML104: data files in git, DVC remotes, machine-local paths, mutable URLs.

The git- and DVC-based rules are tested on repositories made by the real
``git`` and ``dvc`` executables, so the facts they rely on are what those tools
really write.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mllint.project.layout import is_data_file, is_model_artifact
from mllint.testkit import (
    codes,
    find_dvc,
    git,
    init_git,
    lint_as_configured,
    lint_source,
    lint_tree,
    notebook_json,
    offline_environment,
    run_dvc,
    write_files,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TRAIN = "import pandas as pd\n\ndf = pd.read_csv('data/churn.csv')\n"
MIB = 1024 * 1024


DVC = find_dvc()
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
needs_dvc = pytest.mark.skipif(DVC is None, reason="the dvc executable is not installed (pip install dvc)")


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A project folder with git and DVC kept away from the user's config and the network."""
    for name, value in offline_environment(tmp_path).items():
        monkeypatch.setenv(name, value)
    root = tmp_path / "project"
    root.mkdir()
    return root


dvc = run_dvc


def csv_bytes(size: int) -> bytes:
    row = b"customer_id,tenure,monthly_charges,churn\n"
    return (row * (size // len(row) + 1))[:size]


def commit_all(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "work")


# -- ML101 data-not-versioned -------------------------------------------------------


@needs_git
def test_committed_large_csv_is_reported(isolated: Path) -> None:
    write_files(isolated, {"train.py": TRAIN, "data/churn.csv": csv_bytes(2 * MIB)})
    init_git(isolated)

    findings = lint_tree(isolated, select=["ML101"])

    assert codes(findings) == ["ML101"]
    assert findings[0].path.endswith("data/churn.csv")
    assert "2.0 MiB" in findings[0].message and "dvc add data/churn.csv" in findings[0].message


@needs_git
def test_staged_but_uncommitted_file_counts_as_tracked(isolated: Path) -> None:
    write_files(isolated, {"train.py": TRAIN, "models/model.pt": b"\0" * (2 * MIB)})
    init_git(isolated, commit=False)
    git(isolated, "add", "models/model.pt")

    assert codes(lint_tree(isolated, select=["ML101"])) == ["ML101"]


@needs_git
@pytest.mark.parametrize("name", ["archive.tar.gz", "features.PARQUET", "weights.safetensors"])
def test_every_data_extension_is_considered(isolated: Path, name: str) -> None:
    write_files(isolated, {"train.py": TRAIN, f"data/{name}": b"\1" * (2 * MIB)})
    init_git(isolated)

    assert codes(lint_tree(isolated, select=["ML101"])) == ["ML101"]


@needs_git
def test_small_untracked_code_and_non_data_files_are_silent(isolated: Path) -> None:
    write_files(isolated, {
        "train.py": TRAIN,
        "data/small.csv": csv_bytes(100_000),        # below 1 MiB
        "docs/figure.png": b"\0" * (2 * MIB),         # not a data extension
        "notes/big.txt": b"x" * (2 * MIB),
    })
    init_git(isolated)
    (isolated / "data" / "untracked.csv").write_bytes(csv_bytes(2 * MIB))  # never added

    assert lint_tree(isolated, select=["ML101"]) == []


@needs_git
def test_ignored_file_is_silent(isolated: Path) -> None:
    write_files(isolated, {"train.py": TRAIN, ".gitignore": "data/\n", "data/churn.csv": csv_bytes(2 * MIB)})
    init_git(isolated)

    assert lint_tree(isolated, select=["ML101"]) == []


@needs_git
def test_file_under_lfs_pattern_is_silent(isolated: Path) -> None:
    write_files(isolated, {
        "train.py": TRAIN,
        ".gitattributes": "*.pt filter=lfs diff=lfs merge=lfs -text\n",
        "models/model.pt": b"\0" * (2 * MIB),
        "models/other.pkl": b"\0" * (2 * MIB),  # not covered by the pattern
    })
    init_git(isolated)

    findings = lint_tree(isolated, select=["ML101"])

    assert [f.path.rsplit("/", 1)[-1] for f in findings] == ["other.pkl"]


@needs_git
def test_fixture_under_tests_is_silent_up_to_its_own_threshold(isolated: Path) -> None:
    write_files(isolated, {
        "train.py": TRAIN,
        "tests/fixtures/sample.csv": csv_bytes(2 * MIB),
        "tests/data/huge.parquet": b"\0" * (11 * MIB),
    })
    init_git(isolated)

    findings = lint_tree(isolated, select=["ML101"])

    assert [f.path.rsplit("/", 1)[-1] for f in findings] == ["huge.parquet"]


@needs_git
def test_thresholds_are_configurable(isolated: Path) -> None:
    write_files(isolated, {
        "train.py": TRAIN,
        "pyproject.toml": '[tool.mllint.rules.ML101]\nmax-size = "1KiB"\nmax-fixture-size = "1MiB"\n',
        "data/churn.csv": csv_bytes(4096),
        "tests/fixtures/sample.csv": csv_bytes(4096),
    })
    init_git(isolated)

    findings = lint_tree(isolated, select=["ML101"])

    assert [f.path.rsplit("/", 1)[-1] for f in findings] == ["churn.csv"]
    assert "4.0 KiB" in findings[0].message


def test_outside_git_the_rule_does_not_apply(tmp_path: Path) -> None:
    findings = lint_tree(tmp_path, {"train.py": TRAIN, "data/churn.csv": csv_bytes(2 * MIB)}, select=["ML101"])

    assert findings == []


@needs_git
def test_project_without_ml_code_is_silent(isolated: Path) -> None:
    write_files(isolated, {"app.py": "print('hello')\n", "data/churn.csv": csv_bytes(2 * MIB)})
    init_git(isolated)

    assert lint_tree(isolated, select=["ML101"]) == []


@needs_git
@needs_dvc
def test_same_file_ignored_and_tracked_by_dvc_add_is_silent(isolated: Path, tmp_path: Path) -> None:
    write_files(isolated, {"train.py": TRAIN, "data/churn.csv": csv_bytes(2 * MIB)})
    init_git(isolated, commit=False)
    dvc(isolated, "init", "-q")
    dvc(isolated, "add", "data/churn.csv")  # writes data/churn.csv.dvc and ignores the csv in data/.gitignore
    dvc(isolated, "remote", "add", "-d", "storage", str(tmp_path / "remote"))
    commit_all(isolated)

    assert (isolated / "data" / "churn.csv.dvc").is_file()
    assert "data/churn.csv" not in git(isolated, "ls-files").splitlines()
    assert codes(lint_tree(isolated, select=["ML101", "ML102"])) == []


@needs_git
@needs_dvc
def test_file_committed_and_covered_by_a_dvc_stage_out_is_silent(isolated: Path, tmp_path: Path) -> None:
    write_files(isolated, {"train.py": TRAIN, "models/model.pkl": b"\0" * (2 * MIB)})
    init_git(isolated, commit=False)
    dvc(isolated, "init", "-q")
    dvc(isolated, "stage", "add", "-n", "train", "-d", "train.py", "-o", "models", "python train.py")
    git(isolated, "add", "-f", "models/model.pkl")  # the stage's .gitignore would hide it otherwise
    commit_all(isolated)

    assert "models/model.pkl" in git(isolated, "ls-files")
    assert lint_tree(isolated, select=["ML101"]) == []


@needs_git
@pytest.mark.parametrize("name", [
    "data/wikitext-2/train.txt",       # a corpus: data by location
    "datasets/adult/adult.data",        # UCI's extension
    "raw/events",                        # no extension at all
    "project/data/processed/features.json",
])
def test_any_file_in_a_data_folder_is_data(isolated: Path, name: str) -> None:
    write_files(isolated, {"train.py": TRAIN, name: b"x" * (2 * MIB)})
    init_git(isolated)

    findings = lint_tree(isolated, select=["ML101"])

    assert codes(findings) == ["ML101"]
    assert findings[0].path.endswith(name)


@needs_git
def test_code_and_documents_in_a_data_folder_are_not_data(isolated: Path) -> None:
    write_files(isolated, {
        "train.py": TRAIN,
        "data/prepare.py": "x = 1\n" * (MIB // 3),
        "data/README.md": "# about the data\n" * (MIB // 8),
        "data/README": b"x" * (2 * MIB),
        "data/.gitignore": b"#" * (2 * MIB),
        "notes/corpus.txt": b"x" * (2 * MIB),  # not a data folder, not a data extension
    })
    init_git(isolated)

    assert lint_tree(isolated, select=["ML101"]) == []


@needs_git
@pytest.mark.parametrize("name", [
    "models/churn.joblib", "app/model.pkl", "serving/model.onnx", "weights/best.pt", "checkpoints/pytorch_model.bin",
    "export/model.safetensors", "keras/classifier.h5",
])
def test_committed_model_artifact_has_a_lower_threshold(isolated: Path, name: str) -> None:
    write_files(isolated, {"train.py": TRAIN, name: b"\1" * (200 * 1024)})
    init_git(isolated)

    findings = lint_tree(isolated, select=["ML101"])

    assert codes(findings) == ["ML101"]
    assert findings[0].message.startswith(f"the model artifact `{name}` (200.0 KiB)")


@needs_git
def test_small_models_fixtures_and_data_pickles_keep_their_thresholds(isolated: Path) -> None:
    write_files(isolated, {
        "train.py": TRAIN,
        "models/tiny.pkl": b"\1" * (50 * 1024),             # below max-model-size
        "data/features.pkl": b"\1" * (200 * 1024),           # in a data folder: data, below max-size
        "tests/fixtures/model.pt": b"\1" * (200 * 1024),     # a fixture, below max-fixture-size
        "assets/vocab.bin": b"\1" * (200 * 1024),            # a .bin not named like a model
        "app/data.csv": csv_bytes(200 * 1024),               # data, below max-size
    })
    init_git(isolated)

    assert lint_tree(isolated, select=["ML101"]) == []


@needs_git
def test_model_threshold_is_configurable(isolated: Path) -> None:
    write_files(isolated, {
        "train.py": TRAIN,
        "pyproject.toml": '[tool.mllint.rules.ML101]\nmax-model-size = "1MiB"\n',
        "models/churn.joblib": b"\1" * (200 * 1024),
        "models/big.joblib": b"\1" * (2 * MIB),
    })
    init_git(isolated)

    findings = lint_tree(isolated, select=["ML101"])

    assert [f.path.rsplit("/", 1)[-1] for f in findings] == ["big.joblib"]


@pytest.mark.parametrize(("path", "data", "model"), [
    ("data/train.txt", True, False),
    ("src/pkg/datasets/iris.data", True, False),
    ("data/train.pkl", True, False),
    ("data/load.py", False, False),
    ("data/notes.md", False, False),
    ("models/model.joblib", True, True),
    ("hf/pytorch_model.bin", True, True),
    ("hf/model-00001-of-00002.bin", True, True),
    ("firmware/image.bin", False, False),
    ("docs/train.txt", False, False),
    ("reports/summary.csv", True, False),
])
def test_data_and_model_files_by_name_and_location(path: str, data: bool, model: bool) -> None:
    assert (is_data_file(path), is_model_artifact(path)) == (data, model)



# -- ML102 dvc-remote-missing -------------------------------------------------------


@needs_git
@needs_dvc
def test_dvc_without_remote_is_reported(isolated: Path) -> None:
    write_files(isolated, {"train.py": TRAIN})
    init_git(isolated, commit=False)
    dvc(isolated, "init", "-q")

    findings = lint_tree(isolated, select=["ML102"])

    assert codes(findings) == ["ML102"]
    assert findings[0].path.endswith(".dvc/config")
    assert "dvc remote add -d" in findings[0].message


@needs_git
@needs_dvc
def test_dvc_remote_without_default_is_reported(isolated: Path, tmp_path: Path) -> None:
    write_files(isolated, {"train.py": TRAIN})
    init_git(isolated, commit=False)
    dvc(isolated, "init", "-q")
    dvc(isolated, "remote", "add", "storage", str(tmp_path / "remote"))

    findings = lint_tree(isolated, select=["ML102"])

    assert codes(findings) == ["ML102"]
    assert "none is the default" in findings[0].message


@needs_git
@needs_dvc
def test_default_remote_only_in_config_local_is_reported(isolated: Path, tmp_path: Path) -> None:
    write_files(isolated, {"train.py": TRAIN})
    init_git(isolated, commit=False)
    dvc(isolated, "init", "-q")
    dvc(isolated, "remote", "add", "--local", "-d", "mine", str(tmp_path / "remote"))

    findings = lint_tree(isolated, select=["ML102"])

    assert codes(findings) == ["ML102"]
    assert "config.local" in findings[0].message


@needs_git
@needs_dvc
def test_shared_remote_with_credentials_in_config_local_is_silent(isolated: Path, tmp_path: Path) -> None:
    write_files(isolated, {"train.py": TRAIN})
    init_git(isolated, commit=False)
    dvc(isolated, "init", "-q")
    dvc(isolated, "remote", "add", "-d", "storage", "s3://bucket/store")
    dvc(isolated, "remote", "modify", "--local", "storage", "access_key_id", "not-a-real-key")

    assert lint_tree(isolated, select=["ML102"]) == []


def test_default_remote_naming_an_undefined_remote_is_reported(tmp_path: Path) -> None:
    findings = lint_tree(tmp_path, {
        "train.py": TRAIN,
        ".dvc/config": "[core]\n    remote = storage\n['remote \"backup\"']\n    url = s3://b/x\n",
    }, select=["ML102"])

    assert codes(findings) == ["ML102"]
    assert "`storage` is not defined" in findings[0].message


def test_project_without_dvc_is_silent(tmp_path: Path) -> None:
    assert lint_tree(tmp_path, {"train.py": TRAIN}, select=["ML102"]) == []


# -- ML103 absolute-data-path -------------------------------------------------------


@pytest.mark.parametrize("source", [
    "import pandas as pd\ndf = pd.read_csv('/home/alice/churn.csv')\n",
    "from pandas import read_parquet as rp\ndf = rp('/Users/bob/Downloads/x.parquet')\n",
    "import numpy as np\nnp.save('/mnt/data/features.npy', x)\n",
    "df.to_csv('/content/drive/MyDrive/out.csv')\n",
    "with open(r'C:\\Users\\me\\data.csv') as f:\n    pass\n",
    "from pathlib import Path\nROOT = Path('~/datasets/churn')\n",
    "import torch\nm = torch.load(f'/home/alice/runs/{name}.pt', weights_only=True)\n",
])
def test_machine_local_paths_are_reported(tmp_path: Path, source: str) -> None:
    assert codes(lint_source(tmp_path, source, select=["ML103"])) == ["ML103"]


def test_constant_followed_to_the_assignment(tmp_path: Path) -> None:
    source = (
        "import os\nimport pandas as pd\n\n"
        "DATA_DIR = '/home/alice/data'\n\n"
        "def load():\n    return pd.read_csv(os.path.join(DATA_DIR, 'churn.csv'))\n"
    )
    findings = lint_source(tmp_path, source, select=["ML103"])

    assert codes(findings) == ["ML103"]
    assert findings[0].line == 4
    assert "`pandas.read_csv`" in findings[0].message


@pytest.mark.parametrize("source", [
    "import pandas as pd\ndf = pd.read_csv('data/churn.csv')\n",
    "import pandas as pd\ndf = pd.read_csv('/tmp/churn.csv')\n",
    "import os\nimport pandas as pd\ndf = pd.read_csv(os.getenv('DATA', '/home/alice/churn.csv'))\n",
    "import os\nimport pandas as pd\ndf = pd.read_csv(os.environ.get('DATA', '/home/alice/churn.csv'))\n",
    "print('/home/alice/churn.csv')\n",
    "import pandas as pd\n# pd.read_csv('/home/alice/churn.csv')\n\"\"\"pd.read_csv('/home/alice/churn.csv')\"\"\"\n",
    "def open(p):\n    return p\nopen('/home/alice/churn.csv')\n",
    "import argparse\np = argparse.ArgumentParser()\np.add_argument('--data', default='/home/alice/churn.csv')\n",
    "import pandas as pd\npath = '/home/alice/a.csv'\npath = args.data\ndf = pd.read_csv(path)\n",
])
def test_relative_temporary_configured_or_unused_paths_are_silent(tmp_path: Path, source: str) -> None:
    assert lint_source(tmp_path, source, select=["ML103"]) == []


@pytest.mark.parametrize("source", [
    "import torch\nm = torch.load('~/.cache/torch/hub/checkpoints/resnet.pt', weights_only=True)\n",
    "import pandas as pd\ndf = pd.read_csv('~/.keras/datasets/housing.csv')\n",
    "import json\nwith open('~/.kaggle/kaggle.json') as f:\n    creds = json.load(f)\n",
    "import os\nwith open(os.path.expanduser('~/.config/app/settings.json')) as f:\n    pass\n",
    "import torch\nDIR = '~/.torchmetrics/NISQA'\nm = torch.load(DIR, weights_only=True)\n",
    "from pathlib import Path\nCACHE = Path(f'~/.huggingface/{name}')\n",
    "from pathlib import Path\nCACHE = Path('/root/.cache/huggingface')\n",
    "from pathlib import Path\nCACHE = Path('~/Library/Caches/app')\n",
])
def test_per_user_configuration_and_cache_folders_are_silent(tmp_path: Path, source: str) -> None:
    assert lint_source(tmp_path, source, select=["ML103"]) == []


@pytest.mark.parametrize("source", [
    "import torch\nm = torch.load('/home/alice/.cache/model.pt', weights_only=True)\n",  # one user's home
    "import pandas as pd\ndf = pd.read_csv('~/projects/churn/data.csv')\n",
    "import pandas as pd\ndf = pd.read_csv('~/data/.hidden/churn.csv')\n",
])
def test_data_in_a_home_folder_is_still_reported(tmp_path: Path, source: str) -> None:
    assert codes(lint_source(tmp_path, source, select=["ML103"])) == ["ML103"]



def test_notebook_finding_lands_on_its_cell(tmp_path: Path) -> None:
    notebook = notebook_json(["import pandas as pd\n", ("markdown", "# Load"), "df = pd.read_csv('/home/alice/churn.csv')\n"])
    findings = lint_tree(tmp_path, {"analysis.ipynb": notebook}, select=["ML103"])

    assert codes(findings) == ["ML103"]
    assert (findings[0].cell, findings[0].line) == (3, 1)


# -- ML104 unpinned-remote-data -----------------------------------------------------


@pytest.mark.parametrize("source", [
    "import pandas as pd\ndf = pd.read_csv('https://example.com/churn.csv')\n",
    "import pandas as pd\nURL = 'https://example.com/churn.csv'\ndf = pd.read_csv(URL)\n",
    "from urllib.request import urlretrieve\nurlretrieve('https://example.com/churn.zip', 'churn.zip')\n",
    "import requests\nr = requests.get('https://example.com/data/latest')\nopen('d.bin', 'wb').write(r.content)\n",
    "import requests\nraw = requests.get('https://example.com/churn.csv').text\n",
    "import tensorflow as tf\np = tf.keras.utils.get_file('churn.csv', 'https://example.com/churn.csv')\n",
    "from datasets import load_dataset\nds = load_dataset('imdb')\n",
    "from huggingface_hub import hf_hub_download\nhf_hub_download('org/churn', 'train.csv', repo_type='dataset')\n",
])
def test_mutable_remote_data_is_reported(tmp_path: Path, source: str) -> None:
    assert codes(lint_source(tmp_path, source, select=["ML104"])) == ["ML104"]


@pytest.mark.parametrize("call", ["pd.read_csv", "requests.get", "tf.keras.utils.get_file('d.csv', "])
def test_quoted_urls_have_their_credentials_masked(tmp_path: Path, call: str) -> None:
    """Messages are cached and printed: a download's password must not travel with them."""
    opened = "" if call.endswith(", ") else "("
    source = (f"import pandas as pd\nimport requests\nimport tensorflow as tf\n"
              f"x = {call}{opened}'https://admin:Zr8Tq4Vm2W@data.internal/x.csv')\n")
    [finding] = lint_source(tmp_path, source, select=["ML104"])
    assert "https://****@data.internal/x.csv" in finding.message and "Zr8Tq4Vm2W" not in finding.message


@pytest.mark.parametrize("source", [
    "import pandas as pd\ndf = pd.read_csv('data/churn.csv')\n",
    "import pandas as pd\ndf = pd.read_csv('https://raw.githubusercontent.com/o/r/0123456789abcdef0123456789abcdef01234567/churn.csv')\n",
    "import pandas as pd\ndf = pd.read_csv('https://github.com/o/r/releases/download/v1.2.0/churn.csv')\n",
    "import tensorflow as tf\np = tf.keras.utils.get_file('c.csv', 'https://example.com/c.csv', file_hash='ab12')\n",
    "from datasets import load_dataset\nds = load_dataset('imdb', revision='e6281661ce1c48d982bc483cf8a173c1bbeb5d31')\n",
    "from datasets import load_dataset\nds = load_dataset('csv', data_files='data/churn.csv')\n",
    "import requests\nr = requests.get('https://api.example.com/v1/status')\nprint(r.status_code)\n",
    "import pandas as pd\ndf = pd.read_csv(f'https://example.com/{version}/churn.csv')\n",
    "# pd.read_csv('https://example.com/churn.csv')\nimport pandas as pd\n",
    "import hashlib\nimport pandas as pd\nfrom urllib.request import urlretrieve\n\n"
    "def fetch():\n    urlretrieve('https://example.com/c.csv', 'c.csv')\n"
    "    assert hashlib.sha256(open('c.csv', 'rb').read()).hexdigest() == EXPECTED\n",
])
def test_pinned_checked_local_or_non_data_requests_are_silent(tmp_path: Path, source: str) -> None:
    assert lint_source(tmp_path, source, select=["ML104"]) == []


@pytest.mark.parametrize("source", [
    "import requests\nfrom PIL import Image\nfrom io import BytesIO\n"
    "r = requests.get('http://images.cocodataset.org/val2017/000000039769.jpg')\nimage = Image.open(BytesIO(r.content))\n",
    "from urllib.request import urlopen\nfrom PIL import Image\nimg = Image.open(urlopen('https://example.com/cat.png?raw=true'))\n",
    "from urllib.request import urlretrieve\nurlretrieve('https://example.com/samples/speech.wav', 'speech.wav')\n",
    "from huggingface_hub import hf_hub_download\n"
    "p = hf_hub_download('huggingface/documentation-images', 'cat.png', repo_type='dataset')\n",
    "from huggingface_hub import hf_hub_download\n"
    "p = hf_hub_download(repo_id='org/demo', filename='clip.mp4', repo_type='dataset')\n",
])
def test_single_media_file_for_a_demo_is_silent(tmp_path: Path, source: str) -> None:
    assert lint_source(tmp_path, source, select=["ML104"]) == []


@pytest.mark.parametrize("source", [
    "from urllib.request import urlretrieve\nurlretrieve('https://example.com/images.tar.gz', 'images.tar.gz')\n",
    "import requests\nr = requests.get('https://example.com/annotations.json')\nopen('a.json', 'wb').write(r.content)\n",
    "from huggingface_hub import hf_hub_download\np = hf_hub_download('org/imgs', 'train.zip', repo_type='dataset')\n",
])
def test_image_data_sets_are_still_data(tmp_path: Path, source: str) -> None:
    assert codes(lint_source(tmp_path, source, select=["ML104"])) == ["ML104"]



def test_unpinned_remote_data_is_off_by_default(tmp_path: Path) -> None:
    write_files(tmp_path, {"load.py": "import pandas as pd\ndf = pd.read_csv('https://example.com/churn.csv')\n"})
    assert "ML104" not in codes(lint_as_configured(tmp_path))


# -- examples -----------------------------------------------------------------------

DATA_CODES = {"ML101", "ML102", "ML103", "ML104"}


@needs_git
def test_leaky_example_violates_the_data_rules() -> None:
    found = set(codes(lint_tree(EXAMPLES / "churn-leaky", select=sorted(DATA_CODES)))) & DATA_CODES
    assert found == DATA_CODES


@needs_git
def test_tidy_example_follows_the_data_rules() -> None:
    assert set(codes(lint_tree(EXAMPLES / "churn-tidy", select=sorted(DATA_CODES)))) & DATA_CODES == set()
