"""``mllint init``, end to end: it appends a commented ``[tool.mllint]`` section
that mllint's own loader accepts, keeps every existing byte, never overwrites
settings, and with ``--baseline`` also records the first baseline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mllint.engine.config import load_config
from mllint.plugins import builtin_rules
from mllint.testkit import write_files

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

MLLINT = str(Path(sys.executable).with_name("mllint"))
UNSAFE = "import pickle\n\nmodel = pickle.load(open('model.pkl', 'rb'))\n"


def mllint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MLLINT, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "original",
    [
        b'[project]\nname = "demo"\n',
        b'[project]\nname = "demo"',  # no final newline
        b'[project]\r\nname = "demo"\r\n\r\n[tool.black]\r\nline-length = 100\r\n',  # CRLF, another tool's table
        b"[tool]\nruff.line-length = 99\n",  # the tool table defined already
        b"",
    ],
)
def test_init_appends_to_pyproject_keeping_every_byte(tmp_path, original):
    (tmp_path / "pyproject.toml").write_bytes(original)
    done = mllint("init", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "mllint: wrote the [tool.mllint] settings to pyproject.toml\n"
    written = (tmp_path / "pyproject.toml").read_bytes()
    assert written.startswith(original) and len(written) > len(original)
    assert (b"\r\n" in original) == (b"\r\n" in written[len(original):])
    settings = tomllib.loads(written.decode())["tool"]["mllint"]
    assert settings == {"fail-on": "warning", "profile": "production"}
    assert load_config(tmp_path / "pyproject.toml", builtin_rules()).values == {"fail-on": "warning", "profile": "production"}
    assert b"# select = " in written and b"# [tool.mllint.per-file-ignores]" in written
    assert mllint("check", cwd=tmp_path).returncode == 0


def test_without_pyproject_init_writes_mllint_toml(tmp_path):
    write_files(tmp_path, {"train.py": "x = 1\n", ".git/HEAD": ""})
    (tmp_path / "src").mkdir()
    done = mllint("init", cwd=tmp_path / "src")  # from a subfolder: the project root gets it
    assert done.returncode == 0, done.stderr
    assert done.stdout == "mllint: wrote the [tool.mllint] settings to ../mllint.toml\n"
    text = (tmp_path / "mllint.toml").read_text()
    assert "[tool.mllint]" not in text and "# [per-file-ignores]" in text
    assert load_config(tmp_path / "mllint.toml", builtin_rules()).values == {"fail-on": "warning", "profile": "production"}


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("pyproject.toml", "[tool.mllint]\nselect = ['ML6']\n", "pyproject.toml already has a [tool.mllint] section; nothing changed"),
        ("pyproject.toml", "tool.mllint.ignore = []\n", "pyproject.toml already has a [tool.mllint] section; nothing changed"),
        ("mllint.toml", "select = ['ML6']\n", "mllint.toml already configures mllint; nothing changed"),
        (".mllint.toml", "", ".mllint.toml already configures mllint; nothing changed"),
    ],
)
def test_existing_settings_are_never_changed(tmp_path, name, content, message):
    (tmp_path / name).write_text(content)
    before = sorted(p.name for p in tmp_path.iterdir())
    done = mllint("init", "--baseline", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout == f"mllint: {message} (to record a baseline: mllint check --write-baseline .mllint-baseline.json)\n"
    assert (tmp_path / name).read_text() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    "content, problem",
    [
        ("[project\n", "pyproject.toml: not valid TOML ("),
        ("tool = { black = { line-length = 100 } }\n", "pyproject.toml: invalid TOML: "),  # an inline table cannot grow
    ],
)
def test_a_pyproject_that_cannot_take_the_section_is_left_alone(tmp_path, content, problem):
    (tmp_path / "pyproject.toml").write_text(content)
    done = mllint("init", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"mllint: error: {problem}") and done.stderr.count("\n") == 1
    assert done.stderr.rstrip().endswith("nothing changed")
    assert (tmp_path / "pyproject.toml").read_text() == content


@pytest.mark.parametrize("args, baseline", [(["--baseline"], ".mllint-baseline.json"), (["--baseline", "ci/accepted.json"], "ci/accepted.json")])
def test_init_with_a_baseline_accepts_todays_findings(tmp_path, args, baseline):
    write_files(tmp_path, {"pyproject.toml": "[project]\nname = 'demo'\n", "serve.py": UNSAFE, "ci/.keep": ""})
    assert mllint("check", cwd=tmp_path).returncode == 1
    done = mllint("init", *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].startswith("mllint: wrote ")
    assert done.stdout.splitlines()[1].endswith(f" to the baseline {baseline}")
    assert tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["mllint"]["baseline"] == baseline
    recorded = json.loads((tmp_path / baseline).read_text())["findings"]
    assert any(e["path"] == "serve.py" and e["code"] == "ML601" for e in recorded)

    accepted = mllint("check", cwd=tmp_path)
    assert accepted.returncode == 0, accepted.stdout
    (tmp_path / "new.py").write_text(UNSAFE)
    new = mllint("check", cwd=tmp_path)
    assert new.returncode == 1
    assert [line.split(":")[0] for line in new.stdout.splitlines() if " ML601 " in line] == ["new.py"]
