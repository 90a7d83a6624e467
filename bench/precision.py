"""Where findings come from: mllint over real repositories, counted per rule and
per file role, with a sample of each rule's findings to read by hand.

    python bench/precision.py ../repos/torchmetrics ../repos/handson-ml3 --sample 10
    python bench/precision.py REPO... --mllint "env PYTHONPATH=/tmp/old-mllint python -m mllint"

The repositories are given as paths and stay out of git. mllint runs as a
command (``--mllint``, default this interpreter's ``python -m mllint``) so that
two versions can be compared on the same trees; the file roles come from this
checkout's ``mllint.project.layout``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mllint.project.layout import Role, role_of  # noqa: E402  (after the path is set)


def findings_of(repo: Path, command: list[str], select: str) -> list[dict]:
    done = subprocess.run(
        [*command, "check", ".", "--format", "json", "--select", select, "--exit-zero"],
        cwd=repo, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{repo}: mllint exited {done.returncode}: {done.stderr.strip()[:500]}")
    return json.loads(done.stdout or "[]")


def role(repo: Path, path: str) -> str:
    if path in (".", "") or not path.endswith((".py", ".ipynb")):
        return "project"  # the project, or one of its configuration or data files
    folder = os.path.dirname(path)
    return role_of(path, in_package=(repo / folder / "__init__.py").is_file()).value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--mllint", default=f"{shlex.quote(sys.executable)} -m mllint", help="the command to run")
    parser.add_argument("--select", default="ALL")
    parser.add_argument("--sample", type=int, default=0, help="print this many findings of each rule")
    args = parser.parse_args()
    command = shlex.split(args.mllint)

    per_rule: Counter[str] = Counter()
    per_role: dict[str, Counter[str]] = defaultdict(Counter)
    samples: dict[str, list[str]] = defaultdict(list)
    for repo in args.repos:
        found = findings_of(repo.resolve(), command, args.select)
        print(f"{repo.name}: {len(found)} findings")
        for finding in found:
            code = finding["code"]
            per_rule[code] += 1
            per_role[code][role(repo.resolve(), finding["path"])] += 1
            if len(samples[code]) < args.sample:
                where = f"{finding['path']}:{finding['line']}" + (f" cell {finding['cell']}" if finding["cell"] else "")
                samples[code].append(f"{repo.name}/{where}: {finding['message']}")
    roles = ["project", *(r.value for r in Role)]
    print("\nrule    total  " + "  ".join(f"{r:>12}" for r in roles))
    for code in sorted(per_rule):
        print(f"{code}  {per_rule[code]:>6}  " + "  ".join(f"{per_role[code][r] or '':>12}" for r in roles))
    for code in sorted(samples):
        print(f"\n== {code}")
        for line in samples[code]:
            print(f"  {line}")


if __name__ == "__main__":
    main()
