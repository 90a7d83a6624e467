"""Check an ``mllint report --format html`` page in a real headless browser.

Usage::

    python scripts/check_report_html.py REPORT.html [--screenshot PNG] [--expect-finding TEXT]

The page is rendered by Debian's Chromium (``/usr/bin/chromium``; install it
with ``apt-get install -y chromium``), offline and with a throw-away profile.
``--dump-dom`` gives the DOM after rendering, in which the script asserts the
bar chart (an ``svg`` with one bar per stage of the page's stage table, each
with a score) and at least one finding (and, with ``--expect-finding``, one
containing TEXT). ``--screenshot`` also writes a 1280x1600 PNG of the page, as
``docs/report.png`` in the README was made::

    mllint report examples/churn-leaky --format html -o /tmp/report.html
    python scripts/check_report_html.py /tmp/report.html --screenshot docs/report.png

Exit status 0 when the page passes, 1 with the failed checks on stderr, 2 when
Chromium is missing or fails. The test suite runs the same checks
(tests/test_report.py) when Chromium is installed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
WINDOW = "1280,1600"


def chromium(*args: str) -> subprocess.CompletedProcess[str]:
    """Run Chromium headless with a fresh profile that is deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="mllint-chromium-") as profile:
        return subprocess.run(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120, check=False,
        )


def rendered_dom(page: Path) -> str:
    done = chromium("--dump-dom", page.resolve().as_uri())
    if done.returncode != 0 or "<html" not in done.stdout:
        raise RuntimeError(f"chromium --dump-dom failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return done.stdout


def screenshot(page: Path, png: Path) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    done = chromium(f"--screenshot={png.resolve()}", f"--window-size={WINDOW}", "--hide-scrollbars", page.resolve().as_uri())
    if done.returncode != 0 or not png.is_file() or not png.read_bytes().startswith(b"\x89PNG"):
        raise RuntimeError(f"chromium --screenshot failed ({done.returncode}): {done.stderr.strip()[-400:]}")


def problems(dom: str, expect_finding: str | None = None) -> list[str]:
    """What is wrong with the rendered page (empty: nothing)."""
    found = []
    svg = re.search(r'<svg id="chart".*?</svg>', dom, re.DOTALL)
    stages = re.findall(r'<section class="stage" id="stage-([^"]+)"', dom)
    if svg is None:
        return ["no <svg id=\"chart\"> in the rendered page"]
    bars = re.findall(r'<g class="bar" data-category="([^"]*)" data-score="(\d+|n/a)">', svg.group(0))
    if not stages:
        found.append("no stage section in the page")
    if [category for category, _ in bars] != stages:
        found.append(f"the chart's bars {[c for c, _ in bars]} are not one per stage {stages}")
    if svg.group(0).count("<rect") != 2 * len(bars):
        found.append("each bar should be a track and a value <rect>")
    findings = re.findall(r'<li class="finding">(.*?)</li>', dom, re.DOTALL)
    if not findings:
        found.append("no finding in the rendered page")
    if expect_finding is not None and not any(expect_finding in f for f in findings):
        found.append(f"no finding contains {expect_finding!r}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path, help="the HTML page mllint report wrote")
    parser.add_argument("--screenshot", type=Path, help="also write a PNG of the page here")
    parser.add_argument("--expect-finding", help="text one finding must contain (as it appears in the DOM)")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: install it with `apt-get install -y chromium`", file=sys.stderr)
        return 2
    try:
        found = problems(rendered_dom(args.report), args.expect_finding)
        if args.screenshot is not None:
            screenshot(args.report, args.screenshot)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        print(exc, file=sys.stderr)
        return 2
    for problem in found:
        print(f"{args.report}: {problem}", file=sys.stderr)
    if not found:
        print(f"{args.report}: chart and findings rendered" + (f"; screenshot in {args.screenshot}" if args.screenshot else ""))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
