"""Hostile input: a bounded sample of the fuzzer (``bench/fuzz.py``), every crash
it found as a plain regression test, and the budgets that keep a pathological
input from taking unbounded time (secret and PII scanning of megabyte-long
adversarial text, huge and deep files cut with a diagnostic).

The long mode runs 100,000 inputs (``python bench/fuzz.py --long``); here each
kind of input gets a few derandomised examples, so the suite stays fast and
repeatable. Hangs are caught by subprocess timeouts, never by timing."""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mllint.testkit import git, notebook_json, write_files

ROOT = Path(__file__).resolve().parent.parent


def _load_fuzzer():
    """``bench/fuzz.py`` as a module (bench/ is no package)."""
    spec = importlib.util.spec_from_file_location("mllint_bench_fuzz", ROOT / "bench" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


fuzz = _load_fuzzer()
SEEDS = fuzz.load_seeds()
#: No shrinking: a failing input is printed as generated, at once (shrinking a
#: project of notebooks took minutes), and the suite stays bounded either way.
SAMPLE = settings(max_examples=8, deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
#: Crashes with an xfail test of their own below (in files this suite does not own):
#: the sample ignores them so that it keeps checking everything else. None at present.
KNOWN_CRASHES: tuple[str, ...] = ()
MEGABYTE = 1_000_000
#: Address space a linting subprocess may use: a regression that blows up fails here, not the machine.
MEMORY_LIMIT = 2 * 1024**3


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def mllint(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    return subprocess.run([sys.executable, "-m", "mllint", *args], cwd=cwd, capture_output=True, text=True,
                          errors="replace", env=env, timeout=timeout, preexec_fn=_limited)


def unexpected(problems: list) -> list:
    return [problem for problem in problems if not any(known in problem.detail for known in KNOWN_CRASHES)]


def paths_of(batch: list) -> list[str]:
    """What to lint for a batch written by ``fuzz.write_tree``: the shared project, then each project input."""
    return fuzz._groups(len(batch), [item.project for item in batch])


def problems_in_process(batch: list) -> list:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        fuzz.write_tree(folder, batch)
        problems, _ = fuzz.settle_configurations(folder)
        return unexpected(problems + fuzz.lint_in_process(folder, paths_of(batch)))


# -- a bounded sample of the fuzzer ---------------------------------------------------------------

KINDS = {
    "programs": fuzz.python_inputs(),
    "mutated-files": fuzz.mutated_inputs(SEEDS),
    "notebooks": fuzz.notebook_inputs(),
    "projects": fuzz.project_inputs(),
    "random-bytes": fuzz.random_inputs(),
    "odd-names": fuzz.odd_name_inputs(),
}


@pytest.mark.parametrize("kind", KINDS)
def test_generated_inputs_lint_in_process_without_an_exception_or_ml000(kind):
    @SAMPLE
    @given(st.lists(KINDS[kind], min_size=1, max_size=3))
    def check(batch):
        assert problems_in_process(batch) == []

    check()


@settings(max_examples=2, deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))  # the first example is hypothesis's simplest: the second is the batch
@given(st.lists(fuzz.inputs(SEEDS), min_size=12, max_size=12), st.sampled_from(["json", "sarif"]))
def test_generated_batches_through_the_command_line(batch, output_format):
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        fuzz.write_tree(folder, batch)
        fuzz.settle_configurations(folder)
        assert unexpected(fuzz.lint_through_cli(folder, paths_of(batch), output_format, jobs=2, cache=True)) == []


def test_the_fuzzer_reports_what_it_is_meant_to_catch(tmp_path, monkeypatch):
    """The drivers are not blind: an exception and an ML000 are both problems."""
    from mllint.engine.runner import Linter

    fuzz.write_tree(tmp_path, [fuzz.Input("program", (("a.py", b"import torch\n"),))])
    monkeypatch.setattr(Linter, "_lint_file", lambda *args: (_ for _ in ()).throw(RuntimeError("planted")))
    [problem] = fuzz.lint_in_process(tmp_path, [fuzz.FILES_PROJECT])
    assert problem.what == "traceback" and "planted" in problem.detail
    report = json.dumps([{"code": "ML000", "path": "files/i0/a.py", "line": 1, "message": "rule ML201 (x) crashed: boom"}])
    [crash] = fuzz._report_problems(report, "json")
    assert (crash.what, crash.input) == ("ML000", 0)
    assert [p.what for p in fuzz._report_problems("files/i0/a.py:1:1: ML000 internal-error rule ML201 (x) crashed: E", "text")] == ["ML000"]


# -- every crash the fuzzer found --------------------------------------------------------------

BILLION_LAUGHS = (
    "on: push\njobs:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
    + "".join(f"  {chr(98 + n)}: &{chr(98 + n)} [{','.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8))
    + "  boom:\n    steps:\n      - run: *i\n"
)

#: (name, project files): each crashed, hung or blew up the memory of a run before its fix.
REGRESSIONS = {
    # the CI reader expanded aliases: 9**9 scalars under one `run:`
    "ci-billion-laughs": {".github/workflows/ci.yml": BILLION_LAUGHS},
    # a command list that contains itself
    "ci-recursive-alias": {".github/workflows/ci.yml": "on: push\nloop: &loop [*loop]\nsteps:\n  - run: *loop\n"},
    "ci-recursive-mapping": {".gitlab-ci.yml": "loop: &loop\n  script: *loop\n  steps: [*loop]\n"},
    # `tool` that is not a table: AttributeError reading the configuration
    "pyproject-tool-is-a-string": {"pyproject.toml": 'tool = "mllint"\n'},
    # a requirements include whose name the file system refuses (ENAMETOOLONG)
    "requirements-include-too-long": {"requirements.txt": "-r " + "a" * 5000 + "\n"},
    "requirements-include-with-nul": {"requirements.txt": "-r nul\0.txt\n"},
    # a DVC vars file whose name the file system refuses
    "dvc-vars-too-long": {"dvc.yaml": json.dumps({"vars": ["a" * 5000], "stages": {"s": {"cmd": "x", "outs": ["m.pkl"]}}})},
    # `${` without its `}` in every value: a backtracking placeholder pattern
    "dvc-unclosed-placeholders": {"dvc.yaml": json.dumps({"stages": {"s": {"cmd": "${" + " " * 20000, "outs": ["${" + " " * 20000]}}})},
}


@pytest.fixture(scope="module")
def regressions_run(tmp_path_factory) -> list[dict]:
    """One run over every regression, each a project of its own (a crash in
    one would still name it: ML000 findings carry their project's path)."""
    root = tmp_path_factory.mktemp("regressions")
    for name, files in REGRESSIONS.items():
        write_files(root / name, {"pyproject.toml": "[project]\nname = 'x'\n", "train.py": "import sklearn\n", **files})
    done = mllint("check", *REGRESSIONS, "--select", "ALL", "--format", "json", "--no-cache", cwd=root, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    findings: list[dict] = json.loads(done.stdout)
    return findings


@pytest.mark.parametrize("name", REGRESSIONS)
def test_fuzzer_regressions_lint_cleanly(regressions_run, name):
    assert any(f["path"].split("/")[0] == name for f in regressions_run), "the project was linted"
    assert [f["message"] for f in regressions_run if f["code"] == "ML000" and f["path"].split("/")[0] == name] == []


def test_ml805_sizes_an_output_holding_a_lone_surrogate(tmp_path):
    """A notebook's JSON may hold ``\\ud800``, which strict UTF-8 refuses to encode."""
    write_files(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n", "nb.ipynb": notebook_json(
        ["print(x)\n"], outputs={0: [{"output_type": "stream", "name": "stdout", "text": "\ud800 " * 10}]}, counts={0: 1})})
    done = mllint("check", "--select", "ML805", "--format", "json", "--no-cache", cwd=tmp_path)
    assert [f["message"] for f in json.loads(done.stdout)] == []


#: Per owning file, texts that made its regular expressions (or the tokenizer)
#: take hours, and the rules to select: one run each. The shape is the same in
#: each: a failing match tried from every character of a long run, that rescans
#: the run (``\w*Warning:`` over a long word, ``^\s*`` over blank lines).
PIP_INSTALL_NOTEBOOK = notebook_json(["import os\nos.system('" + "pip " * (MEGABYTE // 4) + "')\n", "import numpy\n"])
HANGS = {
    # Python 3.10/3.11's pure-Python tokenizer rescans a line from every error token
    "engine/suppressions.py": ({"a.py": "# noqa\nx = '" + "\\'" * 100_000 + "\n"}, "ML001"),
    # _IGNORED (``\w*Warning:``) over a long word; _MARKUP over runs of ``<`` and ``[``
    # and _ADDRESS (``\w+://``) over a long word; ``pip.*install`` over many pips;
    # _COMMENTED_REQUIREMENT over blank lines and an extras pattern over ``[``
    "checks/notebook.py": ({
        "errors.ipynb": notebook_json(["x = 1\n"], outputs={0: [{"output_type": "stream", "name": "stderr", "text":
                                      "a" * MEGABYTE + "\nTraceback (most recent call last)\nValueError: x\n"}]}, counts={0: 1}),
        "tags.ipynb": notebook_json([("markdown", "<" * MEGABYTE), *["import numpy\n"] * 4]),
        "links.ipynb": notebook_json([("markdown", "[a](" * (MEGABYTE // 4)), *["import numpy\n"] * 4]),
        "words.ipynb": notebook_json([("markdown", "a" * MEGABYTE), *["import numpy\n"] * 4]),
        "install.ipynb": PIP_INSTALL_NOTEBOOK,
        "inline.ipynb": notebook_json(["!pip install torch\n"]),
        "requirements.txt": "\n" * MEGABYTE + "a" + "[" * MEGABYTE + "\n",
    }, "ML802,ML804,ML806,ML807"),
    # _STRONG_VERSION: ``\d+\.\d+`` over a run of digits
    "analysis/serving_flow.py": ({"serve.py": "import torch\nfrom fastapi import FastAPI\napp = FastAPI()\n"
                                              f"model = torch.load('{'1' * 300_000}')\n@app.post('/p')\ndef p(x: dict):\n    return model(x)\n"},
                                 "ML5"),
    # _ROLE_TARGET: ``train\w*`` over a long name made of split words
    "analysis/leakage.py": ({"prep.py": "import numpy as np\nX = np.load('x.npy')\ny = " + "train_" * (MEGABYTE // 6) + " + 1\n"},
                            "ML701"),
    # _CONFIG_CLASS: ``^\\s*class`` over blank lines (of a string: libcst is slow on a
    # million blank lines of code)
    "analysis/model_facts.py": ({"train.py": 'import dataclasses\nfrom sklearn.svm import SVC\nDOC = """' + "\n" * MEGABYTE
                                             + '"""\nmodel = SVC(C=0.5)\nmodel.fit(X, y)\n'}, "ML303"),
    # _ML601_CALLS: ``import[^\n]*load`` over a line of many imports; _ML602_NAMES:
    # an annotation's spaces taken by three runs of spaces in turn
    "checks/security.py": ({"a.py": "import pickle\nx = '" + "import " * (MEGABYTE // 7) + "'\n",
                            "b.py": "password: " + " " * MEGABYTE + "x\n"}, "ML601,ML602"),
    # pasted-prompt patterns, unanchored: ``\s*\.{3,}`` over a line of spaces
    "syntax/notebooks.py": ({"prompt.ipynb": notebook_json(["In [1]: x = (\n" + " " * MEGABYTE + "\n", "import numpy\n"])},
                            "ML802"),
    # _SERVER_COMMAND: ``^\s*CMD`` over blank lines
    "project/kind.py": ({"pyproject.toml": "[project]\nname = 'x'\ndependencies = ['torch']\n[build-system]\n"
                                           "build-backend = 'hatchling.build'\n", "Dockerfile": "\n" * MEGABYTE,
                         "train.py": "import torch\nmodel.fit(x)\n"}, "ML302"),
    # _INI_SECTION: ``^\s*\[`` over blank lines
    "project/ci/static_analysis.py": ({"setup.cfg": "\n" * MEGABYTE, "a.py": "import torch\n"}, "ML405"),
    # _nan_comparisons: comments between a dot or a NaN word and the operator, unbounded
    "checks/api_misuse.py": ({"a.py": "import numpy as np\nx = np.nan\n" + "#nan ==\n" * (MEGABYTE // 8)}, "ML705"),
    # _run_names: whether each nested function runs with its outer one, asked once per
    # nested function of thousands (a walk of the outer function each: minutes)
    "analysis/seeding.py": ({"run.py": "import random\n\ndef make():\n"
                                       + "".join(f"    def f{i}():\n        return random.random()\n" for i in range(3000))
                                       + "    return f0\n\nif __name__ == '__main__':\n    make()\n"}, "ML201"),
    # ACCESSOR_ATTRIBUTE: comments between a dot and ``str``, unbounded
    "analysis/dataframes.py": ({"a.py": "import pandas as pd\ndf = pd.read_csv('x')\ndf['a'][df.b > 1] = 0\n" + "#.\n" * (MEGABYTE // 3)},
                               "ML706,ML707"),
}


@pytest.mark.parametrize("owner", HANGS)
def test_pathological_text_is_read_in_bounded_time(tmp_path, owner):
    files, rules = HANGS[owner]
    write_files(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n", **files})
    try:
        done = mllint("check", "--select", rules, "--no-cache", cwd=tmp_path, timeout=8)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{owner}: not done in 8 s")
    assert done.returncode in (0, 1), done.stderr


@pytest.mark.parametrize(("where", "pattern"), [("exclude", "!"), ("extend-exclude", "\\"), ("per-file-ignores", "!"), ("--exclude", "\\")])
def test_an_invalid_exclude_pattern_is_a_configuration_error(tmp_path, where, pattern):
    """pathspec rejects these patterns; that was an internal error, now it is exit 2 with one line."""
    config = {"--exclude": "", "per-file-ignores": f"[per-file-ignores]\n{json.dumps(pattern)} = ['ML201']\n"}.get(
        where, f"{where} = [{json.dumps(pattern)}]\n")
    write_files(tmp_path, {".mllint.toml": config, "train.py": "import random\n"})
    done = mllint("check", *(["--exclude", pattern] if where == "--exclude" else []), cwd=tmp_path)
    shown = "--exclude" if where == "--exclude" else f".mllint.toml: {where}"
    assert (done.returncode, done.stderr) == (2, f"mllint: error: {shown}: invalid pattern {pattern!r}\n")


def test_a_dvc_output_template_with_many_placeholders_is_matched_in_linear_time(tmp_path):
    """ML101 asks whether a large file is a DVC output; a template of many
    placeholders, compiled to a regular expression, backtracked exponentially."""
    template = "data/" + "${a}a" * 40 + "b"
    write_files(tmp_path, {
        "pyproject.toml": "[project]\nname = 'x'\n\n[tool.mllint.rules.ML101]\nmax-size = '1KiB'\n",
        "train.py": "import sklearn\n",
        "dvc.yaml": json.dumps({"stages": {"s": {"cmd": "python train.py", "outs": [template]}}}),
        "data/" + "a" * 60 + ".csv": "x\n" * 2048,
    })
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    done = mllint("check", "--select", "ML101", "--format", "json", "--no-cache", cwd=tmp_path, timeout=60)
    assert done.returncode == 1, done.stderr
    assert [f["path"] for f in json.loads(done.stdout)] == ["data/" + "a" * 60 + ".csv"]


# -- output a linted project cannot break --------------------------------------------------------

FORMATS = ["text", "json", "sarif", "github", "junit", "markdown"]
SURROGATE_NOTEBOOK = notebook_json(["x = 1\n"], outputs={0: [{
    "output_type": "error", "ename": "Val\ud800Error", "evalue": "bad \udfff",
    "traceback": ["Traceback (most recent call last)", "Val\ud800Error: bad"]}]}, counts={0: 1})


@pytest.fixture(scope="module")
def hostile_names(tmp_path_factory) -> Path:
    """A project whose file names are not UTF-8, or hold control characters,
    and whose notebook's JSON holds lone surrogates (``"\\ud800"``)."""
    root = tmp_path_factory.mktemp("names")
    write_files(root, {"pyproject.toml": "[project]\nname = 'x'\n", "nb.ipynb": SURROGATE_NOTEBOOK})
    for name in (b"b\xff.py", b"esc\x1b[2J\x1b]0;owned\x07.py", b"new\nline.py", b"a:1:1: ML999 fake.py"):
        (root / os.fsdecode(name)).write_bytes(b"import numpy as np\nx = np.random.rand(3)\n")
    return root


@pytest.mark.parametrize("output_format", FORMATS)
def test_every_format_prints_hostile_names_and_texts(hostile_names, output_format):
    done = mllint("check", "--select", "ALL", "--no-cache", "--format", output_format, cwd=hostile_names)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    if output_format != "junit":  # XML cannot hold the byte at all: JUnit drops it
        assert "\\udcff" in done.stdout or "b%FF.py" in done.stdout
    if output_format in ("json", "sarif"):
        json.loads(done.stdout)


def test_text_output_keeps_one_line_per_finding_whatever_the_names(hostile_names):
    done = mllint("check", "--select", "ML201", "--no-cache", "--quiet", cwd=hostile_names)
    lines = done.stdout.splitlines()
    assert len(lines) == 4 and all(" ML201 unseeded-randomness " in line for line in lines)
    assert "new\\nline.py:2:5: ML201" in done.stdout and "esc\\x1b[2J\\x1b]0;owned\\x07.py:2:5:" in done.stdout


def test_report_and_baseline_take_lone_surrogates(hostile_names, tmp_path):
    assert mllint("report", "--format", "html", "--no-cache", cwd=hostile_names).returncode == 0
    baseline = tmp_path / "baseline.json"
    assert mllint("check", "--no-cache", "--write-baseline", str(baseline), cwd=hostile_names).returncode == 0
    json.loads(baseline.read_text(encoding="utf-8"))
    done = mllint("check", "--no-cache", "--baseline", str(baseline), cwd=hostile_names)
    assert done.returncode == 0, done.stdout + done.stderr


# -- budgets: megabyte-long adversarial text, read in linear time -----------------------------------

AWS_KEY = "AKIA" + "Q7XW2R4T6Y8U0P3L"
#: (file, adversarial text before a planted credential or personal datum, what must still be found)
ADVERSARIAL = {
    "key-preamble": ("-----BEGIN PRIVATE KEY-----" + "a:" * (MEGABYTE // 2), "ML602"),
    "many-key-headers": ("X: -----BEGIN RSA PRIVATE KEY-----" * (MEGABYTE // 34), "ML602"),
    "url-credentials": ("a://b:" * (MEGABYTE // 6), "ML602"),
    "url-without-at": ("https://" + "user:" * (MEGABYTE // 5), "ML602"),
    "named-secret-spaces": ("password" + " " * MEGABYTE, "ML602"),
    "weak-password-tail": ("password=password" + "!" * MEGABYTE + "x", "ML602"),
    "placeholder-braces": ("token=" + "{" * MEGABYTE, "ML602"),
    "blank-lines": ("\n" * MEGABYTE, "ML605"),
    "unclosed-tags": ("<" * MEGABYTE, "ML605"),
    "e-mail-domains": ("a@" + "a." * (MEGABYTE // 2), "ML605"),
    "phone-prefixes": ("+1 " * (MEGABYTE // 3), "ML605"),
    "card-digits": ("4" * MEGABYTE, "ML605"),
}
PLANTED = {"ML602": f"\naws_key = {AWS_KEY}\n", "ML605": "\ncontact: jane.roe@corp-mail.io\n"}


@pytest.fixture(scope="module")
def adversarial_run(tmp_path_factory) -> dict[str, set[str]]:
    """One run of the secret and PII rules over one notebook per adversarial text
    (in a stdout output, then the planted finding); the codes found per notebook."""
    root = tmp_path_factory.mktemp("adversarial")
    files = {"pyproject.toml": "[project]\nname = 'x'\n"}
    for name, (text, code) in ADVERSARIAL.items():
        output = {"output_type": "stream", "name": "stdout", "text": text + PLANTED[code]}
        files[f"{name}.ipynb"] = notebook_json(["print(x)\n"], outputs={0: [output]}, counts={0: 1})
    write_files(root, files)
    done = mllint("check", "--select", "ML602,ML605", "--format", "json", "--no-cache", "--no-project-rules",
                  "--jobs", "2", cwd=root, timeout=120)
    assert done.returncode == 1, done.stderr
    found: dict[str, set[str]] = {}
    for finding in json.loads(done.stdout):
        found.setdefault(finding["path"].removesuffix(".ipynb"), set()).add(finding["code"])
    return found


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_scanners_read_megabytes_of_adversarial_text_and_still_find(adversarial_run, name):
    assert ADVERSARIAL[name][1] in adversarial_run.get(name, set())


def test_scanners_in_process_on_adversarial_strings():
    """The recognisers themselves, in a child process with a deadline: each
    finds what is planted after a megabyte built to make a regex backtrack."""
    script = (
        "from mllint.analysis.secrets import find_secrets_in_text, find_pii, is_placeholder, html_to_text\n"
        f"key = {AWS_KEY!r}\n"
        "texts = ['-----BEGIN PRIVATE KEY-----' + 'a:' * 500000, 'a://' + 'b:' * 500000, '{' * 10**6, "
        "'password' + '!1' * 500000 + 'x', 'token=' + 'Ab1' * 300000]\n"
        "for text in texts:\n"
        "    assert key in [m.value for m in find_secrets_in_text(text + ' ' + key)], text[:30]\n"
        "    is_placeholder(text)\n"
        "assert [m.kind for m in find_pii('\\n' * 10**6 + 'Author: x\\njane.roe@corp-mail.io')] == ['e-mail address']\n"
        "assert html_to_text('<' * 10**6 + '<b>x</b>').endswith(' x ')\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=20, preexec_fn=_limited)
    assert done.stdout == "ok\n", done.stderr


def test_a_huge_file_and_a_deep_one_are_cut_with_a_diagnostic(tmp_path):
    write_files(tmp_path, {
        "pyproject.toml": "[project]\nname = 'x'\n",
        "huge.py": "x = 1\n" * (2 * 1024 * 1024),
        "deep.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
        "wide.py": "x = [" + "[1], " * 200_000 + "]\n",
    })
    done = mllint("check", "--select", "ML0", "--format", "json", "--no-cache", cwd=tmp_path, timeout=60)
    messages = {f["path"]: f["message"] for f in json.loads(done.stdout)}
    assert messages["huge.py"] == "cannot read file: file is 12 MiB, larger than the 10 MiB mllint lints"
    assert messages["deep.py"].startswith(("cannot parse file: ", "syntax error: too many nested parentheses"))
    assert "wide.py" not in messages
