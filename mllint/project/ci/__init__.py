"""Facts about continuous integration and static analysis (rules ML404, ML405).

Rules need two answers: *which CI configurations exist and does any job run the
tests?* and *which linters or type checkers are configured, and where?*. Both
are answered here without executing anything: CI files are parsed as YAML (or
scanned as text for Jenkinsfiles) and every shell command is followed through
the usual indirections - task runners (``tox``, ``nox``, ``make``, ``hatch``,
``pdm``, ``poetry``/``uv`` run), interpreters (``python -m``, ``coverage run``,
``bash -c``) and scripts kept in the repository - down to the programs that
finally run ("leaves"). A command runs tests when one of its leaves is a test
runner; a tool is used when one of its leaves is that tool.

Deliberate limits (documented so rules can word their messages honestly):
GitHub reusable workflows and composite actions (``uses:``), GitLab
``include:``, Azure ``template:`` and CircleCI orbs are not followed;
``working-directory`` settings are ignored (commands are resolved from the
repository root unless a ``cd`` precedes them on the same line). Indirections
are followed at most ``MAX_DEPTH`` levels deep.

The package is split by job: ``configs`` finds CI files and their commands,
``commands`` splits shell lines and recognises test runners, ``runners`` reads
task-runner files (tox, nox, Makefile, hatch/pdm scripts), ``resolver`` follows
a command through all of them, and ``static_analysis`` finds linters and type
checkers. This module is the public API.
"""

from mllint.project.ci.configs import CIConfig, CIFacts, ci_system, collect_ci_facts
from mllint.project.ci.resolver import MAX_DEPTH, MAX_EXPANSIONS, MAX_FILE_BYTES
from mllint.project.ci.static_analysis import static_analysis_tools

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPANSIONS",
    "MAX_FILE_BYTES",
    "CIConfig",
    "CIFacts",
    "ci_system",
    "collect_ci_facts",
    "static_analysis_tools",
]
