"""``mllint report``: the scorecard's statuses and scores, its Markdown and HTML
renderings, and the HTML page as a real browser renders it."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest

from mllint.engine.config import CliOverrides
from mllint.engine.findings import Severity
from mllint.engine.rules import ModuleRule
from mllint.engine.runner import Linter
from mllint.plugins import builtin_rules
from mllint.reporters import markdown
from mllint.reporters.base import ReportOptions
from mllint.reporters.scorecard import (
    RuleCard,
    Scorecard,
    StageCard,
    Status,
    display_score,
    scorecard,
)
from mllint.testkit import write_files

ROOT = Path(__file__).resolve().parent.parent
LEAKY = ROOT / "examples" / "churn-leaky"
CHROMIUM = Path("/usr/bin/chromium")
HOSTILE_PATH = "/home/alice/<img src=x onerror=alert(1)>|*x*.csv"


def mllint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mllint", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


class ReportProbe(ModuleRule):
    """Reports every call to ``probe.target``: a rule that fails where it is called."""

    code = "ML798"
    name = "report-probe"
    severity = Severity.WARNING
    triggers = ("probe",)

    def visit_Call(self, node: cst.Call) -> None:
        if self.ctx.call_name(node) == "probe.target":
            self.report(node, "probe target called")


class ReportCrasher(ModuleRule):
    """Raises on every call: a rule with a bug (clean on files without calls)."""

    code = "ML799"
    name = "report-crasher"
    severity = Severity.WARNING
    triggers = ("probe",)

    def visit_Call(self, node: cst.Call) -> None:
        raise ValueError("boom | <b>")


# -- statuses -------------------------------------------------------------------


@pytest.fixture
def statuses(tmp_path) -> Scorecard:
    write_files(tmp_path, {
        "pyproject.toml": "[project]\nname = 'demo'\n",
        "called.py": "import probe\nprobe.target()\n",
        "quiet.py": "import probe\n",  # the crasher checks it cleanly, and is still no pass
    })
    rules = builtin_rules().with_rules([ReportProbe, ReportCrasher])
    selected = ["ML798", "ML799", "ML201", "ML501", "ML605", "ML101"]
    result = Linter(rules, CliOverrides(select=selected), cwd=tmp_path).lint([tmp_path])
    return scorecard(result)


def test_every_enabled_rule_has_a_status(statuses):
    rules = {rule.code: rule for stage in statuses.stages for rule in stage.rules}
    reasons = {code: (rule.status, re.sub(r"py:\d+", "py:LINE", rule.reason)) for code, rule in rules.items()}
    assert reasons == {
        "ML101": (Status.NOT_APPLICABLE, "the project uses no ML library"),
        "ML201": (Status.PASS, ""),
        "ML501": (Status.NOT_APPLICABLE, "no serving code"),
        "ML605": (Status.NOT_APPLICABLE, "no notebook"),
        "ML798": (Status.FAIL, ""),
        "ML799": (Status.ERROR, "crashed: ValueError: boom | <b> (test_report.py:LINE)"),
    }
    assert [f.path for f in rules["ML798"].findings] == ["called.py"]
    assert [(f.code, f.path) for f in rules["ML799"].findings] == [("ML000", "called.py")]
    assert statuses.diagnostics == ()  # the crash is charged to the rule, not listed twice


def test_a_crashed_rule_never_passes_and_scores_like_a_failure(statuses):
    stages = {stage.category: stage for stage in statuses.stages}
    assert list(stages) == ["data", "reproducibility", "deployment", "security", "api-misuse"]
    assert stages["api-misuse"].score == 0  # one failing, one crashed rule: nothing passed
    assert stages["reproducibility"].score == 100
    assert stages["data"].score is None and stages["deployment"].score is None
    assert statuses.score == 50


def test_engine_findings_are_unscored_diagnostics(tmp_path):
    write_files(tmp_path, {"pyproject.toml": "[project]\nname = 'demo'\n", "bad.py": "def f(:\n", "ok.py": "import os\n"})
    card = scorecard(Linter(builtin_rules(), CliOverrides(select=["ML201"]), cwd=tmp_path).lint([tmp_path]))
    assert [(f.code, f.path) for f in card.diagnostics] == [("ML001", "bad.py")]
    assert [(stage.category, [r.status for r in stage.rules]) for stage in card.stages] == [("reproducibility", [Status.PASS])]


# -- scores ---------------------------------------------------------------------


def rule(status: Status, severity: Severity) -> RuleCard:
    return RuleCard("ML999", "made-up", severity, status)


PASS_E, PASS_W, PASS_I = (rule(Status.PASS, s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
FAIL_E, FAIL_W, FAIL_I = (rule(Status.FAIL, s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
ERROR_W, NA_E = rule(Status.ERROR, Severity.WARNING), rule(Status.NOT_APPLICABLE, Severity.ERROR)

STAGE_SCORES = {
    "all pass": ([PASS_E, PASS_W, PASS_I], "100"),
    "error 3 passes, warning 2 fails": ([PASS_E, FAIL_W], "60"),
    "not applicable does not count": ([PASS_E, FAIL_W, NA_E], "60"),
    "a crash counts as a failure": ([PASS_W, PASS_I, ERROR_W], "60"),
    "info 1 passes, error 3 fails": ([PASS_I, FAIL_E], "25"),
    "2/3 rounds to 67": ([PASS_W, FAIL_I], "67"),
    "1/8 = 12.5 rounds half up": ([PASS_I, FAIL_E, FAIL_E, FAIL_I], "13"),
    "nothing applies: no score": ([NA_E], "n/a"),
    "all fail": ([FAIL_E, FAIL_I, ERROR_W], "0"),
}


@pytest.mark.parametrize(("rules", "shown"), STAGE_SCORES.values(), ids=STAGE_SCORES.keys())
def test_stage_score_is_passing_weight_over_applicable_weight(rules, shown):
    assert display_score(StageCard("data", tuple(rules)).score) == shown


OVERALL = {
    "mean of the scored stages": ([[PASS_E, FAIL_W], [PASS_I, FAIL_E], [NA_E]], "43"),  # (60 + 25) / 2 = 42.5
    "each stage counts the same": ([[PASS_W], [FAIL_W] * 9], "50"),
    "no stage scored": ([[NA_E]], "n/a"),
    "no stage at all": ([], "n/a"),
}


@pytest.mark.parametrize(("stages", "shown"), OVERALL.values(), ids=OVERALL.keys())
def test_overall_score_is_the_mean_of_stage_scores(stages, shown):
    card = Scorecard(tuple(StageCard(f"stage{i}", tuple(rules)) for i, rules in enumerate(stages)), (), 1)
    assert display_score(card.score) == shown


# -- markdown -------------------------------------------------------------------

ESCAPES = {
    "table cell and HTML": ("a|b <img src=x>", r"a\|b \<img src=x\>"),
    "emphasis, links, images": ("*x* _y_ ![i](u) [l](u)", r"\*x\* \_y\_ \!\[i\](u) \[l\](u)"),
    "mentions, issues, math, entities": ("@team #12 $x$ &amp;", r"\@team \#12 \$x\$ \&amp;"),
    "backslash and backtick": ("a\\`b", r"a\\\`b"),
    "one line": ("a\nb\r\nc", "a b c"),
}


@pytest.mark.parametrize(("text", "escaped"), ESCAPES.values(), ids=ESCAPES.keys())
def test_markdown_escapes_user_text(text, escaped):
    assert markdown.escape(text) == escaped


MESSAGES = {
    "code runs stay code": ("`np.random` is <b>unseeded</b>", r"`np.random` is \<b\>unseeded\</b\>"),
    "an unpaired backtick is text": ("a `b` c ` d", r"a `b` c \` d"),
    "an empty run is text": ("a `` b", r"a \`\` b"),
    "code runs are one line": ("`a\nb` c", "`a b` c"),
}


@pytest.mark.parametrize(("text", "rendered"), MESSAGES.values(), ids=MESSAGES.keys())
def test_markdown_messages_keep_code_spans_and_escape_the_rest(text, rendered):
    assert markdown.message(text) == rendered


def test_markdown_scorecard_rows_and_findings(tmp_path):
    write_files(tmp_path, {"pyproject.toml": "[project]\nname = 'demo'\n", "called.py": "import probe\nprobe.target()\n"})
    rules = builtin_rules().with_rules([ReportProbe, ReportCrasher])
    result = Linter(rules, CliOverrides(select=["ML798", "ML799", "ML201", "ML501"]), cwd=tmp_path).lint([tmp_path])
    lines = [re.sub(r"py:\d+\)", "py:LINE)", line) for line in markdown.render(result, ReportOptions()).splitlines()]
    assert lines[:3] == ["# mllint scorecard", "", "**Overall score: 50/100** · 1 file linted · 4 rules: 1 pass, 1 fail, 1 not applicable, 1 error"]
    for expected in [
        "| reproducibility | 100 | 1 | 0 | 0 | 0 |",
        "| deployment | n/a | 0 | 0 | 1 | 0 |",
        "| api-misuse | 0 | 0 | 1 | 0 | 1 |",
        "## api-misuse: 0/100",
        "| ❌ fail | ML798 report-probe | warning | 1 |  |",
        r"| 💥 error | ML799 report-crasher | warning | 1 | crashed: ValueError: boom \| \<b\> (test\_report.py:LINE) |",
        "| ➖ not applicable | ML501 prediction-not-logged | warning | 0 | no serving code |",
        "<details><summary>2 findings</summary>",
        "- **ML000** called.py:1:1 (error): rule ML799 (report-crasher) crashed: ValueError: boom \\| \\<b\\> (test\\_report.py:LINE)",
        "- **ML798** called.py:2:1 (warning): probe target called",
    ]:
        assert expected in lines
    assert lines[-1].startswith("Scoring: Each rule weighs its severity (error 3, warning 2, info 1)")


# -- the command ----------------------------------------------------------------


def test_report_on_the_leaky_example_exits_0_and_matches_check_markdown():
    done = mllint("report", "examples/churn-leaky")
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()
    assert lines[0] == "# mllint scorecard"
    stages = [line.split(" | ")[0][2:] for line in lines if re.match(r"\| [a-z-]+ \| (\d+|n/a) \|", line)]
    assert stages == ["data", "reproducibility", "model", "testing", "deployment", "security", "api-misuse", "notebook"]
    assert "- **ML202** examples/churn-leaky/train.py:21:40 (warning): `train_test_split` is random when `shuffle` is truthy (default True), but `random_state` is not set; pass `random_state=<seed>` so that results repeat" in lines
    assert mllint("report", "examples/churn-leaky").stdout == done.stdout  # deterministic
    check = mllint("check", "--format", "markdown", "examples/churn-leaky")
    assert check.returncode == 1  # check stays a gate; the report is not
    assert check.stdout == done.stdout


def test_report_takes_the_selection_options(tmp_path):
    done = mllint("report", str(LEAKY), "--select", "ML6,ML101", "--ignore", "unsafe-deserialization", "--no-project-rules", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and " ML" in line]
    assert [row.split(" | ")[1].split()[0] for row in rows] == ["ML101", "ML602", "ML603", "ML604", "ML605"]
    assert "| ➖ not applicable | ML101 data-not-versioned | warning | 0 | project rules were not run (--no-project-rules or project-rules = false) |" in rows


def test_report_excludes_and_uses_the_given_config(tmp_path):
    write_files(tmp_path, {
        "pyproject.toml": "[project]\nname = 'demo'\n",
        "mine.toml": "select = ['ML103']\n",
        "load.py": "import pandas as pd\ndf = pd.read_csv('/home/alice/a.csv')\n",
    })
    assert "| ❌ fail | ML103 absolute-data-path |" in mllint("report", "--config", "mine.toml", cwd=tmp_path).stdout
    excluded = mllint("report", "--config", "mine.toml", "--exclude", "load.py", cwd=tmp_path).stdout
    assert "| ➖ not applicable | ML103 absolute-data-path | warning | 0 | no file the rule applies to |" in excluded


@pytest.mark.parametrize(("args", "files", "message"), [
    (["--select", "ML2O1"], {}, "unknown rule selector 'ML2O1'"),
    (["--format", "pdf"], {}, "'pdf' is not one of"),
    ([], {"pyproject.toml": "[tool.mllint]\nselct = ['ML2']\n"}, "pyproject.toml: tool.mllint.selct: unknown key"),
    (["-o", "missing/dir/report.md"], {}, "--output-file: cannot write missing/dir/report.md"),
])
def test_usage_and_config_errors_exit_2(tmp_path, args, files, message):
    write_files(tmp_path, {"ok.py": "import os\n", **files})
    done = mllint("report", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_html_report_is_one_escaped_self_contained_page(tmp_path):
    write_files(tmp_path, {
        "pyproject.toml": "[project]\nname = 'demo'\n",
        "load.py": f"import pandas as pd\ndf = pd.read_csv({HOSTILE_PATH!r})\n",
    })
    done = mllint("report", "--select", "ML103,ML201", "--format", "html", "-o", "report.html", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<img" not in page and "<script" not in page and "<link" not in page and "url(" not in page
    assert "<code>/home/alice/&lt;img src=x onerror=alert(1)&gt;|*x*.csv</code>" in page
    assert set(re.findall(r'(?:src|href)="([^"#]*)', page)) == {""}  # only in-page anchors
    assert "default-src 'none'" in page
    assert re.findall(r'<g class="bar" data-category="([^"]+)" data-score="([^"]+)">', page) == [
        ("data", "0"), ("reproducibility", "100")]


def test_a_report_on_no_file_says_so_and_still_exits_0(tmp_path):
    done = mllint("report", "--select", "ML2", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stderr == "mllint: warning: no Python files or notebooks found under .\n"
    assert "| ➖ not applicable | ML201 unseeded-randomness | warning | 0 | no file the rule applies to |" in done.stdout


# -- in a real browser ------------------------------------------------------------


def load_checker():
    spec = importlib.util.spec_from_file_location("check_report_html", ROOT / "scripts" / "check_report_html.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_browser_check_catches_a_missing_bar_or_finding(tmp_path):
    checker = load_checker()
    assert mllint("report", "examples/churn-leaky", "--format", "html", "-o", str(tmp_path / "r.html")).returncode == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert checker.problems(page, "train_test_split") == []
    one_bar_less = re.sub(r'<g class="bar" data-category="model".*?</g>', "", page, flags=re.DOTALL)
    assert checker.problems(one_bar_less) == [(
        "the chart's bars ['data', 'reproducibility', 'testing', 'deployment', 'security', 'api-misuse', 'notebook'] "
        "are not one per stage ['data', 'reproducibility', 'model', 'testing', 'deployment', 'security', 'api-misuse', "
        "'notebook']")]
    assert checker.problems(re.sub(r'<li class="finding">', "<li>", page)) == ["no finding in the rendered page"]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium: apt-get install -y chromium")
def test_html_report_renders_in_headless_chromium(tmp_path):
    page, png = tmp_path / "report.html", tmp_path / "report.png"
    assert mllint("report", "examples/churn-leaky", "--format", "html", "-o", str(page)).returncode == 0
    done = subprocess.run(
        [sys.executable, "scripts/check_report_html.py", str(page), "--screenshot", str(png), "--expect-finding", "train_test_split"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.read_bytes()[16:24] == (1280).to_bytes(4, "big") + (1600).to_bytes(4, "big")  # IHDR width, height

