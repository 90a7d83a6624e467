"""Nothing mllint writes copies a secret out of the linted project.

Credentials are planted where ML602 finds them (string literals, URLs with a
password, a private key block, a notebook's output, shell line and markdown),
on lines other rules report too, and in a requirements line that ML204 quotes.
Every output is then scanned: each format of ``check`` (with ``--show-source``
and ``--verbose``), ``--statistics``, ``report`` as Markdown and HTML, the
baseline file.

What may be echoed: the mask ML602 prints (at most the first four characters,
then ``************``, which does not reveal the length) and the providers'
public prefixes (``AKIA``, ``ghp_``, ``hf_``). Nothing else: no run of six or
more characters of a secret's own part appears anywhere. ``--diff`` is not
scanned: it shows the file's own lines, as ``git diff`` would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mllint.engine.cache import CACHE_DIR
from mllint.testkit import notebook_json, write_files

#: name -> (public prefix, the secret's own part)
SECRETS = {
    "aws-key-id": ("AKIA", "Q7XW2R4T6Y8U0P3L"),
    "aws-secret": ("", "wJalrXUtnFEMI7K7MDENGbPxRfiCYzQ8r2Hd9sT"),
    "github-token": ("ghp_", "Zq8Lw3Rt6Yp1Nm4Kx7Vb2Cd5Fg9Hj0Sa3De6"),
    "hugging-face-token": ("hf_", "Tq9Wm2Rz5Lx8Kc3Vn6Bp1Yh4Gd7Fs0Ja2Ue5"),
    "url-password": ("", "Zr8#Tq4!Vm2Wx"),
    "private-key": ("", "MIIEpAIBAAKCAQEA7bq9xT2lWm4kZr8P1sN6yQ3vU0hJ5cG9dF2aL8eRq"),
    "index-token": ("", "Pk3Jd8Lq2Wm7Xz4Rv9Tn1"),
}
WINDOW = 6


def secret(name: str) -> str:
    return "".join(SECRETS[name])


def planted_project() -> dict[str, str]:
    password = secret("url-password")
    key = f"-----BEGIN RSA PRIVATE KEY-----\n{secret('private-key')}\n-----END RSA PRIVATE KEY-----\n"
    return {
        "pyproject.toml": "[project]\nname = 'x'\ndependencies = ['torch']\n",
        "requirements.txt": (f"torch\nprivate-pkg @ git+https://oauth2:{secret('github-token')}@github.com/org/private-pkg\n"
                             f"--extra-index-url https://user:{secret('index-token')}@pypi.internal/simple\n"
                             f"-r https://ci:{secret('index-token')}@example.org/more.txt\n"),
        "train.py": (
            "import numpy as np\nimport pandas as pd\nimport requests\n\n"
            f"AWS_ACCESS_KEY_ID = \"{secret('aws-key-id')}\"\n"
            f"aws_secret_access_key = \"{secret('aws-secret')}\"\n"
            f"GITHUB_TOKEN = \"{secret('github-token')}\"; x = np.random.rand(3)\n"
            f"PRIVATE_KEY = \"\"\"{key}\"\"\"\n"
            f"DB = \"postgres://admin:{password}@db.internal:5432/prod\"\n"
            f"data = requests.get(\"http://admin:{password}@data.internal/x.csv\")\n"
            f"frame = pd.read_csv(\"https://admin:{password}@data.internal/y.csv\")\n"
        ),
        "eda.ipynb": notebook_json(
            [("markdown", f"Log in with {secret('hugging-face-token')}"),
             f"import numpy as np\n!curl -H 'Authorization: token {secret('github-token')}' https://api.github.com\nprint(np.random.rand())\n"],
            outputs={1: [{"output_type": "stream", "name": "stdout",
                          "text": [f"token: {secret('hugging-face-token')}\n", f"aws {secret('aws-key-id')}\n"]}]},
            counts={1: 1},
        ),
    }


def mllint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    return subprocess.run([sys.executable, "-m", "mllint", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=180)


FORMATS = ["text", "json", "sarif", "github", "junit", "markdown"]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, str]:
    """Every output of every command on the planted project, by name."""
    root = tmp_path_factory.mktemp("planted")
    write_files(root, planted_project())
    baseline = root.parent / f"{root.name}-baseline.json"
    assert mllint("check", "--select", "ALL", "--write-baseline", str(baseline), cwd=root).returncode == 0
    commands = {
        **{f"check --format {fmt}": ["check", "--select", "ALL", "--show-source", "--verbose", "--format", fmt] for fmt in FORMATS},
        "check --statistics": ["check", "--select", "ALL", "--statistics"],
        **{f"report --format {fmt}": ["report", "--select", "ALL", "--format", fmt] for fmt in ("markdown", "html")},
        "check --baseline": ["check", "--select", "ALL", "--baseline", str(baseline)],
    }
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = dict(zip(commands, pool.map(lambda args: mllint(*args, cwd=root), commands.values())))
    assert {name: result.returncode for name, result in done.items() if result.returncode not in (0, 1)} == {}
    found = {name: result.stdout for name, result in done.items()}
    found.update({f"{name} (stderr)": result.stderr for name, result in done.items() if name.startswith("check --format")})
    found["baseline"] = baseline.read_text(encoding="utf-8")
    return found


def leaked(text: str) -> dict[str, list[str]]:
    """The planted secrets *text* shows more of than allowed, with the pieces shown."""
    shown = {}
    for name, (_, own) in SECRETS.items():
        pieces = sorted({own[i:i + WINDOW] for i in range(len(own) - WINDOW + 1) if own[i:i + WINDOW] in text})
        if pieces:
            shown[name] = pieces
    return shown


def test_the_secrets_are_found(outputs):
    """The scan is not vacuous: the outputs are full reports, and ML602 reported each planted secret."""
    findings = json.loads(outputs["check --format json"])
    reported = {f["path"] for f in findings if f["code"] == "ML602"}
    assert reported == {"train.py", "eda.ipynb"}
    assert sum(f["code"] == "ML602" for f in findings) >= 10
    assert "`AKIA************`" in outputs["check --format text"]
    assert leaked(secret("github-token") + " " + secret("url-password")) == {
        "github-token": [p for p in sorted({SECRETS["github-token"][1][i:i + WINDOW] for i in range(31)})],
        "url-password": sorted({SECRETS["url-password"][1][i:i + WINDOW] for i in range(8)}),
    }


@pytest.mark.parametrize("name", [
    *(f"check --format {fmt}{suffix}" for fmt in FORMATS for suffix in ("", " (stderr)")),
    "check --statistics", "report --format markdown", "report --format html", "baseline", "check --baseline",
])
def test_no_output_shows_a_planted_secret(outputs, name):
    assert outputs[name].strip(), f"{name} printed nothing"
    assert leaked(outputs[name]) == {}


def test_lines_of_other_findings_that_hold_a_secret_are_not_shown(outputs):
    """ML201 reports the line the GitHub token is on; with --show-source its line is left out."""
    findings = json.loads(outputs["check --format json"])
    assert any(f["code"] == "ML201" and f["path"] == "train.py" and f["line"] == 7 for f in findings)
    assert "GITHUB_TOKEN" not in outputs["check --format text"]


def test_messages_quoting_urls_mask_their_credentials(outputs):
    text = outputs["check --format text"]
    assert "`private-pkg @ git+https://****@github.com/org/private-pkg`" in text  # ML204
    assert "http://****@data.internal/x.csv" in text  # ML104


def test_the_cache_holds_no_planted_secret(tmp_path):
    """Messages are cached as written: ML104 quotes a download's URL with its credentials masked."""
    write_files(tmp_path, planted_project())
    assert mllint("check", "--select", "ALL", cwd=tmp_path).returncode == 1
    cached = "".join(path.read_text(encoding="utf-8") for path in (tmp_path / CACHE_DIR).rglob("*.json"))
    assert cached and leaked(cached) == {}


def test_a_fix_edit_carries_no_secret(tmp_path):
    """ML601's fix inserts `, weights_only=True`: its edit holds none of the call's text, so no URL."""
    write_files(tmp_path, {"pyproject.toml": "[tool.mllint]\nselect = ['ML601']\n",
                           "load.py": f"import torch\nm = torch.load(\"https://u:{secret('url-password')}@h/m.pt\")\n"})
    done = mllint("check", "--format", "json", "--no-cache", cwd=tmp_path)
    assert json.loads(done.stdout)[0]["fix"] is not None
    assert leaked(done.stdout) == {}


def test_a_token_in_a_comment_is_not_shown(tmp_path):
    """ML602 finds tokens in comments too, so --show-source leaves out the line ML201 reports."""
    write_files(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n",
                           "a.py": f"import numpy as np\nx = np.random.rand(3)  # {secret('github-token')}\n"})
    done = mllint("check", "--select", "ALL", "--show-source", "--no-cache", cwd=tmp_path)
    assert "ML201" in done.stdout
    assert leaked(done.stdout) == {}
